import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, isRecGymError } from '../../src/core/errors.js';
import { readEventLog } from '../../src/data/read-event-log.js';
import { TIANCHI_HEADER, TianchiCsvWriter } from '../../src/data/tianchi-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const t = (iso: string) => Date.parse(iso) / 1000;

describe('TianchiCsvWriter', () => {
  describe('#append', () => {
    it('writes the header and rows in the exact Tianchi format (UTC hours)', () => {
      const path = join(dir, 'a.csv');
      const writer = new TianchiCsvWriter(path);
      writer.append(10001082, 285259775, 4076, 1, t('2014-12-08T18:59:59Z'));
      writer.append(0, 9, 5, 4, t('2014-11-18T00:00:00Z'));
      writer.append(2 ** 40, 2 ** 31, 2 ** 31 - 1, 2, t('2014-12-18T23:30:00Z'));
      writer.close();
      expect(readFileSync(path, 'latin1')).toBe(
        `${TIANCHI_HEADER}\n` +
          '10001082,285259775,1,,4076,2014-12-08 18\n' +
          '0,9,4,,5,2014-11-18 00\n' +
          '1099511627776,2147483648,2,,2147483647,2014-12-18 23\n',
      );
      expect(writer.rows).toBe(3);
      expect(writer.bytesWritten).toBe(readFileSync(path).length);
    });

    it('writes ids up to 2^53, the largest the readers accept, and reads them back', async () => {
      const path = join(dir, 'max-id.csv');
      const writer = new TianchiCsvWriter(path);
      writer.append(2 ** 53, 2 ** 53 - 1, 2 ** 53, 3, t('2014-12-18T05:00:00Z'));
      writer.close();
      expect(readFileSync(path, 'latin1')).toBe(`${TIANCHI_HEADER}\n9007199254740992,9007199254740991,3,,9007199254740992,2014-12-18 05\n`);
      const { store, rejected } = await readEventLog(path);
      expect(rejected.total).toBe(0);
      expect([store.userIds.rawOf(0), store.itemIds.rawOf(0), store.categoryIds.rawOf(0)]).toEqual([2 ** 53, 2 ** 53 - 1, 2 ** 53]);
    });

    it('flushes a small buffer many times without losing rows', () => {
      const path = join(dir, 'b.csv');
      const writer = new TianchiCsvWriter(path, { bufferBytes: 256 });
      for (let i = 0; i < 1000; i++) writer.append(i, i * 7, i % 13, ((i % 4) + 1) as 1 | 2 | 3 | 4, t('2014-11-18T00:00:00Z') + i * 3600);
      writer.close();
      const lines = readFileSync(path, 'latin1').trimEnd().split('\n');
      expect(lines).toHaveLength(1001);
      expect(lines[1000]).toBe(`999,6993,4,,11,${new Date((t('2014-11-18T00:00:00Z') + 999 * 3600) * 1000).toISOString().slice(0, 13).replace('T', ' ')}`);
    });

    it('rejects negative and fractional ids, and appends after close', () => {
      const writer = new TianchiCsvWriter(join(dir, 'c.csv'));
      expect(() => writer.append(-1, 1, 1, 1, 0)).toThrow(/user_id: expected a non-negative integer <= 2\^53, actual -1/);
      expect(() => writer.append(1, 1.5, 1, 1, 0)).toThrow(/item_id/);
      expect(() => writer.append(1, 2 ** 53 + 2, 1, 1, 0)).toThrow(/item_id: expected a non-negative integer <= 2\^53, actual 9007199254740994/);
      writer.close();
      writer.close();
      expect(() => writer.append(1, 1, 1, 1, 0)).toThrow(expect.objectContaining({ code: ErrorCode.CLOSED }));
    });
  });

  describe('constructor', () => {
    it('fails with a RecGymError naming an unwritable path', () => {
      let caught: unknown;
      try {
        new TianchiCsvWriter(join(dir, 'no-such-dir', 'x.csv'));
      } catch (error) {
        caught = error;
      }
      expect(isRecGymError(caught, ErrorCode.WRITE_FAILED)).toBe(true);
      expect((caught as Error).message).toMatch(/no-such-dir.*ENOENT/);
    });

    it('rejects a buffer too small for a row', () => {
      expect(() => new TianchiCsvWriter(join(dir, 'd.csv'), { bufferBytes: 10 })).toThrow(RangeError);
    });
  });
});
