import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ABLATIONS, main, type AblationResult } from '../../experiments/ablations.js';
import { DqnConfigSchema } from '../../src/agents/dqn/config.js';
import { writeTinyTianchi } from './tiny-data.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-exp-ablations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('experiments/ablations', () => {
  let result: AblationResult;
  beforeAll(async () => {
    const data = join(dir, 'tiny.csv');
    await writeTinyTianchi(data);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await main(['--quick', '--data', data, '--backend', 'cpu', '--out', dir]);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    result = JSON.parse(readFileSync(join(dir, 'ablations.json'), 'utf8')) as AblationResult;
  });

  it('runs every ablation whose switch exists and lists the others as missing', () => {
    const fields = Object.keys(DqnConfigSchema.shape);
    expect([...result.ran.map((r) => r.name), ...result.missing.map((m) => m.name)].sort()).toEqual(ABLATIONS.map((a) => a.name).sort());
    for (const m of result.missing) expect(fields).not.toContain(m.field);
    expect(result.ran.map((r) => r.name)).toContain('no-history-features');
    expect(result.ran.map((r) => r.name)).toContain('no-supervised-head');
  });

  it('pairs each variant with the reference DQN under every protocol', () => {
    expect(result.report.baseline).toBe('dqn');
    for (const ran of result.ran) {
      expect(ran.differences.map((d) => d.protocol)).toEqual(['full', 'sampled', 'seed']);
      for (const d of ran.differences) {
        expect(d.baseline).toBe('dqn');
        expect(d.all.lo).toBeLessThanOrEqual(d.all.hi);
      }
    }
    const noHead = result.report.dqn.find((v) => v.name === 'no-supervised-head');
    expect(noHead?.config.supervisedHead).toBe(false);
    expect(result.report.dqn.find((v) => v.name === 'dqn')?.config.supervisedHead).toBe(true);
  });
});
