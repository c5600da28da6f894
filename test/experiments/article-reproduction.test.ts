import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type ArticleResult } from '../../experiments/article-reproduction.js';
import { runQuietly } from './run-quietly.js';
import { writeTinyTianchi } from './tiny-data.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-exp-article-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('experiments/article-reproduction', () => {
  let result: ArticleResult;
  let printed = '';
  beforeAll(async () => {
    const data = join(dir, 'tiny.csv');
    await writeTinyTianchi(data);
    printed = (await runQuietly(main, ['--quick', '--data', data, '--backend', 'cpu', '--out', dir])).stdout;
    result = JSON.parse(readFileSync(join(dir, 'article-reproduction.json'), 'utf8')) as ArticleResult;
  });

  it('runs the seed protocol with 5 candidates and prints random 0.80 beside the agents', () => {
    expect(result.randomExpected).toBeCloseTo(0.8, 12);
    expect(printed).toContain('random ranking (exact): 0.8000');
    expect(result.config.articleDqn).toMatchObject({ numCandidates: 5, supervisedHead: false, historyFeatures: false, contextFeatures: false, auxFeatureWeight: 0, dueling: false, itemInitScale: 1 });
  });

  it('reports Recall@4 on all and warm cases for both DQNs and the baselines, with differences to random', () => {
    expect(result.rows.map((r) => r.agent)).toEqual(['dqn-article', 'dqn', 'ranker', 'recent', 'cooccurrence', 'popularity', 'random']);
    expect(result.cases.warm).toBeLessThanOrEqual(result.cases.all);
    for (const row of result.rows) {
      expect(row.all.lo).toBeLessThanOrEqual(row.all.hi);
      expect(row.warm.mean).toBeGreaterThanOrEqual(0);
      if (row.agent === 'random') expect(row.diffToRandom).toBeUndefined();
      else expect(row.diffToRandom?.all.lo).toBeLessThanOrEqual(row.diffToRandom?.all.hi as number);
    }
    expect(result.backend).toBe('cpu, js');
  });
});
