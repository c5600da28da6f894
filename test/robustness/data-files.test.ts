import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, isRecGymError } from '../../src/core/errors.js';
import { readEventLog, type LoadedLog } from '../../src/data/read-event-log.js';
import { runCli } from '../helpers/collecting-io.js';

// Real users' exports of one Tianchi log: other line ends, encodings, quoting, compression; and files
// that are no log at all. Each either loads with every row or stops with one line naming the problem.

const dir = mkdtempSync(join(tmpdir(), 'recgym-robust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const HEADER = 'user_id,item_id,behavior_type,user_geohash,item_category,time';
const ROWS = 1999;
/** 1,999 rows by 50 users over the nine days [2014-12-10, 2014-12-19), the last day a test day with cases. */
const DATA_ROWS = Array.from({ length: ROWS }, (_, i) => {
  const day = 10 + Math.floor((i * 9) / ROWS);
  return `${i % 50},${100 + (i % 37)},${1 + (i % 4)},9q${i % 7},${i % 5},2014-12-${day} ${String(i % 24).padStart(2, '0')}`;
});
const LF_TEXT = `${[HEADER, ...DATA_ROWS].join('\n')}\n`;
const PLAIN = write('plain.csv', LF_TEXT);

function quoted(line: string, separator = ','): string {
  return line
    .split(',')
    .map((f) => `"${f}"`)
    .join(separator);
}

function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** Every variant holds the same 1,999 events as PLAIN. */
const SAME_EVENTS: Array<[name: string, content: string | Uint8Array]> = [
  ['crlf.csv', LF_TEXT.replace(/\n/g, '\r\n')],
  ['converted-twice.csv', LF_TEXT.replace(/\n/g, '\r\r\n')],
  ['old-mac.csv', LF_TEXT.replace(/\n/g, '\r')],
  ['bom.csv', `\uFEFF${LF_TEXT}`],
  ['bom-crlf.csv', `\uFEFF${LF_TEXT.replace(/\n/g, '\r\n')}`],
  ['utf16le.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(LF_TEXT.replace(/\n/g, '\r\n'), 'utf16le')])],
  ['utf16be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(LF_TEXT)])],
  ['utf16le-no-bom.csv', Buffer.from(LF_TEXT, 'utf16le')],
  ['quoted.csv', `${[HEADER, ...DATA_ROWS].map((l) => quoted(l)).join('\r\n')}\r\n`],
  ['quoted-data-no-header.csv', `${DATA_ROWS.map((l) => quoted(l)).join('\n')}\n`],
  ['semicolons.csv', `${[HEADER, ...DATA_ROWS].map((l) => l.replace(/,/g, ';')).join('\r\n')}\r\n`],
  ['tabs-quoted.csv', `${[HEADER, ...DATA_ROWS].map((l) => quoted(l, '\t')).join('\n')}\n`],
  ['trailing-blank-lines.csv', `${LF_TEXT}\n\n  \n`],
  ['no-final-newline.csv', LF_TEXT.trimEnd()],
  ['no-header.csv', `${DATA_ROWS.join('\n')}\n`],
  ['latin1-geohash.csv', Buffer.from(LF_TEXT.replace(/9q3,/g, 'M\u00fcnchen,'), 'latin1')],
  ['log.csv.gz', gzipSync(LF_TEXT)],
  ['gzip-named-csv.csv', gzipSync(LF_TEXT)],
  ['gzip-utf16-crlf.gz', gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(LF_TEXT.replace(/\n/g, '\r\n'), 'utf16le')]))],
  ['two-gzip-members.gz', Buffer.concat([gzipSync(LF_TEXT.slice(0, 30_001)), gzipSync(LF_TEXT.slice(30_001))])],
];

function content(log: LoadedLog) {
  const s = log.store;
  return {
    rows: log.rows,
    rejected: log.rejected.total,
    users: Array.from(s.users),
    items: Array.from(s.items),
    categories: Array.from(s.categories),
    behaviors: Array.from(s.behaviors),
    times: Array.from(s.times),
  };
}

/** Asserts a failed command printed exactly one line, named the file, and showed no stack trace or raw control byte. */
function expectOneLine(stderr: string, file: string): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toContain(file);
  expect(stderr).not.toMatch(/\n\s+at |Error:/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find raw control bytes
  expect(stderr.trimEnd()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
}

describe('real-world exports of one log', () => {
  const plain = readEventLog(PLAIN).then(content);

  it.each(SAME_EVENTS)('%s loads every row, as the plain file does', async (name, text) => {
    const path = write(name, text);
    const expected = await plain;
    expect(expected.rows).toBe(ROWS);
    expect(content(await readEventLog(path))).toEqual(expected);
    // Small chunks put line ends, quotes, UTF-16 pairs and gzip blocks across reads.
    expect(content(await readEventLog(path, { chunkBytes: 61 }))).toEqual(expected);
  });

  it.each(SAME_EVENTS.filter(([name]) => /converted-twice|old-mac|utf16be|quoted\.csv|gzip-named/.test(name)))(
    'recgym data stats %s reports every row and no skipped one',
    async (name, text) => {
      const path = write(`cli-${name}`, text);
      const { code, stdout, stderr } = await runCli(['data', 'stats', path, '--json']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ rows: ROWS, events: ROWS, rejected: { total: 0 }, testDay: '2014-12-18' });
    },
  );
});

const gzipped = gzipSync(LF_TEXT);
const corrupt = Buffer.from(gzipped);
for (let i = 40; i < 60; i++) corrupt[i] ^= 0x5a;
const ESCAPES = Buffer.from('\u001b[2J\u001b]0;owned\u0007', 'latin1');

/** Files that are no readable log: the command exits 1 with one line saying what the file is. */
const REFUSED: Array<[name: string, code: string, content: Uint8Array, message: RegExp]> = [
  ['truncated.csv.gz', ErrorCode.CORRUPT_FILE, gzipped.subarray(0, gzipped.length >> 1), /expected a complete gzip file, actual one cut short/],
  ['corrupt.csv.gz', ErrorCode.CORRUPT_FILE, corrupt, /expected valid gzip data, actual corrupt compressed data \(zlib: /],
  ['export.zip', ErrorCode.UNSUPPORTED_FILE, Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.alloc(26), Buffer.from(LF_TEXT)]), /actual a zip archive; unzip it first \(unzip .*export\.zip\)/],
  ['book.xlsx', ErrorCode.UNSUPPORTED_FILE, Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.alloc(60, 7)]), /actual a spreadsheet workbook \(a zip archive\); save it as CSV/],
  ['log.csv.bz2', ErrorCode.UNSUPPORTED_FILE, Buffer.from('BZh91AY&SY\u0000\u0001', 'latin1'), /actual a bzip2-compressed file; decompress it first/],
  ['image.bin', ErrorCode.UNSUPPORTED_FILE, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]), ESCAPES, Buffer.alloc(40, 1)]), /actual binary data \(a NUL byte at byte 5\)/],
  ['noise.bin', ErrorCode.UNSUPPORTED_FILE, Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 32 || 1)), /actual binary data \(\d+ control bytes in the first 300, the first at byte 1\)/],
  ['gzip-of-binary.csv.gz', ErrorCode.UNSUPPORTED_FILE, gzipSync(Buffer.concat([Buffer.from('1,2,3\n'), Buffer.alloc(20), ESCAPES])), /actual binary data after gunzip \(a NUL byte at byte 7\)/],
];

describe('files that are no log', () => {
  it.each(REFUSED)('%s: the loader throws %s naming it', async (name, code, bytes, message) => {
    const path = write(name, bytes);
    const error = await readEventLog(path).catch((e: unknown) => e);
    expect(isRecGymError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
  });

  it.each(REFUSED)('recgym data stats %s exits 1 with one line and no byte of it', async (name, _code, bytes, message) => {
    const path = write(`cli-${name}`, bytes);
    const { code, stdout, stderr } = await runCli(['data', 'stats', path]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expectOneLine(stderr, path);
    expect(stderr).toMatch(message);
    expect(stderr).not.toContain('owned');
  });
});

describe('bad fields', () => {
  it('says a Tianchi time out of range is out of range, at its file and line', async () => {
    const path = write('2099.csv', `${LF_TEXT}7,100,1,,3,2099-01-01 02\n`);
    const log = await readEventLog(path);
    expect(log.store.length).toBe(ROWS);
    expect(log.rejected.byReason.badTime.firstMessage).toBe(
      `${path}:${ROWS + 2}: time: out of range: expected a time from 1970-01-01 00 to 2038-01-19 03 UTC (the store keeps 32-bit unix seconds), actual "2099-01-01 02"`,
    );
    const { code, stderr } = await runCli(['data', 'stats', path, '--strict']);
    expect(code).toBe(1);
    expectOneLine(stderr, `${path}:${ROWS + 2}: time: out of range`);
  });

  it('escapes control, C1 and bidi characters of a bad field instead of printing them', async () => {
    const bad = Buffer.concat([Buffer.from('7,1'), ESCAPES, Buffer.from('\u009b2J\u202e\u00e9,1,,3,2014-12-18 02\n', 'utf8')]);
    const path = write('escapes.csv', Buffer.concat([Buffer.from(LF_TEXT), bad]));
    const { code, stderr } = await runCli(['data', 'stats', path, '--strict']);
    expect(code).toBe(1);
    expectOneLine(stderr, `${path}:${ROWS + 2}: item_id: expected a non-negative integer <= 2^53, actual "1\\u001b[2J\\u001b]0;owned\\u0007\\u009b2J\\u202e\u00e9"`);
  });

  it('rejects, with an escaped message, a row with a NUL and a line separator past the part of the file checked for binary data', async () => {
    const path = write('late-nul.csv', `${LF_TEXT}${LF_TEXT.slice(HEADER.length + 1).repeat(40)}7,1\u0000\u2028,1,,3,2014-12-18 02\n`);
    const log = await readEventLog(path);
    expect(log.rejected.total).toBe(1);
    expect(log.rejected.byReason.badId.firstMessage).toMatch(/item_id: expected a non-negative integer <= 2\^53, actual "1\\u0000\\u2028"$/);
  });
});

describe('the test window', () => {
  const outlier = write('outlier-2038.csv', `${LF_TEXT}7,100,1,,3,2038-01-19 03\n`);

  it('warns, in one line, when one outlier timestamp moves the default test day', async () => {
    const { code, stdout, stderr } = await runCli(['data', 'stats', outlier, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ testDay: '2038-01-19', testEvents: 1 });
    expect(stderr).toBe(
      'warning: the test day 2038-01-19 holds 1 event, 0.5 % of the 200 a typical day puts in a day (an outlier timestamp, or a partial day?); ' +
        'the last day with a typical number of events is 2014-12-18: pass --test-day 2014-12-18, or --test-start for a window within a day\n',
    );
    const chosen = await runCli(['data', 'stats', outlier, '--json', '--test-day', '2014-12-18']);
    expect(chosen.stderr).toBe('');
  });

  it('warns when recgym eval evaluates the outlier day, and stops when its window has no case', async () => {
    const thin = await runCli(['eval', '--agent', 'recent', '--protocol', 'full', '--resamples', '10', '--data', outlier, '--json']);
    expect(thin.code).toBe(0);
    expect(JSON.parse(thin.stdout).cases.total).toBe(1);
    expect(thin.stderr).toMatch(/^warning: the test day 2038-01-19 holds 1 event, .*pass --test-day 2014-12-18/);
    const none = await runCli(['eval', '--agent', 'recent', '--protocol', 'full', '--data', outlier, '--test-day', '2014-12-20']);
    expect(none.code).toBe(1);
    expectOneLine(none.stderr, outlier);
    expect(none.stderr).toContain('expected test cases (test-window events of users with a training event), actual none; the test day 2014-12-20 has no test case (0 events');
  });

  it('stops recgym compare before training when the test window has no case', async () => {
    const { code, stdout, stderr } = await runCli(['compare', '--data', outlier, '--test-day', '2014-12-20', '--out', join(dir, 'compare-none')]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expectOneLine(stderr, `recgym compare: ${outlier}: expected test cases`);
  });

  it('takes --test-start on recgym train and warns there too', async () => {
    const out = join(dir, 'train-thin');
    const { code, stderr } = await runCli(['train', '--agent', 'ranker', '--epochs', '1', '--data', outlier, '--test-start', '2014-12-18T23:30', '--out', out]);
    expect(code).toBe(0);
    expect(stderr).toContain(
      'recgym train: warning: the test window [2014-12-18T23:30:00Z, 2014-12-19T00:00:00Z) has no test case (0 events, none by a user with an event before it); pass --test-day or --test-start to choose another test window\n',
    );
    const unknown = await runCli(['train', '--agent', 'ranker', '--data', outlier, '--test-start', 'noon', '--out', out]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('recgym train: --test-start: expected a UTC time YYYY-MM-DDTHH:MM, actual "noon"');
  });

  it('warns about a log of one 2-hour slice, and takes --test-start on data stats', async () => {
    const slice = write('slice.csv', `${HEADER}\n${DATA_ROWS.map((r, i) => r.replace(/2014-12-\d\d \d\d$/, `2014-12-10 0${i < 1000 ? 0 : 1}`)).join('\n')}\n`);
    const whole = await runCli(['data', 'stats', slice, '--json']);
    expect(whole.code).toBe(0);
    expect(JSON.parse(whole.stdout).testCases).toMatchObject({ cases: 0 });
    expect(whole.stderr).toBe(
      `warning: the test day 2014-12-10 has no test case (1,999 events, none by a user with an event before it); the log has events on one day only: pass --test-start YYYY-MM-DDTHH:MM to test on the end of it\n`,
    );
    const windowed = await runCli(['data', 'stats', slice, '--json', '--test-start', '2014-12-10T01:00']);
    expect(windowed.stderr).toBe('');
    expect(windowed.code).toBe(0);
    expect(JSON.parse(windowed.stdout)).toMatchObject({
      testWindow: { start: '2014-12-10T01:00:00Z', end: '2014-12-11T00:00:00Z' },
      trainEvents: 1000,
      testEvents: 999,
      testCases: { cases: 999 },
    });
    const table = await runCli(['data', 'stats', slice, '--test-start', '2014-12-10T01:00']);
    expect(table.stdout).toMatch(/^test window +\[2014-12-10T01:00:00Z, 2014-12-11T00:00:00Z\): 999 events of 50 users$/m);
  });

  it.each([
    [['--test-start', '2014-12-10 1am'], '--test-start: expected a UTC time YYYY-MM-DDTHH:MM, actual "2014-12-10 1am"'],
    [['--test-start', '2014-12-10T01:00', '--test-day', '2014-12-10'], 'expected --test-day or --test-start, actual both'],
  ])('data stats %j exits 2 naming the flag', async (args, message) => {
    const { code, stderr } = await runCli(['data', 'stats', PLAIN, ...args]);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(`recgym data stats: ${message}`);
  });
});
