import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABLATIONS, main, type AblationResult } from '../../experiments/ablations.js';
import { DqnConfigSchema } from '../../src/agents/dqn/config.js';
import { RankerConfigSchema } from '../../src/agents/ranker/config.js';
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
  }, 120_000);

  it('runs every ablation whose switch exists and lists the others as missing', () => {
    const fields = { dqn: Object.keys(DqnConfigSchema.shape), ranker: Object.keys(RankerConfigSchema.shape) };
    expect([...result.ran.map((r) => r.name), ...result.missing.map((m) => m.name)].sort()).toEqual(ABLATIONS.map((a) => a.name).sort());
    for (const m of result.missing) expect(fields[ABLATIONS.find((a) => a.name === m.name)!.agent]).not.toContain(m.field);
    expect(result.ran.map((r) => r.name)).toEqual(expect.arrayContaining(['ranker-no-history', 'ranker-no-context', 'dqn-no-history', 'dqn-no-aux-head', 'dqn-gamma-0']));
  });

  it("pairs each variant with its agent's default under every protocol", () => {
    expect(result.reports.map((r) => r.baseline)).toEqual(['ranker', 'dqn']);
    for (const ran of result.ran) {
      expect(ran.differences.map((d) => d.protocol)).toEqual(['full', 'sampled', 'seed']);
      for (const d of ran.differences) {
        expect(d.baseline).toBe(ran.reference);
        expect(d.all.lo).toBeLessThanOrEqual(d.all.hi);
      }
    }
    const [ranker, dqn] = result.reports;
    const config = (report: typeof ranker, name: string) => report.learners.find((v) => v.name === name)?.config as Record<string, unknown> | undefined;
    expect(config(ranker, 'ranker-no-history')?.historyFeatures).toBe(false);
    expect(config(ranker, 'ranker')?.historyFeatures).toBe(true);
    expect(config(dqn, 'dqn-no-aux-head')?.supervisedHead).toBe(false);
    expect(config(dqn, 'dqn-gamma-0')?.gamma).toBe(0);
    expect(config(dqn, 'dqn')?.supervisedHead).toBe(true);
    expect(dqn.learners.every((v) => v.agent === 'dqn')).toBe(true);
  });
});
