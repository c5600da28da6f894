import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { ChunkSource, type ByteSource } from './byte-source.js';

/** Bytes of compressed data read from the file at a time. */
const READ_BYTES = 1 << 20;

/**
 * The decompressed bytes of a gzip file (several members allowed), streamed through `node:zlib`, so
 * memory stays one chunk whatever the size. A truncated or corrupt file rejects a read with a
 * RecGymError CORRUPT_FILE naming the file and where the damage was found.
 */
export function gunzipSource(handle: FileHandle, file: string, fileBytes: number): ByteSource {
  let position = 0;
  async function* compressed(): AsyncGenerator<Buffer> {
    for (;;) {
      const buf = Buffer.allocUnsafe(READ_BYTES);
      const { bytesRead } = await handle.read(buf, 0, READ_BYTES, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  }
  const gunzip = createGunzip();
  // Errors of either side reach the reader through the gunzip stream's iterator.
  pipeline(compressed(), gunzip, () => {});
  async function* decompressed(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (error) {
      throw gzipError(error, file, fileBytes);
    }
  }
  return new ChunkSource(decompressed(), () => position, () => gunzip.destroy());
}

/** The decompressed bytes of gzip data held in memory; a RecGymError CORRUPT_FILE when it is damaged. */
export function gunzipBytes(bytes: Uint8Array, file: string): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw gzipError(error, file, bytes.length);
  }
}

/**
 * Gzip's own record of the uncompressed size (the last four bytes: the size modulo 2^32), or
 * undefined when it cannot be the size of this file's contents.
 */
export function recordedGzipSize(trailer: Buffer, fileBytes: number): number | undefined {
  if (trailer.length < 4) return undefined;
  const size = trailer.readUInt32LE(trailer.length - 4);
  return size >= fileBytes ? size : undefined;
}

function gzipError(error: unknown, file: string, fileBytes: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'Z_BUF_ERROR') {
    return new RecGymError(
      ErrorCode.CORRUPT_FILE,
      `${file}: expected a complete gzip file, actual one cut short (its ${fileBytes} bytes end inside the compressed data); copy or download it again`,
      { cause: error },
    );
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new RecGymError(
      ErrorCode.CORRUPT_FILE,
      `${file}: expected valid gzip data, actual corrupt compressed data (zlib: ${(error as Error).message}); copy or download it again`,
      { cause: error },
    );
  }
  return error;
}
