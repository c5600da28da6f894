import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readHead } from '../../src/data/byte-source.js';
import { decodeLogBytes, openLogInput } from '../../src/data/log-input.js';
import { parseEventLog, readEventLog } from '../../src/data/read-event-log.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = Array.from({ length: 3000 }, (_, i) => `${i % 40},${i % 97},1,,${i % 9},2014-12-1${i % 9} 0${i % 10}`).join('\n');

async function allOf(path: string, sampleBytes: number) {
  const input = await openLogInput(path, sampleBytes);
  try {
    return { input, text: (await readHead(input.source, 1 << 24)).toString() };
  } finally {
    await input.close();
  }
}

describe('openLogInput', () => {
  it('streams gzip and UTF-16 to the same UTF-8 text, the sample first, and estimates the text size', async () => {
    const gz = join(dir, 'log.gz');
    writeFileSync(gz, gzipSync(Buffer.from(`\uFEFF${TEXT}`, 'utf16le')));
    const { input, text } = await allOf(gz, 100);
    expect(text).toBe(TEXT);
    expect(input.sample.toString()).toBe(TEXT.slice(0, 100));
    expect([input.container, input.encoding, input.isWhole]).toEqual(['gzip', 'utf16le', false]);
    expect(input.textBytes).toBe(Buffer.byteLength(`\uFEFF${TEXT}`, 'utf16le') / 2);
  });

  it('drops a UTF-8 byte-order mark and says when the sample is the whole text', async () => {
    const path = join(dir, 'bom.csv');
    writeFileSync(path, '\uFEFF1,2\n');
    const { input, text } = await allOf(path, 100);
    expect([text, input.isWhole, input.container, input.encoding]).toEqual(['1,2\n', true, 'plain', 'utf8']);
  });

  it('decodes in memory as it streams from a file', () => {
    const bytes = gzipSync(Buffer.from(TEXT));
    expect(decodeLogBytes(bytes, 'm', 1 << 16).text.toString()).toBe(TEXT);
    expect(parseEventLog(bytes).store.length).toBe(parseEventLog(TEXT).store.length);
  });

  it('reports progress in compressed bytes, rising to the file size', async () => {
    const gz = join(dir, 'progress.csv.gz');
    const bytes = gzipSync(Buffer.from(`${TEXT}\n`.repeat(30)));
    writeFileSync(gz, bytes);
    const calls: number[] = [];
    const log = await readEventLog(gz, { chunkBytes: 4096, onProgress: (read, total) => calls.push(read, total) });
    expect(log.rows).toBe(90_000);
    const reads = calls.filter((_, i) => i % 2 === 0);
    expect(reads.at(-1)).toBe(bytes.length);
    expect(reads.every((r, i) => i === 0 || r >= reads[i - 1])).toBe(true);
  });
});
