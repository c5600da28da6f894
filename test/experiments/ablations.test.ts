import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABLATIONS, main, type AblationResult } from '../../experiments/ablations.js';
import { DqnConfigSchema } from '../../src/agents/dqn/config.js';
import { runQuietly } from './run-quietly.js';
import { writeTinyTianchi } from './tiny-data.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-exp-ablations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('experiments/ablations', () => {
  let result: AblationResult;
  beforeAll(async () => {
    const data = join(dir, 'tiny.csv');
    await writeTinyTianchi(data);
    await runQuietly(main, ['--quick', '--data', data, '--backend', 'cpu', '--out', dir]);
    result = JSON.parse(readFileSync(join(dir, 'ablations.json'), 'utf8')) as AblationResult;
  });

  it('runs every ablation whose switch exists and lists the others as missing', () => {
    const fields = Object.keys(DqnConfigSchema.shape);
    expect([...result.ran.map((r) => r.name), ...result.missing.map((m) => m.name)].sort()).toEqual(ABLATIONS.map((a) => a.name).sort());
    for (const m of result.missing) expect(fields).not.toContain(m.field);
    expect(result.ran.map((r) => r.name)).toContain('no-history-features');
    expect(result.ran.map((r) => r.name)).toContain('no-supervised-head');
  });

  it('pairs each variant with its reference under every protocol', () => {
    expect(result.reports.map((r) => r.baseline)).toEqual(['dqn', 'no-supervised-head']);
    for (const ran of result.ran) {
      expect(ran.differences.map((d) => d.protocol)).toEqual(['full', 'sampled', 'seed']);
      for (const d of ran.differences) {
        expect(d.baseline).toBe(ran.reference);
        expect(d.all.lo).toBeLessThanOrEqual(d.all.hi);
      }
    }
    const [main] = result.reports;
    expect(main.dqn.find((v) => v.name === 'no-supervised-head')?.config.supervisedHead).toBe(false);
    expect(main.dqn.find((v) => v.name === 'dqn')?.config.supervisedHead).toBe(true);
  });

  it("applies the reference's change before the variant's own (Q-ranked reward ablation)", () => {
    const [, qRanked] = result.reports;
    const fixed = qRanked.dqn.find((v) => v.name === 'q-fixed-reward')?.config;
    expect(fixed?.supervisedHead).toBe(false);
    expect(fixed?.rewardSchedule).toBe('fixed');
    expect(qRanked.dqn.find((v) => v.name === 'no-supervised-head')?.config.rewardSchedule).toBe('epoch');
    expect(result.ran.find((r) => r.name === 'q-fixed-reward')?.reference).toBe('no-supervised-head');
  });
});
