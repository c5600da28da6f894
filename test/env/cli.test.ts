import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectingIo } from '../helpers/collecting-io.js';
import { main } from '../../src/cli/main.js';
import { tinyTianchiCsv } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-env-cli-'));
const tinyFile = join(dir, 'tiny.csv');
writeFileSync(tinyFile, tinyTianchiCsv());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recgym env list', () => {
  it('prints the registered ids as one JSON object', async () => {
    const io = collectingIo();
    expect(await main(['env', 'list', '--json'], io)).toBe(0);
    const output = JSON.parse(io.out) as { envs: Array<{ id: string; defaults: Record<string, unknown> }> };
    expect(output.envs.map((e) => e.id)).toEqual(['Tianchi-Replay-C20-v0', 'Tianchi-Replay-v0', 'Tianchi-Sim-Bored-v0', 'Tianchi-Sim-Impatient-v0', 'Tianchi-Sim-Slate-v0', 'Tianchi-Sim-v0', 'Tianchi-Slate-v0']);
    expect(output.envs[1].defaults).toEqual({ mode: 'candidates', numCandidates: 5, negatives: 'uniform' });
    expect(output.envs[5].defaults).toEqual({ simulator: 'default', mode: 'candidates', numCandidates: 20, negatives: 'popularity' });
  });

  it('prints a readable table', async () => {
    const io = collectingIo();
    expect(await main(['env', 'list'], io)).toBe(0);
    expect(io.out).toMatch(/^Tianchi-Replay-C20-v0 +Replay, candidates mode/m);
    expect(io.out).toMatch(/^Tianchi-Sim-v0 +Simulated shoppers/m);
  });
});

describe('recgym env check', () => {
  it('checks a registered env on the default data', async () => {
    const io = collectingIo();
    expect(await main(['env', 'check', 'Tianchi-Replay-v0', '--json'], io)).toBe(0);
    const output = JSON.parse(io.out) as { passed: boolean; checks: Array<{ passed: boolean }>; data: string; numEpisodes: number };
    expect(output.passed).toBe(true);
    expect(output.data).toBe('default');
    expect(output.checks.length).toBe(9);
    expect(output.numEpisodes).toBeGreaterThan(100);
  });

  it('checks the vector form too (--num-envs)', async () => {
    const io = collectingIo();
    expect(await main(['env', 'check', 'Tianchi-Slate-v0', '--num-envs', '3', '--json'], io)).toBe(0);
    const output = JSON.parse(io.out) as { passed: boolean; vector: { numEnvs: number; passed: boolean; checks: Array<{ name: string; passed: boolean }> } };
    expect(output.vector.numEnvs).toBe(3);
    expect(output.vector.passed).toBe(true);
    expect(output.vector.checks.map((c) => c.name)).toContain('auto-reset in the same step');
    const text = collectingIo();
    expect(await main(['env', 'check', 'Tianchi-Replay-v0'], text)).toBe(0);
    expect(text.out).toMatch(/^vector env \(4 slots\)$/m);
  });

  it('checks an env on a log file (--data, --test-day, --split, --seed)', async () => {
    const io = collectingIo();
    const code = await main(['env', 'check', 'Tianchi-Replay-v0', '--data', tinyFile, '--test-day', '2014-12-18', '--split', 'test', '--seed', '3', '--json'], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ env: 'Tianchi-Replay-v0', split: 'test', seed: 3, numEpisodes: 2, passed: true });
    const text = collectingIo();
    expect(await main(['env', 'check', 'Tianchi-Slate-v0', '--data', tinyFile], text)).toBe(0);
    expect(text.out).toMatch(/all checks passed/);
  });

  it('checks a simulated env, which takes no --split', async () => {
    const io = collectingIo();
    expect(await main(['env', 'check', 'Tianchi-Sim-v0', '--num-envs', '2', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ env: 'Tianchi-Sim-v0', split: 'simulated', passed: true, vector: { numEnvs: 2, passed: true } });
    const split = collectingIo();
    expect(await main(['env', 'check', 'Tianchi-Sim-v0', '--split', 'test'], split)).toBe(2);
    expect(split.err.split('\n')[0]).toBe('recgym env check: --split: expected only with a replay env, actual Tianchi-Sim-v0 (a simulated env; its simulator is fitted on the days before the test day)');
  });

  it('exits 1 with the known ids for an unknown env id', async () => {
    const io = collectingIo();
    expect(await main(['env', 'check', 'Nope-v0'], io)).toBe(1);
    expect(io.err).toMatch(/unknown env id: expected one of Tianchi-Replay-C20-v0, Tianchi-Replay-v0, Tianchi-Sim-Bored-v0, Tianchi-Sim-Impatient-v0, Tianchi-Sim-Slate-v0, Tianchi-Sim-v0, Tianchi-Slate-v0, actual "Nope-v0"/);
  });

  it('exits 1 with a clear message when the data cannot make the env', async () => {
    const io = collectingIo();
    expect(await main(['env', 'check', 'Tianchi-Replay-C20-v0', '--data', tinyFile], io)).toBe(1);
    expect(io.err).toMatch(/catalogue of at least 20 items/);
    const missing = collectingIo();
    expect(await main(['env', 'check', 'Tianchi-Replay-v0', '--data', join(dir, 'missing.csv')], missing)).toBe(1);
  });

  it('exits 2 for bad flags', async () => {
    for (const args of [['--seed', 'x'], ['--num-envs', '0'], ['--split', 'valid'], ['--test-day', '2014-13-01'], ['--format', 'parquet', '--data', tinyFile], []]) {
      const io = collectingIo();
      expect(await main(['env', 'check', ...(args.length ? ['Tianchi-Replay-v0'] : []), ...args], io)).toBe(2);
    }
  });
});
