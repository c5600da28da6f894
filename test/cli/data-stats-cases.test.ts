import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/collecting-io.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-stats-cases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Test day 2014-12-18. u1: trains on items 1, 2; then 2 (seen, repeat), 9 (cold), 1 (seen, not repeat).
// u2: trains on 3; then 1 (warm, unseen: discovery). u3 has no training event: none of its events is a case.
const LOG = `user_id,item_id,behavior_type,user_geohash,item_category,time
1,1,1,,7,2014-12-17 10
1,2,1,,7,2014-12-17 11
1,2,3,,7,2014-12-18 09
1,9,1,,7,2014-12-18 10
1,1,4,,7,2014-12-18 11
2,3,1,,8,2014-12-16 08
2,1,1,,7,2014-12-18 12
3,1,1,,7,2014-12-18 13
`;

describe('recgym data stats', () => {
  it('reports the kinds of test cases as shares of all test cases', async () => {
    const file = join(dir, 'cases.csv');
    writeFileSync(file, LOG);
    const { code, stdout } = await runCli(['data', 'stats', file, '--json']);
    expect(code).toBe(0);
    const stats = JSON.parse(stdout);
    expect(stats.testDay).toBe('2014-12-18');
    expect(stats.testCases).toEqual({
      cases: 4,
      users: 2,
      cold: 1 / 4,
      warm: 3 / 4,
      seen: 2 / 4,
      repeat: 1 / 4,
      discovery: 1 / 4,
      seenOfWarm: 2 / 3,
    });
  });
});
