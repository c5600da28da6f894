import type * as TF from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/agents/dqn/backend.js';
import { softmaxCrossEntropy } from '../../src/agents/dqn/losses.js';
import { softmaxCrossEntropyRows } from '../../src/agents/softmax.js';
import { createRng } from '../../src/core/rng.js';

describe('softmaxCrossEntropyRows', () => {
  it('matches softmaxCrossEntropy and its gradient (times the weight), leaving out rows without a label', async () => {
    const { tf } = await initBackend('cpu');
    const rng = createRng('ce');
    const B = 3;
    const U = 5;
    const logits = Float32Array.from({ length: B * U }, () => rng.next() * 4 - 2);
    const labels = new Float32Array(B * U);
    labels[0 * U + 2] = 1;
    labels[2 * U + 4] = 1; // row 1 has no label
    const grad = new Float32Array(B * U);
    const loss = softmaxCrossEntropyRows(logits, labels, B, U, 0.5, grad);
    const x = tf.tensor2d(logits, [B, U]);
    const y = tf.tensor2d(labels, [B, U]);
    const { value, grads } = tf.valueAndGrads((...args: TF.Tensor[]) => tf.mul(softmaxCrossEntropy(tf, args[0] as TF.Tensor2D, y), 0.5) as TF.Scalar)([x]);
    expect(loss * 0.5).toBeCloseTo(value.dataSync()[0], 5);
    const expected = grads[0].dataSync();
    for (let k = 0; k < B * U; k++) expect(grad[k]).toBeCloseTo(expected[k], 5);
    for (let u = 0; u < U; u++) expect(grad[U + u]).toBe(0);
    tf.dispose([x, y, value, ...grads]);
  });
});

