import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/collecting-io.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-generate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...argv: string[]) => runCli(argv);

const ROW = /^(\d+),(\d+),([1-4]),,(\d+),(\d{4}-\d{2}-\d{2}) (\d{2})$/;

describe('recgym generate', () => {
  it('writes the same bytes for the same seed and other bytes for another seed', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const c = join(dir, 'c.csv');
    const args = ['--users', '200', '--days', '5', '--items', '500', '--categories', '20'];
    expect((await run('generate', ...args, '--seed', '3', '--out', a)).code).toBe(0);
    expect((await run('generate', ...args, '--seed', '3', '--out', b)).code).toBe(0);
    expect((await run('generate', ...args, '--seed', '4', '--out', c)).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
  });

  it('writes a parseable Tianchi log within the day range and reports it', async () => {
    const out = join(dir, 'd.csv');
    const result = await run('generate', '--users', '300', '--days', '3', '--start', '2014-12-16', '--seed', '1', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^wrote [\d,]+ events \(\d+ users, .*click \d+\.\d %.*d\.csv/);
    const lines = readFileSync(out, 'latin1').split('\n');
    expect(lines[0]).toBe('user_id,item_id,behavior_type,user_geohash,item_category,time');
    expect(lines.at(-1)).toBe('');
    const days = new Set<string>();
    for (const line of lines.slice(1, -1)) {
      const match = ROW.exec(line);
      expect(match, line).not.toBeNull();
      expect(line.split(',')).toHaveLength(6);
      days.add(match![5]);
      expect(Number(match![6])).toBeLessThan(24);
    }
    expect([...days].sort()).toEqual(['2014-12-16', '2014-12-17', '2014-12-18']);
  });

  it('prints one JSON object with --json', async () => {
    const out = join(dir, 'e.csv');
    const result = await run('generate', '--users', '50', '--days', '2', '--out', out, '--json');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    const rows = readFileSync(out, 'latin1').trimEnd().split('\n').length - 1;
    expect(summary).toMatchObject({ events: rows, file: out, bytes: readFileSync(out).length });
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining(['events', 'users', 'items', 'categories', 'behaviors', 'file', 'bytes', 'seconds']),
    );
    expect(Object.values(summary.behaviors as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(rows);
  });

  it.each([
    [['--users', '0', '--out', 'x.csv'], /--users: expected an integer >= 1/],
    [['--users', 'many', '--out', 'x.csv'], /--users/],
    [['--users', '10'], /--out: expected a file path/],
    [['--out', 'x.csv', '--start', '2014-11-31'], /--start: expected a date YYYY-MM-DD, actual "2014-11-31"/],
    [['--out', 'x.csv', '--bogus'], /bogus/],
  ])('exits 2 with the usage for %j', async (...argv) => {
    const result = await run('generate', ...(argv[0] as string[]));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(argv[1] as RegExp);
    expect(result.stderr).toContain('usage: recgym generate');
  });

  it('exits 1 with a clear message when --out cannot be written', async () => {
    const file = join(dir, 'in-the-way');
    writeFileSync(file, '');
    const out = join(file, 'x.csv');
    const result = await run('generate', '--users', '5', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`recgym generate: --out ${out}: expected a file in a writable directory, actual ${file} is a file\n`);
  });
});
