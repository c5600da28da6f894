import type * as TF from '@tensorflow/tfjs';
import type { Tf } from '../../../src/agents/dqn/backend.js';
import { matMul, type GruWeights } from '../../../src/agents/dqn/gru.js';

// The GRU written plainly in tf ops, differentiated by tf's autodiff: the reference the product
// code's GRUs (gruEncode's custom gradient, the direct WASM passes) are tested against.

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
