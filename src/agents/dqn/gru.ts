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
