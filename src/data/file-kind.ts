import { ErrorCode, RecGymError } from '../core/errors.js';

/** How a log's bytes are packed: as they are, or gzip-compressed (read through `node:zlib`). */
export type Container = 'plain' | 'gzip';

/** Text encodings a log is read in; UTF-16 is decoded to UTF-8 before parsing. */
export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be';

/** Bytes needed at the head of a file to recognise its container. */
export const MAGIC_BYTES = 8;

interface Refused {
  magic: readonly number[];
  what: string;
  advice: (file: string) => string;
}

/** Containers recgym does not read, by their magic bytes, with what to do instead. */
const REFUSED: readonly Refused[] = [
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive', advice: (f) => `unzip it first (unzip ${f}) and pass the CSV file inside` },
  { magic: [0x50, 0x4b, 0x05, 0x06], what: 'an empty zip archive', advice: () => 'pass the CSV file itself' },
  { magic: [0x42, 0x5a, 0x68], what: 'a bzip2-compressed file', advice: (f) => `decompress it first (bunzip2 -k ${f})` },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz-compressed file', advice: (f) => `decompress it first (unxz -k ${f})` },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd-compressed file', advice: (f) => `decompress it first (unzstd ${f})` },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive', advice: (f) => `extract it first (7z x ${f}) and pass the CSV file inside` },
  {
    magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    what: 'an OLE2 document (an old Excel .xls workbook?)',
    advice: () => 'save it as CSV (comma-separated) first',
  },
];

const EXPECTED = 'expected a CSV log (plain text or gzip-compressed)';

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  if (head.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[i] !== magic[i]) return false;
  return true;
}

/**
 * The container of a file from its first {@link MAGIC_BYTES} bytes (not its name): gzip (1f 8b) or
 * plain. Zip (an .xlsx workbook is one), bzip2, xz, zstd, 7-Zip and OLE2 files are refused with a
 * RecGymError UNSUPPORTED_FILE that names what the file is and what to do.
 */
export function containerOf(head: Uint8Array, file: string): Container {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  for (const refused of REFUSED) {
    if (!startsWith(head, refused.magic)) continue;
    const isWorkbook = refused.magic[0] === 0x50 && /\.(xlsx|xlsm|ods)$/i.test(file);
    const actual = isWorkbook ? 'a spreadsheet workbook (a zip archive)' : refused.what;
    const advice = isWorkbook ? 'save it as CSV (comma-separated) first' : refused.advice(file);
    throw new RecGymError(ErrorCode.UNSUPPORTED_FILE, `${file}: ${EXPECTED}, actual ${actual}; ${advice}`);
  }
  return 'plain';
}

/** The encoding of a log from its first bytes and the length of its byte-order mark. */
export interface EncodingGuess {
  encoding: TextEncoding;
  /** Bytes of the byte-order mark at the start (0 when none). */
  bomBytes: number;
}

/** Byte pairs looked at to recognise UTF-16 without a byte-order mark. */
const UTF16_PROBE_PAIRS = 512;

/**
 * The text encoding of a log from its first bytes: a UTF-8 or UTF-16 byte-order mark decides; without
 * one, mostly-ASCII UTF-16 shows as a NUL byte in every other position; anything else is read as
 * UTF-8 (Latin-1 bytes in a field are kept as they are).
 */
export function encodingOf(head: Uint8Array): EncodingGuess {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', bomBytes: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bomBytes: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bomBytes: 2 };
  const pairs = Math.min(UTF16_PROBE_PAIRS, head.length >> 1);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenZeros++;
    if (head[2 * i + 1] === 0) oddZeros++;
  }
  if (pairs >= 2 && oddZeros * 2 > pairs && evenZeros * 20 < pairs) return { encoding: 'utf16le', bomBytes: 0 };
  if (pairs >= 2 && evenZeros * 2 > pairs && oddZeros * 20 < pairs) return { encoding: 'utf16be', bomBytes: 0 };
  return { encoding: 'utf8', bomBytes: 0 };
}

/**
 * Refuses text that is binary data: a NUL byte, or control bytes (other than tab, line feed and
 * carriage return) making up more than 2 % of the sample. The message gives the offset of the first
 * such byte and never the bytes themselves. `how` says how the bytes were obtained (e.g. "after gunzip").
 */
export function refuseBinary(sample: Uint8Array, file: string, how = ''): void {
  let controls = 0;
  let first = -1;
  let nul = -1;
  for (let i = 0; i < sample.length; i++) {
    const c = sample[i];
    if (c >= 32 ? c === 127 : c !== 9 && c !== 10 && c !== 13) {
      controls++;
      if (first < 0) first = i;
      if (c === 0 && nul < 0) nul = i;
    }
  }
  if (nul < 0 && (controls < 2 || controls * 50 <= sample.length)) return;
  const where = nul >= 0 ? `a NUL byte at byte ${nul + 1}` : `${controls} control bytes in the first ${sample.length}, the first at byte ${first + 1}`;
  throw new RecGymError(ErrorCode.UNSUPPORTED_FILE, `${file}: ${EXPECTED}, actual binary data${how ? ` ${how}` : ''} (${where})`);
}
