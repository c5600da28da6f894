import type * as TF from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { Tf } from './backend.js';

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

/**
 * x·w where the caller also passes transpose(x) (built on typed arrays for free): the backward pass
 * then needs no transpose of the large input (2 ms per [315, 92] on WASM, measured).
 */
export function projection(tf: Tf, x: TF.Tensor2D, xTransposed: TF.Tensor2D, w: TF.Tensor2D): TF.Tensor2D {
  const f = tf.customGrad(((a: TF.Tensor, b: TF.Tensor, save: TF.GradSaveFunc) => {
    save([b]);
    return {
      value: tf.matMul(a as TF.Tensor2D, b as TF.Tensor2D),
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => [
        tf.matMul(dy as TF.Tensor2D, tf.transpose(saved[0] as TF.Tensor2D)),
        tf.matMul(xTransposed, dy as TF.Tensor2D),
      ],
    };
  }) as never) as unknown as (a: TF.Tensor2D, b: TF.Tensor2D) => TF.Tensor2D;
  return f(x, w);
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

/**
 * Runs the GRU over T input steps (`steps[t]` is [N, inputSize]) from a zero state and returns the
 * hidden state after every step (T tensors [N, H]):
 * r = σ(x·Wxr + h·Whr), z = σ(x·Wxz + h·Whz), n = tanh(x·Wxn + r ⊙ (h·Whn + bhn)), h' = (1 − z) ⊙ n + z ⊙ h
 * (input biases are the rows of the constant-1 input column). Pass `stepsTransposed` ([inputSize, N]
 * each) to avoid transposing the inputs in the backward pass. Call inside `tf.tidy` or a gradient function.
 */
export function gruSequence(tf: Tf, w: GruWeights, steps: readonly TF.Tensor2D[], stepsTransposed?: readonly TF.Tensor2D[]): TF.Tensor2D[] {
  const T = steps.length;
  const project = (t: number, wx: TF.Variable) =>
    stepsTransposed ? projection(tf, steps[t], stepsTransposed[t], wx as TF.Tensor2D) : matMul(tf, steps[t], wx as TF.Tensor2D);
  const states: TF.Tensor2D[] = [];
  let h: TF.Tensor2D | undefined;
  for (let t = 0; t < T; t++) {
    let next: TF.Tensor2D;
    if (h === undefined) {
      const r = tf.sigmoid(project(t, w.wxR));
      const z = tf.sigmoid(project(t, w.wxZ));
      const n = tf.tanh(tf.add(project(t, w.wxN), tf.mul(r, w.bhN))) as TF.Tensor2D;
      next = tf.sub(n, tf.mul(z, n)) as TF.Tensor2D;
    } else {
      const r = tf.sigmoid(tf.add(project(t, w.wxR), matMul(tf, h, w.whR as TF.Tensor2D)));
      const z = tf.sigmoid(tf.add(project(t, w.wxZ), matMul(tf, h, w.whZ as TF.Tensor2D)));
      const n = tf.tanh(tf.add(project(t, w.wxN), tf.mul(r, tf.add(matMul(tf, h, w.whN as TF.Tensor2D), w.bhN)))) as TF.Tensor2D;
      next = tf.add(n, tf.mul(z, tf.sub(h, n))) as TF.Tensor2D;
    }
    h = next;
    states.push(next);
  }
  return states;
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
 * runs about half the kernels of tf's autodiff of {@link gruSequence} (whose values and gradients it
 * reproduces, see the tests). Differentiable inputs: the weights and `inputs` ([T·N, inputSize],
 * time-major, the same values as `steps`); `inputsTransposed` is its transpose. Returns the selected
 * states [R, H] (or the last state [N, H]).
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
