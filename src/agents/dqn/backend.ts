import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';

/** The tfjs namespace recgym trains with (tfjs-node re-exports the same API). */
export type Tf = typeof TF;

/** Which backend to use: `auto` tries tfjs-node, then WASM, then the plain CPU backend. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** The chosen tfjs namespace and the backend it runs on (`tensorflow`, `wasm` or `cpu`). */
export interface BackendChoice {
  readonly tf: Tf;
  readonly backend: string;
}

const require = createRequire(import.meta.url);
let current: Promise<BackendChoice> | undefined;
let currentPreference: BackendPreference | undefined;

/**
 * Loads tfjs and selects a backend: `@tensorflow/tfjs-node` when it is installed (an optional
 * dependency whose install needs the network), else `@tensorflow/tfjs` on WASM with the `.wasm` files
 * read from the local `@tensorflow/tfjs-backend-wasm/dist` folder, else the CPU backend. A specific
 * preference fails with an Error naming the missing package instead of falling back. Calls with the
 * same preference share one initialisation; a different preference switches the backend.
 */
export function initBackend(preference: BackendPreference = 'auto'): Promise<BackendChoice> {
  if (current !== undefined && currentPreference === preference) return current;
  const previous = current;
  currentPreference = preference;
  current = (async () => {
    if (previous) await previous.catch(() => undefined);
    return select(preference);
  })();
  return current;
}

async function select(preference: BackendPreference): Promise<BackendChoice> {
  const choice = await selectBackend(preference);
  // Production mode skips tfjs's per-kernel correctness checks (about 10 % of a WASM train step, measured).
  choice.tf.enableProdMode();
  return choice;
}

async function selectBackend(preference: BackendPreference): Promise<BackendChoice> {
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(preference)) {
    throw new RangeError(`backend: expected auto, tensorflow, wasm or cpu, actual ${String(preference)}`);
  }
  if (preference === 'auto' || preference === 'tensorflow') {
    const node = await tryImport('@tensorflow/tfjs-node');
    if (node) {
      const tf = node as Tf;
      await tf.setBackend('tensorflow');
      await tf.ready();
      return { tf, backend: tf.getBackend() };
    }
    if (preference === 'tensorflow') throw new Error('backend: expected @tensorflow/tfjs-node to be installed, actual not found (npm install @tensorflow/tfjs-node)');
  }
  const tf = (await import('@tensorflow/tfjs')) as Tf;
  if (preference === 'auto' || preference === 'wasm') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
      wasm.setWasmPaths(`${dist}/`);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { tf, backend: tf.getBackend() };
      }
      throw new Error('tf.setBackend("wasm") returned false');
    } catch (error) {
      if (preference === 'wasm') throw new Error(`backend: expected the WASM backend to start, actual ${(error as Error).message}`, { cause: error });
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: tf.getBackend() };
}

async function tryImport(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch {
    return undefined;
  }
}

/** A float32 buffer in the WASM heap registered with the backend as a tensor id (for direct kernel calls). */
export interface HeapBuffer {
  /** Offset in floats into {@link WasmKernels.heap}. */
  readonly offset: number;
  /** Floats registered under `id` (at most `capacity`). */
  size: number;
  readonly capacity: number;
  /** Backend tensor id; changes when {@link WasmKernels.refresh} drops cached state. */
  id: number;
}

interface WasmModule {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _BatchMatMul(aId: number, aShape: number, aRank: number, bId: number, bShape: number, bRank: number, transposeA: number, transposeB: number, outId: number): void;
  _Sigmoid(xId: number, outId: number): void;
  _Softmax(xId: number, outId: number, channels: number, batch: number): void;
  tfjs: { registerTensor(id: number, size: number, ptr: number): void; disposeData(id: number): void };
}

interface WasmBackendInternals {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  dataIdNextNumber: number;
}

/**
 * Direct calls into the tfjs WASM module (its XNNPACK matrix product and sigmoid) on buffers of its
 * heap, skipping the engine: a tfjs kernel costs ~15-60 µs of bookkeeping on top of its arithmetic,
 * a direct product of [18, 64]·[64, 192] ~6 µs in all (measured). Relies on the internals of
 * @tensorflow/tfjs-backend-wasm 4.x (`dataIdMap`, `register_tensor`, `BatchMatMul`, `Sigmoid`);
 * {@link wasmKernels} returns undefined when they are absent. Views from {@link heap} go stale when
 * the heap grows (any allocation, including a product's first use of a right operand): take a fresh
 * one after each call.
 */
export class WasmKernels {
  readonly #backend: WasmBackendInternals;
  readonly #wasm: WasmModule;
  readonly #shapes: number;
  readonly #buffers = new Map<string, HeapBuffer>();
  readonly #views = new Map<HeapBuffer, Float32Array>();
  readonly #aliases = new Map<string, HeapBuffer>();
  readonly #floats = new Map<string, Float32Array>();
  readonly #cached = new Map<string, unknown>();
  #heap: Float32Array;
  #shapeView: Int32Array;

  constructor(backend: WasmBackendInternals) {
    this.#backend = backend;
    this.#wasm = backend.wasm;
    this.#shapes = this.#wasm._malloc(32);
    this.#heap = new Float32Array(this.#wasm.HEAPU8.buffer);
    this.#shapeView = new Int32Array(this.#wasm.HEAPU8.buffer);
  }

  /** The whole heap as floats (index with a buffer's `offset`), refreshed if the heap grew. */
  heap(): Float32Array {
    const buffer = this.#wasm.HEAPU8.buffer;
    if (this.#heap.buffer !== buffer) {
      this.#heap = new Float32Array(buffer);
      this.#shapeView = new Int32Array(buffer);
      this.#views.clear();
    }
    return this.#heap;
  }

  /** A view of `buffer`'s registered floats (valid until the heap grows: take it again after each call). */
  view(buffer: HeapBuffer): Float32Array {
    const heap = this.heap();
    let view = this.#views.get(buffer);
    if (view === undefined || view.length !== buffer.size) {
      view = new Float32Array(heap.buffer, buffer.offset * 4, buffer.size);
      this.#views.set(buffer, view);
    }
    return view;
  }

  /** A named JS-side scratch array of `size` floats (contents undefined), grown on demand: the passes' per-step values. */
  floats(name: string, size: number): Float32Array {
    let a = this.#floats.get(name);
    if (!a || a.length < size) this.#floats.set(name, (a = new Float32Array(size)));
    return a.subarray(0, size);
  }

  /** The value kept under `key` on these kernels, made by `create` the first time (e.g. the GRU's packed-weight slots). */
  cached<T>(key: string, create: () => T): T {
    if (!this.#cached.has(key)) this.#cached.set(key, create());
    return this.#cached.get(key) as T;
  }

  /** The named scratch buffer registered with `size` floats (contents undefined), grown on demand. */
  buffer(name: string, size: number): HeapBuffer {
    const old = this.#buffers.get(name);
    if (old && old.size === size) return old;
    if (old && size <= old.capacity) {
      old.size = size;
      this.refresh(old);
      return old;
    }
    if (old) {
      this.#wasm.tfjs.disposeData(old.id);
      this.#wasm._free(old.offset * 4);
      this.#views.delete(old);
    }
    const ptr = this.#wasm._malloc(Math.max(1, size) * 4);
    const id = this.#backend.dataIdNextNumber++;
    this.#wasm.tfjs.registerTensor(id, size, ptr);
    const buffer: HeapBuffer = { offset: ptr >>> 2, size, capacity: size, id };
    this.#buffers.set(name, buffer);
    return buffer;
  }

  /**
   * A named id for the `size` floats at heap offset `offset` (part of a buffer or of a tensor's data),
   * re-registered when it moves; only for left operands and outputs (a right operand's id keys a cache).
   */
  alias(name: string, offset: number, size: number): HeapBuffer {
    let alias = this.#aliases.get(name);
    if (alias && alias.offset === offset && alias.size === size) return alias;
    if (alias) this.#wasm.tfjs.disposeData(alias.id);
    alias = { offset, size, capacity: size, id: this.#backend.dataIdNextNumber++ };
    this.#wasm.tfjs.registerTensor(alias.id, size, offset * 4);
    this.#aliases.set(name, alias);
    return alias;
  }

  /** Gives `buffer` a new id: required after its values changed before it is a product's right operand again (XNNPACK caches packed right operands by id). */
  refresh(buffer: HeapBuffer): void {
    this.#wasm.tfjs.disposeData(buffer.id);
    buffer.id = this.#backend.dataIdNextNumber++;
    this.#wasm.tfjs.registerTensor(buffer.id, buffer.size, buffer.offset * 4);
  }

  /** Backend id and heap offset (floats) of a tensor's data. */
  tensorData(tensor: TF.Tensor): { id: number; offset: number } {
    const data = this.#backend.dataIdMap.get(tensor.dataId as object);
    if (!data) throw new TypeError('WasmKernels.tensorData: expected a tensor of the WASM backend, actual one without WASM data');
    return { id: data.id, offset: data.memoryOffset >>> 2 };
  }

  /** out [M, N] = a [M, K] · b [K, N] (ids; plain row-major operands). */
  matMul(a: number, M: number, K: number, b: number, N: number, out: number): void {
    const s = this.#shapes >>> 2;
    const view = this.#shapeView.buffer === this.#wasm.HEAPU8.buffer ? this.#shapeView : (this.#shapeView = new Int32Array(this.#wasm.HEAPU8.buffer));
    view[s] = 1;
    view[s + 1] = M;
    view[s + 2] = K;
    view[s + 4] = 1;
    view[s + 5] = K;
    view[s + 6] = N;
    this.#wasm._BatchMatMul(a, this.#shapes, 3, b, this.#shapes + 16, 3, 0, 0, out);
  }

  /** out = σ(x), element-wise over the registered sizes (ids). */
  sigmoid(x: number, out: number): void {
    this.#wasm._Sigmoid(x, out);
  }

  /** out [rows, channels] = softmax of each row of x (ids). */
  softmax(x: number, out: number, channels: number, rows: number): void {
    this.#wasm._Softmax(x, out, channels, rows);
  }
}

const KERNELS = new WeakMap<object, WasmKernels | null>();

/** The direct WASM kernels of `tf`'s current backend, or undefined when it is not the WASM backend (or lacks the expected internals). */
export function wasmKernels(tf: Tf): WasmKernels | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as Partial<WasmBackendInternals>;
  let kernels = KERNELS.get(backend);
  if (kernels === undefined) {
    const wasm = backend.wasm as Partial<WasmModule> | undefined;
    const usable =
      wasm !== undefined &&
      typeof wasm._BatchMatMul === 'function' &&
      typeof wasm._Sigmoid === 'function' &&
      typeof wasm._Softmax === 'function' &&
      typeof wasm._malloc === 'function' &&
      typeof wasm.tfjs?.registerTensor === 'function' &&
      backend.dataIdMap !== undefined &&
      typeof backend.dataIdNextNumber === 'number';
    kernels = usable ? new WasmKernels(backend as WasmBackendInternals) : null;
    KERNELS.set(backend, kernels);
  }
  return kernels ?? undefined;
}

/** The tensor's values, then the tensor disposed (tidy must not return a typed array: it walks it element by element looking for tensors). */
export function readAndDispose(tensor: TF.Tensor): Float32Array {
  const values = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return values;
}
