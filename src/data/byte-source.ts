import type { FileHandle } from 'node:fs/promises';

/** A log's bytes, read in order into the caller's buffer (after any decompression and decoding). */
export interface ByteSource {
  /** Reads up to `length` bytes into `buf` at `offset`; resolves to 0 at the end. */
  read(buf: Buffer, offset: number, length: number): Promise<number>;
  /** Bytes of the file consumed so far (compressed bytes for gzip), for progress. */
  readonly fileBytesRead: number;
  /** Releases what the source holds (streams); the file handle is its opener's. */
  close(): void;
}

/** The bytes of an open file from `start` on, read straight into the caller's buffer. */
export class FileSource implements ByteSource {
  readonly #handle: FileHandle;
  #position: number;

  constructor(handle: FileHandle, start = 0) {
    this.#handle = handle;
    this.#position = start;
  }

  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    const { bytesRead } = await this.#handle.read(buf, offset, length, this.#position);
    this.#position += bytesRead;
    return bytesRead;
  }

  get fileBytesRead(): number {
    return this.#position;
  }

  close(): void {}
}

/** `head` (bytes already taken from `rest`) followed by the rest of `rest`. */
export class ReplaySource implements ByteSource {
  readonly #head: Buffer;
  readonly #rest: ByteSource;
  #served = 0;

  constructor(head: Buffer, rest: ByteSource) {
    this.#head = head;
    this.#rest = rest;
  }

  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    if (this.#served >= this.#head.length) return this.#rest.read(buf, offset, length);
    const copied = this.#head.copy(buf, offset, this.#served, Math.min(this.#head.length, this.#served + length));
    this.#served += copied;
    return copied;
  }

  /** While the head is served, its share of what `rest` had read for it. */
  get fileBytesRead(): number {
    const read = this.#rest.fileBytesRead;
    const head = this.#head.length;
    return this.#served >= head ? read : Math.floor((read * this.#served) / head);
  }

  close(): void {
    this.#rest.close();
  }
}

/** Up to `maxBytes` bytes from the start of `source` (fewer only at its end). */
export async function readHead(source: ByteSource, maxBytes: number): Promise<Buffer> {
  const head = Buffer.allocUnsafe(maxBytes);
  let filled = 0;
  while (filled < maxBytes) {
    const bytesRead = await source.read(head, filled, maxBytes - filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return head.subarray(0, filled);
}

/** A source that hands out the chunks of an async iterable (a decompressing or decoding stream). */
export class ChunkSource implements ByteSource {
  readonly #chunks: AsyncIterator<Uint8Array>;
  readonly #fileBytesRead: () => number;
  readonly #close: () => void;
  #chunk: Uint8Array = new Uint8Array(0);
  #used = 0;

  constructor(chunks: AsyncIterable<Uint8Array>, fileBytesRead: () => number, close: () => void) {
    this.#chunks = chunks[Symbol.asyncIterator]();
    this.#fileBytesRead = fileBytesRead;
    this.#close = close;
  }

  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    while (this.#used >= this.#chunk.length) {
      const next = await this.#chunks.next();
      if (next.done) return 0;
      this.#chunk = next.value;
      this.#used = 0;
    }
    const n = Math.min(length, this.#chunk.length - this.#used);
    buf.set(this.#chunk.subarray(this.#used, this.#used + n), offset);
    this.#used += n;
    return n;
  }

  get fileBytesRead(): number {
    return this.#fileBytesRead();
  }

  close(): void {
    this.#close();
  }
}
