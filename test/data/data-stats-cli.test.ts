import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/collecting-io.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-stats-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const run = runCli;

const LOG = write(
  'tiny.csv',
  [
    'user_id,item_id,behavior_type,user_geohash,item_category,time',
    '10,100,1,,7,2014-12-16 05',
    '10,101,3,,7,2014-12-17 10',
    '10,101,4,,7,2014-12-18 01',
    '20,100,2,,7,2014-12-16 05',
    '30,102,1,,8,2014-12-18 23',
    '30,100,1,,7,2014-12-17',
  ].join('\n'),
);

describe('recgym data stats', () => {
  it('prints one JSON object with the stats and the rejects', async () => {
    const { code, stdout, stderr } = await run(['data', 'stats', LOG, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const stats = JSON.parse(stdout);
    expect(stats).toMatchObject({
      file: LOG,
      format: 'tianchi',
      rows: 6,
      events: 5,
      users: 3,
      items: 3,
      categories: 2,
      behaviors: { click: 2, favorite: 1, cart: 1, purchase: 1 },
      firstTime: '2014-12-16T05:00:00Z',
      lastTime: '2014-12-18T23:00:00Z',
      testDay: '2014-12-18',
      trainEvents: 3,
      testEvents: 2,
      rejected: {
        total: 1,
        byReason: { badTime: { count: 1, firstLines: [7], firstMessage: `${LOG}:7: time: expected a UTC time YYYY-MM-DD HH, actual "2014-12-17"` } },
      },
    });
    expect(stats.loadSeconds).toBeGreaterThanOrEqual(0);
    expect(stats.memory).toBeUndefined();
  });

  it('takes --test-day and --format', async () => {
    const { code, stdout } = await run(['data', 'stats', LOG, '--json', '--test-day', '2014-12-17', '--format', 'tianchi']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ testDay: '2014-12-17', trainEvents: 2, testEvents: 1, laterEvents: 2 });
  });

  it('prints a readable table without --json', async () => {
    const { code, stdout } = await run(['data', 'stats', LOG]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^format +tianchi$/m);
    expect(stdout).toMatch(/^behaviors +click 2, favorite 1, cart 1, purchase 1$/m);
    expect(stdout).toMatch(/skipped badTime\s+1, lines 7; first: .*:7: time: expected/);
  });

  it('draws progress on stderr only for a terminal', async () => {
    const { stderr } = await run(['data', 'stats', LOG, '--json'], true);
    expect(stderr).toContain('reading');
  });

  it('exits 1 with a one-line message for a missing, empty or unrecognised file, or a bad row with --strict', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[join(dir, 'missing.csv')], /^recgym data stats: .*missing\.csv: expected a readable log file, actual no such file\n$/],
      [[write('empty.csv', '')], /^recgym data stats: .*empty\.csv: expected data rows, actual an empty file\n$/],
      [[write('odd.csv', 'a;b;c\n1;2;3\n')], /^recgym data stats: .*odd\.csv: unrecognised log format; expected one of/],
      [[LOG, '--strict'], /^recgym data stats: .*tiny\.csv:7: time: expected a UTC time YYYY-MM-DD HH, actual "2014-12-17"\n$/],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await run(['data', 'stats', ...args, '--json']);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('exits 2 for bad flags', async () => {
    for (const args of [[], [LOG, '--format', 'csv'], [LOG, '--test-day', '18-12-2014'], [LOG, '--bogus'], [LOG, LOG]]) {
      const { code, stderr } = await run(['data', 'stats', ...args]);
      expect(code).toBe(2);
      expect(stderr).toContain('usage: recgym data stats FILE');
    }
  });
});
