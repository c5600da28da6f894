/**
 * Mean softmax cross-entropy of `logits` [B, U] (row-major) against `labels` (a row summing to s
 * counts s times; 0 leaves it out), and its gradient times `weight` into `grad`: weight · (s · softmax − labels) / B.
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
    for (let u = 0; u < U; u++) sum += Math.exp(logits[row + u] - max);
    const lse = max + Math.log(sum);
    for (let u = 0; u < U; u++) {
      const y = labels[row + u];
      if (y !== 0) loss -= y * (logits[row + u] - lse);
      grad[row + u] = (weight * (labelSum * Math.exp(logits[row + u] - lse) - y)) / B;
    }
  }
  return loss / B;
}
