/**
 * Mean softmax cross-entropy of `logits` [B, U] (row-major) against `labels` (a row summing to s
 * counts s times; 0 leaves it out), and its gradient times `weight` into `grad`: weight · (s · softmax − labels) / B.
 * One `Math.exp` per logit (the exponentials wait in `grad` until the row's sum is known): the
 * ranker's step spends most of its time here.
 */
export function softmaxCrossEntropyRows(logits: Float32Array, labels: Float32Array, B: number, U: number, weight: number, grad: Float32Array): number {
  let loss = 0;
  for (let i = 0; i < B; i++) {
    const row = i * U;
    let max = -Infinity;
    let labelSum = 0;
    for (let u = 0; u < U; u++) {
      if (logits[row + u] > max) max = logits[row + u];
      labelSum += labels[row + u];
    }
    let sum = 0;
    for (let u = 0; u < U; u++) {
      const e = Math.exp(logits[row + u] - max);
      grad[row + u] = e;
      sum += e;
    }
    const lse = max + Math.log(sum);
    const scale = (weight * labelSum) / (sum * B);
    for (let u = 0; u < U; u++) {
      const y = labels[row + u];
      if (y !== 0) loss -= y * (logits[row + u] - lse);
      grad[row + u] = grad[row + u] * scale - (weight * y) / B;
    }
  }
  return loss / B;
}
