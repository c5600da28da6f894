import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { containerOf, encodingOf, refuseBinary } from '../../src/data/file-kind.js';

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('containerOf', () => {
  it('tells gzip by its magic bytes, whatever the name', () => {
    expect(containerOf(Uint8Array.from([0x1f, 0x8b, 8, 0]), 'log.csv')).toBe('gzip');
    expect(containerOf(Buffer.from('user_id,item_id'), 'log.gz')).toBe('plain');
    expect(containerOf(new Uint8Array(0), 'empty.csv')).toBe('plain');
  });

  it.each([
    ['PK\u0003\u0004', 'a.zip', 'a zip archive; unzip it first (unzip a.zip) and pass the CSV file inside'],
    ['PK\u0003\u0004', 'a.xlsx', 'a spreadsheet workbook (a zip archive); save it as CSV (comma-separated) first'],
    ['BZh9', 'a.bz2', 'a bzip2-compressed file; decompress it first (bunzip2 -k a.bz2)'],
    ['\u00fd7zXZ\u0000', 'a.xz', 'an xz-compressed file; decompress it first (unxz -k a.xz)'],
    ['\u0028\u00b5\u002f\u00fd', 'a.zst', 'a zstd-compressed file; decompress it first (unzstd a.zst)'],
    ['7z\u00bc\u00af\u0027\u001c', 'a.7z', 'a 7-Zip archive; extract it first (7z x a.7z) and pass the CSV file inside'],
    ['\u00d0\u00cf\u0011\u00e0\u00a1\u00b1\u001a\u00e1', 'a.xls', 'an OLE2 document (an old Excel .xls workbook?); save it as CSV (comma-separated) first'],
  ])('refuses %j (%s) naming what it is and what to do', (magic, file, actual) => {
    expect(thrown(() => containerOf(Buffer.from(magic, 'latin1'), file))).toBe(
      `${ErrorCode.UNSUPPORTED_FILE}: ${file}: expected a CSV log (plain text or gzip-compressed), actual ${actual}`,
    );
  });
});

describe('encodingOf', () => {
  it('reads byte-order marks', () => {
    expect(encodingOf(Buffer.from('\uFEFF1,2'))).toEqual({ encoding: 'utf8', bomBytes: 3 });
    expect(encodingOf(Uint8Array.from([0xff, 0xfe, 0x31, 0]))).toEqual({ encoding: 'utf16le', bomBytes: 2 });
    expect(encodingOf(Uint8Array.from([0xfe, 0xff, 0, 0x31]))).toEqual({ encoding: 'utf16be', bomBytes: 2 });
  });

  it('recognises UTF-16 without a mark by its NUL byte in every other position', () => {
    expect(encodingOf(Buffer.from('1,2,1,,3,2014-12-18 02\n', 'utf16le'))).toEqual({ encoding: 'utf16le', bomBytes: 0 });
    expect(encodingOf(Buffer.from('1,2,1,,3,2014-12-18 02\n', 'utf16le').swap16())).toEqual({ encoding: 'utf16be', bomBytes: 0 });
  });

  it('takes anything else as UTF-8: Latin-1 bytes, binary data, one byte', () => {
    expect(encodingOf(Buffer.from('1,2,1,M\u00fcnchen,3,2014-12-18 02\n', 'latin1')).encoding).toBe('utf8');
    expect(encodingOf(Uint8Array.from([0, 0, 0, 0, 7, 0, 1, 2])).encoding).toBe('utf8');
    expect(encodingOf(Uint8Array.from([0x31])).encoding).toBe('utf8');
  });
});

describe('refuseBinary', () => {
  it('accepts text with tabs, line ends and a stray control byte', () => {
    expect(thrown(() => refuseBinary(Buffer.from(`a\tb\r\nc\u0007d\n${'1,2\n'.repeat(30)}\u0007\n`), 'f'))).toBe('no error');
  });

  it('refuses a NUL byte or many control bytes, giving where, never the bytes', () => {
    expect(thrown(() => refuseBinary(Buffer.from('1,2\n\u0000\u001b[2J'), 'f.csv'))).toBe(
      `${ErrorCode.UNSUPPORTED_FILE}: f.csv: expected a CSV log (plain text or gzip-compressed), actual binary data (a NUL byte at byte 5)`,
    );
    expect(thrown(() => refuseBinary(Buffer.from('ab\u0001\u0002\u0003cdefgh'), 'f.csv', 'after gunzip'))).toMatch(
      /actual binary data after gunzip \(3 control bytes in the first 11, the first at byte 3\)$/,
    );
  });
});
