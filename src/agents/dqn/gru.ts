import type * as TF from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { HeapBuffer, Tf, WasmKernels } from './backend.js';

/** GRU parameters (PyTorch's "reset after" variant), one matrix per gate so no step slices a tensor. */
export interface GruWeights {
  /** Input -> reset, update and candidate gates, each [inputSize, H] (inputs end with a constant-1 bias column). */
  readonly wxR: TF.Variable;
  readonly wxZ: TF.Variable;
  readonly wxN: TF.Variable;
  /** Hidden -> gates, each [H, H]; `bhN` is added to h·whN before the reset gate. */
  readonly whR: TF.Variable;
  readonly whZ: TF.Variable;
  readonly whN: TF.Variable;
  readonly bhN: TF.Variable;
}

/** Uniform values in [-limit, limit) drawn from `rng` (backend-independent initialisation). */
export function uniformValues(size: number, limit: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

const MATMULS = new WeakMap<Tf, (a: TF.Tensor2D, b: TF.Tensor2D) => TF.Tensor2D>();

/**
 * a·b whose gradient uses explicit transposes and plain products: the WASM backend's products with
 * a transposed operand run 3-9x slower than a transpose followed by a plain product (measured).
 */
export function matMul(tf: Tf, a: TF.Tensor2D, b: TF.Tensor2D): TF.Tensor2D {
  let f = MATMULS.get(tf);
  if (!f) {
    f = tf.customGrad(((x: TF.Tensor, y: TF.Tensor, save: TF.GradSaveFunc) => {
      save([x, y]);
      return {
        value: tf.matMul(x as TF.Tensor2D, y as TF.Tensor2D),
        gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => [
          tf.matMul(dy as TF.Tensor2D, tf.transpose(saved[1] as TF.Tensor2D)),
          tf.matMul(tf.transpose(saved[0] as TF.Tensor2D), dy as TF.Tensor2D),
        ],
      };
    }) as never) as unknown as (a: TF.Tensor2D, b: TF.Tensor2D) => TF.Tensor2D;
    MATMULS.set(tf, f);
  }
  return f(a, b);
}

/** c·b for a constant `c` (no gradient to it): the backward pass is one plain product transpose(c)·dy. */
export function matMulConstant(tf: Tf, c: TF.Tensor2D, b: TF.Tensor2D, cTransposed?: TF.Tensor2D): TF.Tensor2D {
  const f = tf.customGrad(((y: TF.Tensor, save: TF.GradSaveFunc) => {
    save([y]);
    return {
      value: tf.matMul(c, y as TF.Tensor2D),
      gradFunc: (dy: TF.Tensor) => [tf.matMul(cTransposed ?? tf.transpose(c), dy as TF.Tensor2D)],
    };
  }) as never) as unknown as (b: TF.Tensor2D) => TF.Tensor2D;
  return f(b);
}

/** Creates GRU weights with Glorot-uniform values from `rng`; variable names start with `prefix`. */
export function createGruWeights(tf: Tf, inputSize: number, hiddenSize: number, rng: Rng, prefix: string): GruWeights {
  if (!(Number.isInteger(inputSize) && inputSize >= 1)) throw new RangeError(`expected inputSize >= 1, actual ${inputSize}`);
  if (!(Number.isInteger(hiddenSize) && hiddenSize >= 1)) throw new RangeError(`expected hiddenSize >= 1, actual ${hiddenSize}`);
  const H = hiddenSize;
  const matrix = (rows: number, cols: number, name: string) =>
    tf.variable(tf.tensor2d(uniformValues(rows * cols, Math.sqrt(6 / (rows + cols)), rng), [rows, cols]), true, `${prefix}/${name}`);
  const zeros = (n: number, name: string) => tf.variable(tf.zeros([n]), true, `${prefix}/${name}`);
  return {
    wxR: matrix(inputSize, H, 'wxR'),
    wxZ: matrix(inputSize, H, 'wxZ'),
    wxN: matrix(inputSize, H, 'wxN'),
    whR: matrix(H, H, 'whR'),
    whZ: matrix(H, H, 'whZ'),
    whN: matrix(H, H, 'whN'),
    bhN: zeros(H, 'bhN'),
  };
}

/** The GRU's variables in a fixed order (the checkpoint order). */
export function gruVariables(w: GruWeights): TF.Variable[] {
  return [w.wxR, w.wxZ, w.wxN, w.whR, w.whZ, w.whN, w.bhN];
}

/**
 * Splits time-major inputs ([T, N, width] row-major in `values`) into T tensors [N, width], and, when
 * `withTransposed`, T tensors [width, N] for the backward pass of the input products. Per-step uploads
 * replace `tf.unstack`, which costs ~18 ms per [20, 256, 64] on WASM (measured). Values are
 * copied (the CPU backend keeps a typed array by reference).
 */
export function uploadSteps(tf: Tf, values: Float32Array, T: number, N: number, width: number, withTransposed: boolean): { steps: TF.Tensor2D[]; transposed: TF.Tensor2D[] | undefined } {
  const steps: TF.Tensor2D[] = [];
  const transposed: TF.Tensor2D[] | undefined = withTransposed ? [] : undefined;
  for (let t = 0; t < T; t++) {
    const block = values.slice(t * N * width, (t + 1) * N * width);
    steps.push(tf.tensor2d(block, [N, width]));
    if (transposed) {
      const buffer = new Float32Array(N * width);
      for (let i = 0; i < N; i++) for (let c = 0; c < width; c++) buffer[c * N + i] = block[i * width + c];
      transposed.push(tf.tensor2d(buffer, [width, N]));
    }
  }
  return { steps, transposed };
}

/** Which states a {@link gruEncode} pass returns: the last step's, or sums of per-step selections. */
export type StateSelection =
  | { readonly kind: 'last' }
  | {
      readonly kind: 'select';
      /** [R, T·N]: row r picks state column t·N + i (the time-major concatenation of all states). */
      readonly all: TF.Tensor2D;
      /** Per selected step t: `sel` [R, N] (one-hot rows, the block of `all`) and its transpose [N, R] for the backward pass. */
      readonly blocks: ReadonlyArray<{ readonly t: number; readonly sel: TF.Tensor2D; readonly selT: TF.Tensor2D }>;
    };

/** Per-pass constants of {@link gruStep}. */
interface StepConstants {
  /** bhN broadcast to [N, H]: broadcasting kernels are slow on WASM (~150 µs for [19, 64] + [64]). */
  readonly bias: TF.Tensor2D;
  readonly ones: TF.Tensor2D;
}

function stepConstants(tf: Tf, w: GruWeights, N: number): StepConstants {
  const zeros = tf.zeros([N, w.whN.shape[0]]) as TF.Tensor2D;
  return { bias: tf.add(zeros, w.bhN) as TF.Tensor2D, ones: tf.onesLike(zeros) };
}

/**
 * One GRU step on plain kernels (no custom gradients); returns h' and the gate values. (Merging the
 * reset and update gates into one product plus a split was tried: no gain on a train step, measured.)
 */
function gruStep(tf: Tf, w: GruWeights, x: TF.Tensor2D, h: TF.Tensor2D, constants: StepConstants) {
  const { bias, ones } = constants;
  const r = tf.sigmoid(tf.add(tf.matMul(x, w.wxR as TF.Tensor2D), tf.matMul(h, w.whR as TF.Tensor2D))) as TF.Tensor2D;
  const z = tf.sigmoid(tf.add(tf.matMul(x, w.wxZ as TF.Tensor2D), tf.matMul(h, w.whZ as TF.Tensor2D))) as TF.Tensor2D;
  const hn = tf.add(tf.matMul(h, w.whN as TF.Tensor2D), bias) as TF.Tensor2D;
  const n = fastTanh(tf, tf.add(tf.matMul(x, w.wxN as TF.Tensor2D), tf.mul(r, hn)) as TF.Tensor2D, ones);
  const next = tf.add(n, tf.mul(z, tf.sub(h, n))) as TF.Tensor2D;
  return { next, r, z, n, hn };
}

/**
 * tanh(a); above 4096 elements as 2σ(2a) − 1 with same-shape kernels: on WASM tanh costs ~28 ns per
 * element against ~5 for sigmoid (465 µs against ~100 µs for [256, 64], measured), while below that
 * size tanh is the cheaper kernel.
 */
function fastTanh(tf: Tf, a: TF.Tensor2D, ones: TF.Tensor2D): TF.Tensor2D {
  if (a.size <= 4096) return tf.tanh(a);
  const s = tf.sigmoid(tf.add(a, a));
  return tf.sub(tf.add(s, s), ones);
}

/**
 * Forward-only GRU over time-major inputs `X` ([T, N, inputSize] row-major): the state after every
 * step, time-major ([T, N, H] row-major) in `out`. On WASM it runs on direct kernel calls
 * ({@link WasmKernels}): per step two products (input and hidden side, all gates at once) and two
 * sigmoids on the heap, the rest in typed-array loops; without kernels (`k` undefined) on {@link gruForward}.
 */
export function gruForwardValues(
  tf: Tf,
  k: WasmKernels | undefined,
  w: GruWeights,
  X: Float32Array,
  T: number,
  N: number,
  out: Float32Array = new Float32Array(T * N * w.whN.shape[0]),
): Float32Array {
  const H = w.whN.shape[0];
  const I = w.wxR.shape[0];
  if (!k) {
    // Nothing returned from tidy: it would walk a returned typed array element by element.
    tf.tidy(() => {
      const states = gruForward(tf, w, uploadSteps(tf, X, T, N, I, false).steps);
      out.set(tf.concat(states, 0).dataSync() as Float32Array);
    });
    return out;
  }
  const x = k.buffer('fwd/x', T * N * I);
  const packed = forwardWeights(k, w, I, H);
  k.heap().set(X.subarray(0, T * N * I), x.offset);
  wasmGruForward(k, packed, x.offset, T, N, I, H, out, undefined);
  return out;
}

/** The GRU weights gathered on the WASM heap: [Wxr | Wxz | Wxn] [I, 3H], [Whr | Whz | Whn] [H, 3H] and bhN. */
interface PackedWeights {
  readonly wx3: HeapBuffer;
  readonly wh3: HeapBuffer;
  readonly bhN: Float32Array;
}

/** Copies the seven GRU tensors (in {@link gruVariables} order) into heap buffers named after `prefix`. */
function packWeights(k: WasmKernels, prefix: string, weights: readonly TF.Tensor[], I: number, H: number): PackedWeights {
  const G3 = 3 * H;
  const wx3 = k.buffer(`${prefix}/wx3`, I * G3);
  const wh3 = k.buffer(`${prefix}/wh3`, H * G3);
  const offsets = weights.map((t) => k.tensorData(t).offset);
  const heap = k.heap();
  for (let gate = 0; gate < 3; gate++) {
    const src = offsets[gate];
    for (let row = 0; row < I; row++) heap.copyWithin(wx3.offset + row * G3 + gate * H, src + row * H, src + row * H + H);
    const srcH = offsets[3 + gate];
    for (let row = 0; row < H; row++) heap.copyWithin(wh3.offset + row * G3 + gate * H, srcH + row * H, srcH + row * H + H);
  }
  const bhN = heap.slice(offsets[6], offsets[6] + H);
  k.refresh(wx3);
  k.refresh(wh3);
  return { wx3, wh3, bhN };
}

/** A forward-only network's packed weights and the data ids they were packed from. */
interface ForwardSlot {
  readonly weights: GruWeights;
  readonly prefix: string;
  ids: number[];
  packed: PackedWeights;
}

/**
 * {@link packWeights} for a forward-only pass, reused while the weights' data ids are unchanged (an
 * assign gives a variable a new id): the target network's weights change only at target updates, and
 * packing them again costs a copy plus XNNPACK's packing of both right operands (~0.25 ms, measured).
 */
function forwardWeights(k: WasmKernels, w: GruWeights, I: number, H: number): PackedWeights {
  // The last two networks run forward-only on these kernels (the target and the acting network), most recently used first.
  const slots = k.cached<ForwardSlot[]>('gru/forward-slots', () => []);
  const weights = gruVariables(w);
  const ids = weights.map((t) => k.tensorData(t).id);
  const index = slots.findIndex((s) => s.weights === w);
  let slot: ForwardSlot;
  if (index >= 0) {
    slot = slots.splice(index, 1)[0];
    if (!slot.ids.every((id, i) => id === ids[i])) {
      slot.packed = packWeights(k, slot.prefix, weights, I, H);
      slot.ids = ids;
    }
  } else {
    // Two slots with distinct buffer names: the evicted slot's, or the one the other slot does not use.
    const evicted = slots.length >= 2 ? slots.pop() : undefined;
    const prefix = evicted?.prefix ?? (slots.some((s) => s.prefix === 'fwd0') ? 'fwd1' : 'fwd0');
    slot = { weights: w, prefix, ids, packed: packWeights(k, prefix, weights, I, H) };
  }
  slots.unshift(slot);
  return slot.packed;
}

/** Per-step values of a training pass kept for the backward pass, each [T, N, H] time-major. */
interface SavedGates {
  readonly r: Float32Array;
  readonly z: Float32Array;
  readonly n: Float32Array;
  readonly hn: Float32Array;
}

/**
 * The GRU forward pass on direct WASM calls (the same equations as {@link gruStep}; tanh as
 * 2σ(2a) − 1): inputs are the [T·N, I] floats at heap offset `xOffset` (time-major rows), states go to `states`.
 */
/** Largest T·N·3H whose input projections (forward) or input gradients (backward) are formed in one product. */
const ONE_PRODUCT_FLOATS = 65_536;

function wasmGruForward(k: WasmKernels, w: PackedWeights, xOffset: number, T: number, N: number, I: number, H: number, states: Float32Array, saved: SavedGates | undefined): void {
  const G3 = 3 * H;
  const NH = N * H;
  // Small passes (a session's few sequences) project all steps' inputs in one product; larger ones
  // per step: one product over all steps is as many flops but runs ~2x slower in a window-mode train
  // step (its operands leave the cache), measured.
  const isOneProduct = T * N * G3 <= ONE_PRODUCT_FLOATS;
  const xpB = k.buffer('gru/xp', (isOneProduct ? T : 1) * N * G3);
  const hB = k.buffer('gru/h', NH);
  const gB = k.buffer('gru/g', N * G3);
  const sB = k.buffer('gru/s', 2 * NH);
  const sigB = k.buffer('gru/sig', 2 * NH);
  const anB = k.buffer('gru/an', NH);
  const tnB = k.buffer('gru/tn', NH);
  if (isOneProduct) k.matMul(k.alias('gru/xall', xOffset, T * N * I).id, T * N, I, w.wx3.id, G3, xpB.id);
  for (let t = 0; t < T; t++) {
    if (!isOneProduct) k.matMul(k.alias('gru/xt', xOffset + t * N * I, N * I).id, N, I, w.wx3.id, G3, xpB.id);
    if (t > 0) k.matMul(hB.id, N, H, w.wh3.id, G3, gB.id);
    const xpBase = isOneProduct ? t * N * G3 : 0;
    gatesIn(k.view(xpB), xpBase, t > 0 ? k.view(gB) : undefined, k.view(sB), N, H);
    k.sigmoid(sB.id, sigB.id);
    candidateIn(k.view(xpB), xpBase, t > 0 ? k.view(gB) : undefined, w.bhN, k.view(sigB), k.view(anB), N, H, t * NH, saved);
    k.sigmoid(anB.id, tnB.id);
    stateOut(k.view(tnB), k.view(sigB), states, t * NH, t > 0, k.view(hB), N, H, saved);
  }
}

/** s[i, 0:2H] = xp[t, i, 0:2H] + g[i, 0:2H] (reset and update pre-activations, rows of 2H). */
function gatesIn(xp: Float32Array, xpBase: number, g: Float32Array | undefined, s: Float32Array, N: number, H: number): void {
  const G3 = 3 * H;
  const H2 = 2 * H;
  for (let i = 0; i < N; i++) {
    const x = xpBase + i * G3;
    const o = i * H2;
    if (g) for (let j = 0; j < H2; j++) s[o + j] = xp[x + j] + g[i * G3 + j];
    else for (let j = 0; j < H2; j++) s[o + j] = xp[x + j];
  }
}

/** an = 2 (xn + r ⊙ (g_n + bhN)), the doubled candidate pre-activation (tanh a = 2σ(2a) − 1). */
function candidateIn(xp: Float32Array, xpBase: number, g: Float32Array | undefined, bhN: Float32Array, sig: Float32Array, an: Float32Array, N: number, H: number, stepBase: number, saved: SavedGates | undefined): void {
  const G3 = 3 * H;
  const H2 = 2 * H;
  for (let i = 0; i < N; i++) {
    const x = xpBase + i * G3 + H2;
    const gn = i * G3 + H2;
    const rr = i * H2;
    const o = i * H;
    for (let j = 0; j < H; j++) {
      const r = sig[rr + j];
      const hn = g ? g[gn + j] + bhN[j] : bhN[j];
      an[o + j] = 2 * (xp[x + j] + r * hn);
      if (saved) {
        saved.r[stepBase + o + j] = r;
        saved.hn[stepBase + o + j] = hn;
      }
    }
  }
}

/** h = n + z ⊙ (h_prev − n) with n = 2σ(2a) − 1, into `states` at `stepBase` and the product operand `h`. */
function stateOut(tn: Float32Array, sig: Float32Array, states: Float32Array, stepBase: number, hasPrev: boolean, h: Float32Array, N: number, H: number, saved: SavedGates | undefined): void {
  const H2 = 2 * H;
  const NH = N * H;
  for (let i = 0; i < N; i++) {
    const zr = i * H2 + H;
    const o = i * H;
    for (let j = 0; j < H; j++) {
      const n = 2 * tn[o + j] - 1;
      const z = sig[zr + j];
      const hPrev = hasPrev ? states[stepBase - NH + o + j] : 0;
      const value = n + z * (hPrev - n);
      states[stepBase + o + j] = value;
      h[o + j] = value;
      if (saved) {
        saved.z[stepBase + o + j] = z;
        saved.n[stepBase + o + j] = n;
      }
    }
  }
}

/** Weight and input gradients of {@link wasmGruBackward}. */
interface GruGradients {
  /** Transposed: [3H, I] and [3H, H]; and [H]. */
  readonly dWx3T: Float32Array;
  readonly dWh3T: Float32Array;
  readonly dbhN: Float32Array;
  /** [T·N, dxColumns]: the gradient of the first dxColumns input columns. */
  readonly dX: Float32Array;
}

/**
 * Backpropagation through time on direct WASM calls, from `dStates` (the loss gradient of every
 * state, [T, N, H]): per step one product with [Whr | Whz | Whn]ᵀ, then three products for the
 * weight and input gradients over all steps (the formulas of the tf version in {@link gruEncode}).
 * The weight gradients are formed transposed (dW3ᵀ = dAᵀ·X), so that the product packs the inputs
 * rather than the wider gate gradients (packing costs ~5 ns per element, measured).
 */
function wasmGruBackward(k: WasmKernels, w: PackedWeights, xId: number, T: number, N: number, I: number, H: number, states: Float32Array, saved: SavedGates, dStates: Float32Array, dxColumns = I): GruGradients {
  const G3 = 3 * H;
  const NH = N * H;
  const rows = T * N;
  const wh3TB = k.buffer('gru/wh3T', G3 * H);
  const wx3TB = k.buffer('gru/wx3T', G3 * dxColumns);
  const isOneProduct = rows * G3 <= ONE_PRODUCT_FLOATS;
  const daB = k.buffer('gru/da', (isOneProduct ? T : 1) * N * G3);
  const dgB = k.buffer('gru/dg', N * G3);
  const dT = k.buffer('gru/dT', 4 * H * rows);
  const recB = k.buffer('gru/rec', NH);
  const hpB = k.buffer('gru/hp', rows * H);
  const dwxB = k.buffer('gru/dwxT', G3 * I);
  const dwhB = k.buffer('gru/dwhT', G3 * H);
  const dxB = k.buffer('gru/dx', rows * dxColumns);
  transposeInto(k.view(w.wh3), H, G3, k.view(wh3TB));
  transposeInto(k.view(w.wx3), dxColumns, G3, k.view(wx3TB));
  const hp = k.view(hpB);
  hp.fill(0, 0, NH);
  hp.set(states.subarray(0, (T - 1) * NH), NH);
  k.refresh(wh3TB);
  k.refresh(wx3TB);
  k.refresh(hpB);
  const dh = new Float32Array(NH);
  const dbhN = new Float32Array(H);
  for (let t = T - 1; t >= 0; t--) {
    const daBase = isOneProduct ? t * N * G3 : 0;
    gateGradients(states, saved, dStates, dh, dbhN, k.view(daB), daBase, k.view(dgB), t, N, H);
    stepColumns(k.view(daB), daBase, k.view(dgB), k.view(dT), t, N, H, rows);
    if (t > 0) {
      k.matMul(dgB.id, N, G3, wh3TB.id, H, recB.id);
      const rec = k.view(recB);
      for (let e = 0; e < NH; e++) dh[e] += rec[e];
    }
    if (!isOneProduct) k.matMul(daB.id, N, G3, wx3TB.id, dxColumns, k.alias('gru/dxt', dxB.offset + t * N * dxColumns, N * dxColumns).id);
  }
  if (isOneProduct) k.matMul(daB.id, rows, G3, wx3TB.id, dxColumns, dxB.id);
  // dT rows: [dan; dar; daz; dhn] x (T·N): rows 0 .. 3H are dAᵀ (gates n, r, z), rows H .. 4H dGᵀ (gates r, z, n).
  k.matMul(k.alias('gru/daT', dT.offset, G3 * rows).id, G3, rows, xId, I, dwxB.id);
  k.matMul(k.alias('gru/dgT', dT.offset + H * rows, G3 * rows).id, G3, rows, hpB.id, H, dwhB.id);
  const dwx = k.view(dwxB);
  // Back to gate order r, z, n.
  const dWx3T = new Float32Array(G3 * I);
  dWx3T.set(dwx.subarray(H * I, G3 * I), 0);
  dWx3T.set(dwx.subarray(0, H * I), 2 * H * I);
  return { dWx3T, dWh3T: k.view(dwhB).slice(), dbhN, dX: k.view(dxB).slice() };
}

/** out [cols, rows] = transpose(m [rows, cols]). */
function transposeInto(m: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
}

/**
 * Gate gradients of step t from dh (the state gradient flowing back, plus dStates[t]): this step's rows
 * of dA = [dar | daz | dan] (input side, at `daBase`) and dG = [dar | daz | dhn] (hidden side); leaves
 * dh ⊙ z in `dh`.
 */
function gateGradients(
  states: Float32Array,
  saved: SavedGates,
  dStates: Float32Array,
  dh: Float32Array,
  dbhN: Float32Array,
  da: Float32Array,
  daBase: number,
  dg: Float32Array,
  t: number,
  N: number,
  H: number,
): void {
  const G3 = 3 * H;
  const H2 = 2 * H;
  const NH = N * H;
  const { r: R, z: Z, n: Nn, hn: Hn } = saved;
  const stepBase = t * NH;
  for (let i = 0; i < N; i++) {
    const o = i * G3;
    for (let j = 0; j < H; j++) {
      const e = stepBase + i * H + j;
      const d = dh[i * H + j] + dStates[e];
      const r = R[e];
      const z = Z[e];
      const n = Nn[e];
      const hPrev = t > 0 ? states[e - NH] : 0;
      const oneMinusZ = 1 - z;
      const dan = d * oneMinusZ * (1 - n * n);
      const dhn = dan * r;
      const dar = dan * Hn[e] * (r * (1 - r));
      const daz = d * (hPrev - n) * (z * oneMinusZ);
      da[daBase + o + j] = dar;
      da[daBase + o + H + j] = daz;
      da[daBase + o + H2 + j] = dan;
      dg[o + j] = dar;
      dg[o + H + j] = daz;
      dg[o + H2 + j] = dhn;
      dbhN[j] += dhn;
      dh[i * H + j] = d * z;
    }
  }
}

/**
 * Step t's columns of dT = [dan; dar; daz; dhn] ([4H, rows], all steps) from its rows of dA (at
 * `daBase`) and dG, one row of dT at a time: writing them element by element in gateGradients
 * strides across 4H rows of dT per element (TLB misses in window mode, measured).
 */
function stepColumns(da: Float32Array, daBase: number, dg: Float32Array, dT: Float32Array, t: number, N: number, H: number, rows: number): void {
  const G3 = 3 * H;
  const col0 = t * N;
  // Source of each block of dT rows: dan = dA[:, 2H:3H], dar = dA[:, 0:H], daz = dA[:, H:2H], dhn = dG[:, 2H:3H].
  for (let block = 0; block < 4; block++) {
    const src = block === 3 ? dg : da;
    const first = (block === 3 ? 0 : daBase) + (block === 0 || block === 3 ? 2 * H : block === 1 ? 0 : H);
    for (let j = 0; j < H; j++) {
      const out = (block * H + j) * rows + col0;
      const c = first + j;
      for (let i = 0; i < N; i++) dT[out + i] = src[c + i * G3];
    }
  }
}

/** Gate `gate`'s block ([rows, H]) of a transposed [3H, rows] matrix. */
function gateBlock(mT: Float32Array, rows: number, H: number, gate: number): Float32Array {
  const out = new Float32Array(rows * H);
  for (let j = 0; j < H; j++) {
    const src = (gate * H + j) * rows;
    for (let r = 0; r < rows; r++) out[r * H + j] = mT[src + r];
  }
  return out;
}

/** A GRU training pass on direct WASM calls ({@link gruTrainDirect}): every state now, the gradients later. */
export interface DirectGruPass {
  /** The state after every step, time-major [T, N, H] (valid until the next pass). */
  readonly states: Float32Array;
  /**
   * Backpropagation through time from `dStates` (the loss gradient of every state, [T, N, H]): the
   * weight gradients in {@link gruVariables} order and the gradient dX [T·N, dxColumns] of the
   * inputs' first `dxColumns` columns (the embedding part; the one-hot columns need none).
   */
  backward(dStates: Float32Array): { readonly weights: Float32Array[]; readonly dX: Float32Array };
}

/**
 * The GRU training pass of {@link gruEncode} without tfjs: forward over time-major inputs `X`
 * ([T, N, inputSize] row-major) on direct WASM calls, keeping the gates for {@link DirectGruPass.backward}.
 * For callers that compute their loss gradients themselves (the learner's heads on WASM).
 */
export function gruTrainDirect(k: WasmKernels, w: GruWeights, X: Float32Array, T: number, N: number, dxColumns = w.wxR.shape[0]): DirectGruPass {
  const H = w.whN.shape[0];
  const I = w.wxR.shape[0];
  const NH = N * H;
  const x = k.buffer('train/x', T * N * I);
  k.heap().set(X.subarray(0, T * N * I), x.offset);
  // The inputs are a right operand of the backward pass: a new id drops the previous step's packing.
  k.refresh(x);
  const packed = packWeights(k, 'train', gruVariables(w), I, H);
  const states = k.floats('train/states', T * NH);
  const saved: SavedGates = { r: k.floats('train/r', T * NH), z: k.floats('train/z', T * NH), n: k.floats('train/n', T * NH), hn: k.floats('train/hn', T * NH) };
  wasmGruForward(k, packed, x.offset, T, N, I, H, states, saved);
  return {
    states,
    backward(dStates: Float32Array) {
      const g = wasmGruBackward(k, packed, x.id, T, N, I, H, states, saved, dStates, dxColumns);
      const weights = [0, 1, 2].map((gate) => gateBlock(g.dWx3T, I, H, gate));
      for (let gate = 0; gate < 3; gate++) weights.push(gateBlock(g.dWh3T, H, H, gate));
      weights.push(g.dbhN);
      return { weights, dX: g.dX };
    },
  };
}

/** Forward-only GRU (target network, acting, scoring): the state after every step, on plain kernels. */
export function gruForward(tf: Tf, w: GruWeights, steps: readonly TF.Tensor2D[]): TF.Tensor2D[] {
  const H = w.whN.shape[0];
  let h = tf.zeros([steps[0].shape[0], H]) as TF.Tensor2D;
  const constants = stepConstants(tf, w, steps[0].shape[0]);
  const states: TF.Tensor2D[] = [];
  for (const x of steps) {
    h = gruStep(tf, w, x, h, constants).next;
    states.push(h);
  }
  return states;
}

/**
 * The GRU pass used for training, as ONE custom-gradient op with a hand-written backward pass
 * (backpropagation through time): the forward pass is not taped, the backward pass collects the
 * gate gradients of all steps and forms the weight gradients with a few large products. On WASM this
 * runs about half the kernels of tf's autodiff of the plain tf-op GRU (test/agents/dqn/reference-gru.ts, whose values and gradients it
 * reproduces, see the tests). Differentiable inputs: the weights and `inputs` ([T·N, inputSize],
 * time-major, the same values as `steps`); `inputsTransposed` is its transpose. Returns the selected
 * states [R, H] (or the last state [N, H]). The tf-op path: on WASM with direct kernels the learner
 * trains with {@link gruTrainDirect} instead.
 */
export function gruEncode(
  tf: Tf,
  w: GruWeights,
  inputs: TF.Tensor2D,
  steps: readonly TF.Tensor2D[],
  inputsTransposed: TF.Tensor2D,
  selection: StateSelection,
): TF.Tensor2D {
  const T = steps.length;
  const N = steps[0].shape[0];
  const H = w.whN.shape[0];
  const blockAt = new Map(selection.kind === 'select' ? selection.blocks.map((b) => [b.t, b]) : []);
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as TF.GradSaveFunc;
    let h = tf.zeros([N, H]) as TF.Tensor2D;
    const constants = stepConstants(tf, w, N);
    const kept: TF.Tensor[] = [];
    const states: TF.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      const step = gruStep(tf, w, steps[t], h, constants);
      kept.push(h, step.r, step.z, step.n, step.hn);
      h = step.next;
      states.push(h);
    }
    save(kept);
    // One product with the concatenated states: a product whose right operand is a fresh tensor
    // packs it first (~0.3 ms on WASM), so per-step picks sel·h would pay that T times.
    const value = selection.kind === 'last' ? h : tf.matMul(selection.all, tf.concat(states, 0));
    return {
      value,
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const ones = tf.onesLike(saved[0]);
        const whRT = tf.transpose(w.whR);
        const whZT = tf.transpose(w.whZ);
        const whNT = tf.transpose(w.whN);
        const dAr: TF.Tensor[] = new Array(T);
        const dAz: TF.Tensor[] = new Array(T);
        const dAn: TF.Tensor[] = new Array(T);
        const dHn: TF.Tensor[] = new Array(T);
        let dh: TF.Tensor | undefined = selection.kind === 'last' ? dy : undefined;
        for (let t = T - 1; t >= 0; t--) {
          const block = blockAt.get(t);
          if (block) {
            const g = tf.matMul(block.selT, dy as TF.Tensor2D);
            dh = dh === undefined ? g : tf.add(dh, g);
          }
          const [hPrev, r, z, n, hn] = saved.slice(5 * t, 5 * t + 5);
          if (dh === undefined) {
            const zeros = tf.zeros([N, H]);
            dAr[t] = dAz[t] = dAn[t] = dHn[t] = zeros;
            continue;
          }
          const oneMinusZ = tf.sub(ones, z);
          const dn = tf.mul(dh, oneMinusZ);
          const dz = tf.mul(dh, tf.sub(hPrev, n));
          const dan = tf.mul(dn, tf.sub(ones, tf.square(n)));
          const dhn = tf.mul(dan, r);
          const dar = tf.mul(tf.mul(dan, hn), tf.mul(r, tf.sub(ones, r)));
          const daz = tf.mul(dz, tf.mul(z, oneMinusZ));
          dAr[t] = dar;
          dAz[t] = daz;
          dAn[t] = dan;
          dHn[t] = dhn;
          dh = tf.addN([tf.mul(dh, z), tf.matMul(dar as TF.Tensor2D, whRT), tf.matMul(daz as TF.Tensor2D, whZT), tf.matMul(dhn as TF.Tensor2D, whNT)]);
        }
        const hPrevT = tf.transpose(tf.concat(saved.filter((_, k) => k % 5 === 0) as TF.Tensor2D[], 0));
        const DAr = tf.concat(dAr as TF.Tensor2D[], 0);
        const DAz = tf.concat(dAz as TF.Tensor2D[], 0);
        const DAn = tf.concat(dAn as TF.Tensor2D[], 0);
        const DHn = tf.concat(dHn as TF.Tensor2D[], 0);
        const dX = tf.addN([
          tf.matMul(DAr, tf.transpose(w.wxR) as TF.Tensor2D),
          tf.matMul(DAz, tf.transpose(w.wxZ) as TF.Tensor2D),
          tf.matMul(DAn, tf.transpose(w.wxN) as TF.Tensor2D),
        ]);
        return [
          tf.matMul(inputsTransposed, DAr),
          tf.matMul(inputsTransposed, DAz),
          tf.matMul(inputsTransposed, DAn),
          tf.matMul(hPrevT, DAr),
          tf.matMul(hPrevT, DAz),
          tf.matMul(hPrevT, DHn),
          tf.sum(DHn, 0),
          dX,
        ];
      },
    };
  }) as never) as unknown as (...t: TF.Tensor[]) => TF.Tensor2D;
  return f(w.wxR, w.wxZ, w.wxN, w.whR, w.whZ, w.whN, w.bhN, inputs);
}
