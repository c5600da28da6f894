import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removePendingTemps, writeAtomically, writeTextAtomically } from '../../src/core/atomic-write.js';
import { runCli } from '../helpers/collecting-io.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'keep me');
const hasProc = existsSync('/proc/self');

/** Asserts an output failure: exit 1, exactly one line on stderr, nothing on stdout. */
function expectWriteFailure(result: { code: number; stdout: string; stderr: string }, line: string): void {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`${line}\n`);
}

describe('outputs are checked before any work', () => {
  it('train --out naming a file fails before loading data, and leaves the file alone', async () => {
    const result = await runCli(['train', '--agent', 'ranker', '--out', aFile]);
    expectWriteFailure(result, `recgym train: --out ${aFile}: expected a writable directory, actual a file`);
    expect(readFileSync(aFile, 'utf8')).toBe('keep me');
  });

  it('train --out below a file fails naming the file in the way', async () => {
    const result = await runCli(['train', '--agent', 'ranker', '--out', join(aFile, 'run')]);
    expectWriteFailure(result, `recgym train: --out ${join(aFile, 'run')}: expected a writable directory, actual ${aFile} is a file`);
  });

  it.skipIf(!hasProc)('train, compare and demo refuse a folder under /proc at once instead of spinning', async () => {
    expectWriteFailure(await runCli(['train', '--agent', 'ranker', '--out', '/proc/x']), 'recgym train: --out /proc/x: expected a writable directory, actual /proc refuses new entries (ENOENT)');
    expectWriteFailure(await runCli(['compare', '--out', '/proc/x/y']), 'recgym compare: --out /proc/x/y: expected a writable directory, actual /proc refuses new entries (ENOENT)');
    expectWriteFailure(await runCli(['demo', '--out', '/proc/x']), 'recgym demo: --out /proc/x: expected a writable directory, actual /proc refuses new entries (ENOENT)');
  });

  it('generate --out naming a directory, a path below a file or /proc fails with one line', async () => {
    expectWriteFailure(await runCli(['generate', '--out', dir]), `recgym generate: --out ${dir}: expected a file path, actual a directory`);
    expectWriteFailure(
      await runCli(['generate', '--out', join(aFile, 'log.csv')]),
      `recgym generate: --out ${join(aFile, 'log.csv')}: expected a file in a writable directory, actual ${aFile} is a file`,
    );
    if (hasProc) {
      expectWriteFailure(await runCli(['generate', '--out', '/proc/log.csv']), 'recgym generate: --out /proc/log.csv: expected a file in a writable directory, actual /proc refuses new entries (ENOENT)');
    }
  });

  it('generate creates missing folders and leaves only the finished file', async () => {
    const target = join(dir, 'new', 'deeper', 'log.csv');
    const result = await runCli(['generate', '--out', target, '--users', '20', '--days', '3', '--json']);
    expect(result.code).toBe(0);
    expect(readdirSync(join(dir, 'new', 'deeper'))).toEqual(['log.csv']);
    expect(JSON.parse(result.stdout).bytes).toBe(statSync(target).size);
  });
});

describe('writeAtomically', () => {
  it('keeps the old file and removes the temporary one when writing fails', async () => {
    const target = join(dir, 'atomic.txt');
    await writeTextAtomically(target, 'old');
    await expect(
      writeAtomically(target, 'file', (temp) => {
        writeFileSync(temp, 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((name) => name.includes('atomic.txt'))).toEqual(['atomic.txt']);
  });

  it('replaces a directory whole, and leaves the old one when the new one fails', async () => {
    const target = join(dir, 'checkpoint');
    await writeAtomically(target, 'directory', (temp) => writeFileSync(join(temp, 'a.json'), '1'));
    await writeAtomically(target, 'directory', (temp) => writeFileSync(join(temp, 'b.json'), '2'));
    expect(readdirSync(target)).toEqual(['b.json']);
    await expect(
      writeAtomically(target, 'directory', (temp) => {
        writeFileSync(join(temp, 'c.json'), '3');
        throw new Error('interrupted');
      }),
    ).rejects.toThrow('interrupted');
    expect(readdirSync(target)).toEqual(['b.json']);
    expect(readdirSync(dir).filter((name) => name.includes('checkpoint'))).toEqual(['checkpoint']);
  });

  it('lists a write in progress for removePendingTemps, which removes it', async () => {
    const target = join(dir, 'pending.txt');
    let seen: string[] = [];
    await expect(
      writeAtomically(target, 'file', (temp) => {
        writeFileSync(temp, 'partial');
        seen = removePendingTemps();
        expect(existsSync(temp)).toBe(false);
        throw new Error('stopped');
      }),
    ).rejects.toThrow('stopped');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('.pending.txt.recgym-tmp-');
    expect(existsSync(target)).toBe(false);
  });
});

describe('an interrupted recgym generate', () => {
  const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

  it('leaves neither the target nor a temporary file (the built binary, SIGINT midway)', async () => {
    expect(existsSync(main), 'dist/ is missing: npm run build').toBe(true);
    const folder = join(dir, 'interrupted');
    mkdirSync(folder);
    const target = join(folder, 'big.csv');
    const child = spawn(process.execPath, [main, 'generate', '--out', target, '--users', '2000000'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 20_000;
    while (!readdirSync(folder).some((name) => name.startsWith('.big.csv.recgym-tmp-') && statSync(join(folder, name)).size > 1e6)) {
      expect(Date.now(), 'the temporary file never grew past 1 MB').toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGINT');
    const { code, signal } = await exited;
    expect(signal === 'SIGINT' || code === 130).toBe(true);
    expect(readdirSync(folder)).toEqual([]);
    expect(stderr).toMatch(/^\nrecgym: interrupted \(SIGINT\); removed the unfinished .*\.big\.csv\.recgym-tmp-\d+-\d+\n$/);
  }, 60_000);
});
