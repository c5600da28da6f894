import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './python.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';

let serve: ServeProcess;
let dir: string;

describe("package.json's ./server export", () => {
  beforeAll(async () => {
    serve = await startServeProcess();
    // a consumer's project: recgym in its node_modules
    dir = mkdtempSync(join(tmpdir(), 'recgym-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'recgym'), 'dir');
  });

  afterAll(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets a program import RemoteEnv from 'recgym/server' (the built package) and step a served env", () => {
    const exported = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; import: string }> }).exports['./server'];
    expect(exported).toEqual({ types: './dist/src/server/index.d.ts', import: './dist/src/server/index.js' });
    expect(existsSync(join(ROOT, exported.types))).toBe(true);
    const program = `
      import { RemoteEnv } from 'recgym/server';
      const env = RemoteEnv.connect(${JSON.stringify(serve.url)}, 'Tianchi-Replay-v0', { seed: 0 });
      const { observation } = env.reset();
      const step = env.step(0);
      env.close();
      console.log(Object.keys(observation).join(','), typeof step.reward);`;
    writeFileSync(join(dir, 'main.mjs'), program);
    const run = spawnSync(process.execPath, [join(dir, 'main.mjs')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('items,behaviors,hours,categories,mask,candidates number\n');
  });
});
