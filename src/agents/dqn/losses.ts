import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

const CROSS_ENTROPY = new WeakMap<Tf, (logits: TF.Tensor2D, labels: TF.Tensor2D) => TF.Scalar>();

/**
 * Mean softmax cross-entropy of `logits` [B, U] against one-hot `labels`, with the fused gradient
 * (softmax − labels) / B: tf's logSumExp gradient broadcasts an Equal that costs ~15 ms per batch on WASM.
 */
export function softmaxCrossEntropy(tf: Tf, logits: TF.Tensor2D, labels: TF.Tensor2D): TF.Scalar {
  let f = CROSS_ENTROPY.get(tf);
  if (!f) {
    f = tf.customGrad(((x: TF.Tensor, y: TF.Tensor, save: TF.GradSaveFunc) => {
      const [rows, cols] = x.shape as [number, number];
      // Row-wise broadcasts as products with a ones row: broadcasting kernels are slow on WASM.
      const onesRow = tf.ones([1, cols]);
      const spread = (column: TF.Tensor) => tf.matMul(column as TF.Tensor2D, onesRow as TF.Tensor2D);
      const shifted = tf.sub(x, spread(tf.max(x, 1, true)));
      const lse = tf.log(tf.sum(tf.exp(shifted), 1, true));
      const logProbabilities = tf.sub(shifted, spread(lse));
      save([logProbabilities, y]);
      return {
        value: tf.div(tf.neg(tf.sum(tf.mul(logProbabilities, y))), rows),
        // A label row summing to s (0 leaves the row out) has the gradient s · softmax − labels.
        gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => [
          tf.mul(tf.sub(tf.mul(tf.exp(saved[0]), tf.matMul(tf.sum(saved[1], 1, true) as TF.Tensor2D, tf.ones([1, cols]) as TF.Tensor2D)), saved[1]), tf.div(dy, rows)),
          tf.zerosLike(saved[1]),
        ],
      };
    }) as never) as unknown as (logits: TF.Tensor2D, labels: TF.Tensor2D) => TF.Scalar;
    CROSS_ENTROPY.set(tf, f);
  }
  return f(logits, labels);
}

/**
 * Bellman targets y = r + γ · (1 − terminated) · Q_target(s', a*), a* = argmax over the next
 * candidates of `qNextOnline` (Double DQN) or of `qNext` itself: no bootstrap through termination,
 * bootstrap through truncation (the truncated flag is not an input on purpose). `qNext` is row-major
 * [B, C]; -Infinity marks absent candidates; a next state without candidates bootstraps 0.
 */
export function bellmanTargets(
  rewards: Float32Array,
  terminations: Uint8Array,
  qNext: Float32Array,
  C: number,
  gamma: number,
  out: Float32Array = new Float32Array(rewards.length),
  qNextOnline?: Float32Array,
): Float32Array {
  const ranking = qNextOnline ?? qNext;
  for (let i = 0; i < rewards.length; i++) {
    let bootstrap = 0;
    if (terminations[i] === 0) {
      let bestJ = -1;
      let bestValue = -Infinity;
      for (let j = 0; j < C; j++) {
        if (ranking[i * C + j] > bestValue) {
          bestValue = ranking[i * C + j];
          bestJ = j;
        }
      }
      if (bestJ >= 0 && Number.isFinite(qNext[i * C + bestJ])) bootstrap = qNext[i * C + bestJ];
    }
    out[i] = rewards[i] + gamma * bootstrap;
  }
  return out;
}

/** Σ over rows of −Σ label · log p, with p the rows' softmax `prob` of `logits`; writes each row's label sum. */
export function crossEntropyFromSoftmax(prob: Float32Array, logits: Float32Array, labels: Float32Array, B: number, U: number, labelSums: Float32Array): number {
  let loss = 0;
  for (let i = 0; i < B; i++) {
    const row = i * U;
    let labelSum = 0;
    for (let u = 0; u < U; u++) {
      const label = labels[row + u];
      if (label === 0) continue;
      labelSum += label;
      // log p from the softmax; near float underflow from the row's log-sum-exp instead.
      const p = prob[row + u];
      loss -= label * (p > 1e-30 ? Math.log(p) : logits[row + u] - logSumExp(logits, row, U));
    }
    labelSums[i] = labelSum;
  }
  return loss;
}

/** log Σ exp of `values[start .. start + count)`, shifted by the maximum. */
function logSumExp(values: Float32Array, start: number, count: number): number {
  let max = -Infinity;
  for (let u = 0; u < count; u++) max = Math.max(max, values[start + u]);
  let sum = 0;
  for (let u = 0; u < count; u++) sum += Math.exp(values[start + u] - max);
  return max + Math.log(sum);
}
