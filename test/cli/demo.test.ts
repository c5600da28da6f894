import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { collectingIo } from '../helpers/collecting-io.js';
import { readEventLog } from '../../src/data/read-event-log.js';
import { createDefaultEventStore } from '../../src/sim/default-data.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recgym demo', () => {
  let code = -1;
  let text = '';
  beforeAll(async () => {
    const io = collectingIo();
    code = await main(['demo', '--out', dir], io);
    text = io.out;
  });

  it('generates the default data, prints its stats, rolls a random agent and evaluates the baselines', () => {
    expect(code).toBe(0);
    expect(text).toContain('test day    2014-12-18');
    const rates = [...text.matchAll(/hit rate (\d\.\d+) \(expected 1\/5 = 0\.2000\)/g)].map((m) => Number(m[1]));
    expect(rates).toHaveLength(2);
    for (const rate of rates) expect(Math.abs(rate - 0.2)).toBeLessThan(0.02);
    expect(text).toMatch(/protocol full \(K=20\)/);
    expect(text).toMatch(/protocol seed \(K=4\)/);
    expect(text).toMatch(/^recent\s+0\.\d+ \[/m);
  });

  it('writes a log that loads into the same store as the embedded default data', async () => {
    const { store } = await readEventLog(join(dir, 'default-tianchi.csv'));
    const embedded = createDefaultEventStore();
    expect(store.length).toBe(embedded.length);
    expect(store.users).toEqual(embedded.users);
    expect(store.items).toEqual(embedded.items);
    expect(store.categories).toEqual(embedded.categories);
    expect(store.behaviors).toEqual(embedded.behaviors);
    expect(store.times).toEqual(embedded.times);
    expect(store.itemIds.rawIds()).toEqual(embedded.itemIds.rawIds());
  });

  it('rejects an --out that cannot be created, naming the flag as typed (--out-dir is its old name)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    for (const flag of ['--out', '--out-dir']) {
      const io = collectingIo();
      const exitCode = await main(['demo', flag, join(file, 'results')], io);
      expect(exitCode).toBe(1);
      expect(io.err).toBe(`recgym demo: ${flag} ${join(file, 'results')}: expected a writable directory, actual ${file} is a file\n`);
    }
  });

  it('refuses --out and --out-dir together (exit 2)', async () => {
    const io = collectingIo();
    expect(await main(['demo', '--out', dir, '--out-dir', dir], io)).toBe(2);
    expect(io.err.split('\n')[0]).toBe('recgym demo: --out-dir: expected --out or its old name --out-dir, actual both');
  });
});
