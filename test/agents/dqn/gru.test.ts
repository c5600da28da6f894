import { describe, expect, it } from 'vitest';
import { initBackend, type Tf } from '../../../src/agents/dqn/backend.js';
import { softmaxCrossEntropy } from '../../../src/agents/dqn/dqn-learner.js';
import { createGruWeights, gruSequence, gruVariables, matMul, matMulConstant, projection, uploadSteps } from '../../../src/agents/dqn/gru.js';
import { createRng } from '../../../src/core/rng.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

async function cpu(): Promise<Tf> {
  return (await initBackend('cpu')).tf;
}

describe('gruSequence', () => {
  it('computes the reset-after GRU step by hand (one unit)', async () => {
    const tf = await cpu();
    const w = createGruWeights(tf, 1, 1, createRng(0), 'hand');
    const [xr, xz, xn, hr, hz, hn, bhn] = [0.5, -0.3, 0.8, 0.2, 0.1, -0.4, 0.05];
    w.wxR.assign(tf.tensor2d([[xr]]));
    w.wxZ.assign(tf.tensor2d([[xz]]));
    w.wxN.assign(tf.tensor2d([[xn]]));
    w.whR.assign(tf.tensor2d([[hr]]));
    w.whZ.assign(tf.tensor2d([[hz]]));
    w.whN.assign(tf.tensor2d([[hn]]));
    w.bhN.assign(tf.tensor1d([bhn]));
    const xs = [1, -2];
    const states = tf.tidy(() => gruSequence(tf, w, xs.map((x) => tf.tensor2d([[x]]))).map((s) => s.dataSync()[0]));
    let h = 0;
    for (let t = 0; t < 2; t++) {
      const r = sigmoid(xs[t] * xr + h * hr);
      const z = sigmoid(xs[t] * xz + h * hz);
      const n = Math.tanh(xs[t] * xn + r * (h * hn + bhn));
      h = (1 - z) * n + z * h;
      expect(states[t]).toBeCloseTo(h, 6);
    }
    tf.dispose(gruVariables(w));
  });

  it('gives the same gradients with and without pre-transposed inputs', async () => {
    const tf = await cpu();
    const rng = createRng(1);
    const w = createGruWeights(tf, 3, 4, rng, 'grad');
    const values = Float32Array.from({ length: 5 * 2 * 3 }, () => rng.next() - 0.5);
    const grads = (withTransposed: boolean) =>
      tf.tidy(() => {
        const { steps, transposed } = uploadSteps(tf, values, 5, 2, 3, true);
        const f = (...vars: never[]) => {
          void vars;
          const states = gruSequence(tf, w, steps, withTransposed ? transposed : undefined);
          return tf.sum(tf.mul(states[4], states[2])) as never;
        };
        const { grads: g } = tf.valueAndGrads(f)([...gruVariables(w), ...steps]);
        return g.map((t) => Array.from(t.dataSync()));
      });
    const a = grads(false);
    const b = grads(true);
    a.forEach((g, i) => g.forEach((v, j) => expect(b[i][j]).toBeCloseTo(v, 5)));
    tf.dispose(gruVariables(w));
  });
});

describe('matMul', () => {
  it('matches tf.matMul values and gradients, including the constant and projection forms', async () => {
    const tf = await cpu();
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, -1], [0, 2], [3, 1]]);
    const aT = tf.transpose(a) as never;
    const ref = tf.grads((x: never, y: never) => tf.sum(tf.square(tf.matMul(x, y))) as never)([a, b]);
    const mine = tf.grads((x: never, y: never) => tf.sum(tf.square(matMul(tf, x, y))) as never)([a, b]);
    const proj = tf.grads((x: never, y: never) => tf.sum(tf.square(projection(tf, x, aT, y))) as never)([a, b]);
    const constant = tf.grads((y: never) => tf.sum(tf.square(matMulConstant(tf, a, y))) as never)([b]);
    expect(Array.from(mine[0].dataSync())).toEqual(Array.from(ref[0].dataSync()));
    expect(Array.from(mine[1].dataSync())).toEqual(Array.from(ref[1].dataSync()));
    expect(Array.from(proj[1].dataSync())).toEqual(Array.from(ref[1].dataSync()));
    expect(Array.from(constant[0].dataSync())).toEqual(Array.from(ref[1].dataSync()));
    tf.dispose([a, b, aT, ...ref, ...mine, ...proj, ...constant]);
  });
});

describe('softmaxCrossEntropy', () => {
  it('matches tf.losses.softmaxCrossEntropy in value and gradient', async () => {
    const tf = await cpu();
    const logits = tf.tensor2d([[1, 2, 0.5], [-1, 3, 30]]);
    const labels = tf.tensor2d([[0, 1, 0], [1, 0, 0]]);
    const ref = tf.valueAndGrad((x: never) => tf.losses.softmaxCrossEntropy(labels, x) as never)(logits);
    const mine = tf.valueAndGrad((x: never) => softmaxCrossEntropy(tf, x, labels) as never)(logits);
    expect(mine.value.dataSync()[0]).toBeCloseTo(ref.value.dataSync()[0], 5);
    Array.from(ref.grad.dataSync()).forEach((v, i) => expect(mine.grad.dataSync()[i]).toBeCloseTo(v, 6));
    tf.dispose([logits, labels, ref.value, ref.grad, mine.value, mine.grad]);
  });
});
