import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeShopperLog } from '../../src/cli/write-shopper-log.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-shopper-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeShopperLog', () => {
  it('reports the shoppers written after every slice, of the population it writes (generate shows it as progress)', async () => {
    const calls: Array<[number, number]> = [];
    const summary = await writeShopperLog('out', join(dir, 'log.csv'), { users: 2500, days: 3, seed: 1 }, (done, users) => calls.push([done, users]));
    expect(calls).toEqual([
      [1000, 2500],
      [2000, 2500],
    ]);
    expect(summary.events).toBeGreaterThan(0);
  });
});
