import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type RealSamplesResult } from '../../experiments/real-samples.js';
import { runQuietly } from './run-quietly.js';
import { writeTinyUserBehavior } from './tiny-data.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-exp-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function quiet(argv: string[]): Promise<string> {
  return (await runQuietly(main, argv)).stderr;
}

describe('experiments/real-samples', () => {
  it('skips with a message when the shared data folder is absent', async () => {
    const out = join(dir, 'absent');
    const messages = await quiet(['--quick', '--shared', join(dir, 'no-such-folder'), '--out', out]);
    expect(messages).toContain('real-samples: skipped:');
    const result = JSON.parse(readFileSync(join(out, 'real-samples.json'), 'utf8')) as RealSamplesResult;
    expect(result.skipped).toContain('no-such-folder is absent');
    expect(result.samples).toEqual([]);
  });

  describe('on a tiny sample laid out like ../shared/data', () => {
    let result: RealSamplesResult;
    beforeAll(async () => {
      const shared = join(dir, 'shared');
      writeTinyUserBehavior(shared, 'taobao-userbehavior-samples/userbehavior_users386_haohanblue.csv');
      await quiet(['--quick', '--shared', shared, '--only', 'users386,tianchi', '--backend', 'cpu', '--out', dir]);
      result = JSON.parse(readFileSync(join(dir, 'real-samples-users386-tianchi.json'), 'utf8')) as RealSamplesResult;
    });

    it('compares the ranker, the DQN and the baselines under every protocol with differences to recent', () => {
      const users386 = result.samples.find((s) => s.name === 'users386');
      const report = users386?.report;
      expect(report?.agents).toEqual(['ranker', 'dqn', 'recent', 'cooccurrence', 'popularity', 'random']);
      expect(report?.protocols).toEqual(['full', 'sampled', 'seed']);
      expect(report?.table).toHaveLength(18);
      expect(report?.differences.every((d) => d.baseline === 'recent')).toBe(true);
      expect(report?.split.test.start).toBe('2017-12-03T00:00:00Z');
    });

    it('skips a sample whose file is absent', () => {
      const tianchi = result.samples.find((s) => s.name === 'tianchi');
      expect(tianchi?.skipped).toContain('sample_user_behavior.csv is absent');
    });
  });
});
