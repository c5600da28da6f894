import { TextDecoder } from 'node:util';
import { ChunkSource, type ByteSource } from './byte-source.js';
import type { TextEncoding } from './file-kind.js';

/** Bytes of UTF-16 decoded at a time. */
const DECODE_BYTES = 1 << 20;

function decoderFor(encoding: Exclude<TextEncoding, 'utf8'>): TextDecoder {
  return new TextDecoder(encoding === 'utf16le' ? 'utf-16le' : 'utf-16be');
}

/** The UTF-8 bytes of a UTF-16 source, decoded chunk by chunk; a byte-order mark is dropped. */
export function utf16Source(source: ByteSource, encoding: Exclude<TextEncoding, 'utf8'>): ByteSource {
  async function* decoded(): AsyncGenerator<Uint8Array> {
    const decoder = decoderFor(encoding);
    const raw = Buffer.allocUnsafe(DECODE_BYTES);
    for (;;) {
      const bytesRead = await source.read(raw, 0, DECODE_BYTES);
      if (bytesRead === 0) break;
      yield Buffer.from(decoder.decode(raw.subarray(0, bytesRead), { stream: true }), 'utf8');
    }
    yield Buffer.from(decoder.decode(), 'utf8');
  }
  return new ChunkSource(decoded(), () => source.fileBytesRead, () => source.close());
}

/** The UTF-8 bytes of UTF-16 text held in memory; a byte-order mark is dropped. */
export function utf16Bytes(bytes: Uint8Array, encoding: Exclude<TextEncoding, 'utf8'>): Buffer {
  return Buffer.from(decoderFor(encoding).decode(bytes), 'utf8');
}
