import { open, type FileHandle } from 'node:fs/promises';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { FileSource, ReplaySource, readHead, type ByteSource } from './byte-source.js';
import { MAGIC_BYTES, containerOf, encodingOf, refuseBinary, type Container, type TextEncoding } from './file-kind.js';
import { gunzipBytes, gunzipSource, recordedGzipSize } from './gzip-source.js';
import { utf16Bytes, utf16Source } from './utf16-source.js';

/** A log's text as UTF-8 bytes without a byte-order mark, whatever its container and encoding. */
export interface LogInput {
  /** The text's bytes from the start (the sample included). */
  source: ByteSource;
  /** The first bytes of the text (at most the requested sample size). */
  sample: Buffer;
  /** True when `sample` is the whole text. */
  isWhole: boolean;
  /** Size of the file on disk, for progress. */
  fileBytes: number;
  /** Estimated size of the text, for sizing the store. */
  textBytes: number;
  container: Container;
  encoding: TextEncoding;
  close(): Promise<void>;
}

/**
 * Opens a log file and recognises what it holds from its bytes: gzip is decompressed as it streams
 * (whatever the file's name), UTF-16 decoded, a byte-order mark dropped. Throws RecGymError
 * FILE_NOT_FOUND, UNSUPPORTED_FILE (zip and other archives, binary data) or CORRUPT_FILE.
 */
export async function openLogInput(path: string, sampleBytes: number): Promise<LogInput> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(path, error);
  }
  let source: ByteSource | undefined;
  try {
    const info = await handle.stat();
    if (info.isDirectory()) {
      throw new RecGymError(ErrorCode.FILE_NOT_FOUND, `${path}: expected a log file, actual a directory`);
    }
    const fileBytes = info.size;
    const magic = Buffer.alloc(MAGIC_BYTES);
    await handle.read(magic, 0, MAGIC_BYTES, 0);
    const container = containerOf(magic, path);
    let textBytes = fileBytes;
    if (container === 'gzip') {
      const trailer = Buffer.alloc(4);
      const { bytesRead } = await handle.read(trailer, 0, 4, Math.max(0, fileBytes - 4));
      textBytes = recordedGzipSize(trailer.subarray(0, bytesRead), fileBytes) ?? fileBytes * 4;
      source = gunzipSource(handle, path, fileBytes);
    } else {
      source = new FileSource(handle);
    }
    let head = await readHead(source, sampleBytes);
    let isWhole = head.length < sampleBytes;
    const { encoding, bomBytes } = encodingOf(head);
    if (encoding === 'utf8') {
      head = head.subarray(bomBytes);
    } else {
      source = utf16Source(new ReplaySource(head, source), encoding);
      textBytes = Math.ceil(textBytes / 2);
      head = await readHead(source, sampleBytes);
      isWhole = head.length < sampleBytes;
    }
    refuseBinary(head, path, container === 'gzip' ? 'after gunzip' : '');
    const opened = source;
    return {
      source: new ReplaySource(head, opened),
      sample: head,
      isWhole,
      fileBytes,
      textBytes,
      container,
      encoding,
      async close() {
        opened.close();
        await handle.close();
      },
    };
  } catch (error) {
    source?.close();
    await handle.close();
    throw error;
  }
}

/** The text of a log held in memory, recognised as {@link openLogInput} does (gunzip, UTF-16, byte-order mark). */
export function decodeLogBytes(bytes: Buffer, file: string, sampleBytes: number): { text: Buffer; container: Container; encoding: TextEncoding } {
  const container = containerOf(bytes.subarray(0, MAGIC_BYTES), file);
  const unpacked = container === 'gzip' ? gunzipBytes(bytes, file) : bytes;
  const { encoding, bomBytes } = encodingOf(unpacked.subarray(0, sampleBytes));
  const text = encoding === 'utf8' ? unpacked.subarray(bomBytes) : utf16Bytes(unpacked, encoding);
  refuseBinary(text.subarray(0, sampleBytes), file, container === 'gzip' ? 'after gunzip' : '');
  return { text, container, encoding };
}

function fileError(path: string, error: unknown): RecGymError {
  const code = (error as NodeJS.ErrnoException).code;
  const actual =
    code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
  return new RecGymError(ErrorCode.FILE_NOT_FOUND, `${path}: expected a readable log file, actual ${actual}`, {
    cause: error,
  });
}
