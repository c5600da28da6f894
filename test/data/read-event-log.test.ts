import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, isRecGymError } from '../../src/core/errors.js';
import { parseEventLog, readEventLog, type LoadedLog } from '../../src/data/read-event-log.js';
import { TianchiCsvWriter } from '../../src/data/tianchi-writer.js';
import { createRng } from '../../src/core/rng.js';
import type { BehaviorCode } from '../../src/data/behavior.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function writeLog(content: string | Uint8Array): string {
  const path = join(dir, `log-${fileCount++}.csv`);
  writeFileSync(path, content);
  return path;
}

function snapshot(log: LoadedLog) {
  const s = log.store;
  return {
    rows: log.rows,
    format: log.format,
    rejected: log.rejected,
    users: Array.from(s.users),
    items: Array.from(s.items),
    categories: Array.from(s.categories),
    behaviors: Array.from(s.behaviors),
    times: Array.from(s.times),
    userIds: Array.from(s.userIds.rawIds()),
    itemIds: Array.from(s.itemIds.rawIds()),
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isRecGymError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

const TIANCHI = [
  'user_id,item_id,behavior_type,user_geohash,item_category,time',
  '10,100,1,,7,2014-12-06 02',
  '20,200,2,9qwe1,8,2014-12-07 03',
  '10,101,4,,7,2014-12-06 01',
  '',
  '10,100,9,,7,2014-12-06 02',
  '30,300,3,,9,2014-12-18 23',
].join('\r\n');

describe('readEventLog', () => {
  it('gives the same result as parseEventLog for every chunk size, rows split across chunks included', async () => {
    const path = writeLog(`\uFEFF${TIANCHI}`);
    const expected = snapshot(parseEventLog(`\uFEFF${TIANCHI}`, { file: path }));
    expect(expected.rows).toBe(5);
    expect(expected.rejected.byReason.unknownBehavior.firstLines).toEqual([6]);
    for (const chunkBytes of [8, 9, 13, 31, 64, 1 << 20]) {
      expect(snapshot(await readEventLog(path, { chunkBytes }))).toEqual(expected);
    }
  });

  it('reads back exactly what TianchiCsvWriter wrote (seeded random events)', async () => {
    const path = join(dir, 'written.csv');
    const writer = new TianchiCsvWriter(path, { bufferBytes: 256 });
    const rng = createRng(11);
    const written: number[][] = [];
    for (let i = 0; i < 500; i++) {
      const row = [rng.nextInt(40), rng.nextInt(2 ** 32) * 1000 + rng.nextInt(1000), rng.nextInt(9000), 1 + rng.nextInt(4), 1416268800 + 3600 * rng.nextInt(31 * 24)];
      writer.append(row[0], row[1], row[2], row[3] as BehaviorCode, row[4]);
      written.push(row);
    }
    writer.close();
    const log = await readEventLog(path, { chunkBytes: 100 });
    const s = log.store;
    const read = Array.from({ length: s.length }, (_, i) => [s.userIds.rawOf(s.users[i]), s.itemIds.rawOf(s.items[i]), s.categoryIds.rawOf(s.categories[i]), s.behaviors[i], s.times[i]]);
    const key = (r: number[]) => r.join(',');
    expect(read.map(key).sort()).toEqual(written.map(key).sort());
    expect([log.format, log.rows, log.rejected.total]).toEqual(['tianchi', 500, 0]);
  });

  it('reads a line longer than the chunk by growing its buffer', async () => {
    const geohash = 'g'.repeat(5000);
    const path = writeLog(`1,2,1,${geohash},3,2014-12-06 02\n4,5,1,,6,2014-12-06 03\n`);
    const log = await readEventLog(path, { chunkBytes: 16, format: 'tianchi' });
    expect(log.store.length).toBe(2);
    expect(log.rejected.total).toBe(0);
  });

  it('reports progress up to the file size', async () => {
    const path = writeLog(TIANCHI);
    const calls: Array<[number, number]> = [];
    await readEventLog(path, { chunkBytes: 50, onProgress: (read, total) => calls.push([read, total]) });
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.at(-1)).toEqual([Buffer.byteLength(TIANCHI), Buffer.byteLength(TIANCHI)]);
    expect(calls.every(([read], i) => i === 0 || read > calls[i - 1][0])).toBe(true);
  });

  it('honours --format over detection', async () => {
    const path = writeLog('1,2,1,,3,2014-12-06 02\n1,2,3,pv,1511544070\n4,5,1,,6,2014-12-06 03\n');
    const detected = await readEventLog(path);
    expect([detected.format, detected.store.length, detected.rejected.byReason.columnCount.firstLines]).toEqual(['tianchi', 2, [2]]);
    const forced = await readEventLog(path, { format: 'userbehavior' });
    expect([forced.format, forced.store.length, forced.rejected.byReason.columnCount.firstLines]).toEqual(['userbehavior', 1, [1, 3]]);
  });

  it('stops at the first bad row when strict', async () => {
    const path = writeLog(TIANCHI);
    expect(await codeOf(readEventLog(path, { strict: true, chunkBytes: 8 }))).toBe(
      `${ErrorCode.BAD_ROW}: ${path}:6: behavior_type: expected 1, 2, 3 or 4, actual "9"`,
    );
  });

  describe('errors', () => {
    it('FILE_NOT_FOUND for a missing file or a directory', async () => {
      const missing = join(dir, 'nope.csv');
      expect(await codeOf(readEventLog(missing))).toBe(`${ErrorCode.FILE_NOT_FOUND}: ${missing}: expected a readable log file, actual no such file`);
      const sub = join(dir, 'sub');
      mkdirSync(sub);
      expect(await codeOf(readEventLog(sub))).toMatch(/^RECGYM_ERR_FILE_NOT_FOUND: .*(a directory|EISDIR)/);
    });

    it('EMPTY_FILE for no bytes, only blank lines, or only a header', async () => {
      for (const content of ['', '\n\r\n  \n', '\uFEFF']) {
        const path = writeLog(content);
        expect(await codeOf(readEventLog(path))).toBe(`${ErrorCode.EMPTY_FILE}: ${path}: expected data rows, actual an empty file`);
      }
      const headerOnly = writeLog('timestamp,visitorid,event,itemid,transactionid\r\n');
      expect(await codeOf(readEventLog(headerOnly))).toBe(
        `${ErrorCode.EMPTY_FILE}: ${headerOnly}: expected data rows, actual only a header line`,
      );
    });

    it('UNKNOWN_FORMAT naming the first line', async () => {
      const path = writeLog('session,item,price\n1,2,3.5\n');
      const message = await codeOf(readEventLog(path));
      expect(message.startsWith(`${ErrorCode.UNKNOWN_FORMAT}: ${path}: unrecognised log format`)).toBe(true);
      expect(message).toContain('actual first line "session,item,price" (pass --format to choose one)');
    });

    it('reads past more than the detection sample of blank lines when the format is given', async () => {
      const blank = '\n'.repeat(70_000);
      const path = writeLog(`${blank}1,2,3,pv,1511544070\n`);
      expect(await codeOf(readEventLog(path))).toMatch(/^RECGYM_ERR_UNKNOWN_FORMAT: .*actual only blank lines in the first 65536 bytes/s);
      const log = await readEventLog(path, { format: 'userbehavior' });
      expect([log.rows, log.store.length]).toEqual([1, 1]);
      expect(log.rejected.total).toBe(0);
    });

    it('NO_EVENTS when every row is rejected (a wrong --format)', async () => {
      const path = writeLog('1,2,3,pv,1511544070\n1,2,3,pv,1511544071\n');
      expect(await codeOf(readEventLog(path, { format: 'retailrocket' }))).toBe(
        `${ErrorCode.NO_EVENTS}: ${path}: every data row was rejected when read as retailrocket ` +
          `(2 rows skipped: 2 unknownBehavior (lines 1, 2)); first: ${path}:1: event: expected view, addtocart or transaction, actual "3"`,
      );
    });

    it('TypeError/RangeError for bad options', async () => {
      await expect(readEventLog('x', { format: 'csv' as never })).rejects.toThrow(TypeError);
      await expect(readEventLog('x', { chunkBytes: 4 })).rejects.toThrow(RangeError);
    });
  });
});

describe('parseEventLog', () => {
  it('accepts bytes as well as text', () => {
    const bytes = new TextEncoder().encode(TIANCHI);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(snapshot(parseEventLog(padded.subarray(5, 5 + bytes.length)))).toEqual(snapshot(parseEventLog(TIANCHI)));
  });

  it('parses any chunking of random valid and invalid rows like the whole text (property)', async () => {
    const row = fc.oneof(
      fc.tuple(fc.nat(50), fc.nat(1000), fc.integer({ min: 1, max: 4 }), fc.nat(20), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 1, max: 31 })).map(
        ([u, i, b, c, h, d]) => `${u},${i},${b},,${c},2014-12-${String(d).padStart(2, '0')} ${String(h).padStart(2, '0')}`,
      ),
      fc.constantFrom('', '1,2', '1,2,x,,3,2014-12-06 02', '1,2,1,,3,2014-12-06 02,9', '\r'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), fc.boolean(), fc.integer({ min: 8, max: 70 }), async (rows, crlf, chunkBytes) => {
        const text = `1,1,1,,1,2014-12-01 00${crlf ? '\r\n' : '\n'}${rows.join(crlf ? '\r\n' : '\n')}`;
        const path = writeLog(text);
        const whole = parseEventLog(text, { file: path });
        expect(snapshot(await readEventLog(path, { chunkBytes }))).toEqual(snapshot(whole));
        const valid = rows.filter((r) => /^\d+,\d+,[1-4],,\d+,2014-12-\d\d (0\d|1\d|2[0-3])$/.test(r)).length;
        expect(whole.store.length).toBe(valid + 1);
        expect(whole.rows).toBe(1 + rows.filter((r) => r.trim() !== '').length);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
