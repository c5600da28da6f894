import type * as TF from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, wasmKernels, type Tf } from '../../../src/agents/dqn/backend.js';
import { gruSequence, projection } from './reference-gru.js';
import { softmaxCrossEntropy } from '../../../src/agents/dqn/losses.js';
import { createGruWeights, gruEncode, gruForward, gruForwardValues, gruTrainDirect, gruVariables, matMul, matMulConstant, uploadSteps } from '../../../src/agents/dqn/gru.js';
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
        const f = () => {
          const states = gruSequence(tf, w, steps, withTransposed ? transposed : undefined);
          return tf.sum(tf.mul(states[4], states[2]));
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

describe('gruEncode', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`reproduces autodiff of gruSequence: values and gradients, last and selected states (${backend})`, async () => {
      const { tf } = await initBackend(backend);
      const rng = createRng(2);
      const [T, N, D, H] = [4, 3, 5, 6];
      const w = createGruWeights(tf, D, H, rng, `fused-${backend}`);
      tf.tidy(() => w.bhN.assign(tf.tensor1d(Array.from({ length: H }, () => rng.next() - 0.5))));
      const values = Float32Array.from({ length: T * N * D }, () => rng.next() * 2 - 1);
      // Two selected rows: state after step 1 of sequence 2, after step 3 of sequence 0.
      const selections = [
        { t: 1, rows: [[0, 0, 1]] },
        { t: 3, rows: [[1, 0, 0]] },
      ];
      const check = (kind: 'last' | 'select') =>
        tf.tidy(() => {
          const { steps, transposed } = uploadSteps(tf, values, T, N, D, true);
          const flat = tf.tensor2d(values.slice(), [T * N, D]);
          const flatT = tf.transpose(flat);
          const blocks = selections.map(({ t, rows }) => {
            const sel = tf.tensor2d([...rows, [0, 0, 0]].flat(), [2, N]);
            const full = t === 1 ? sel : tf.tensor2d([[0, 0, 0], ...rows].flat(), [2, N]);
            return { t, sel: full, selT: tf.transpose(full) };
          });
          const all = tf.concat(Array.from({ length: T }, (_, t) => blocks.find((b) => b.t === t)?.sel ?? (tf.zeros([2, N]) as TF.Tensor2D)), 1);
          const target = tf.tensor2d(Array.from({ length: (kind === 'last' ? N : 2) * H }, (_, k) => Math.sin(k)), [kind === 'last' ? N : 2, H]);
          const reference = () => {
            const states = gruSequence(tf, w, steps, transposed);
            const out = kind === 'last' ? states[T - 1] : tf.addN(blocks.map((b) => tf.matMul(b.sel, states[b.t])));
            return tf.sum(tf.mul(out, target));
          };
          const fused = () => {
            const out = gruEncode(tf, w, flat, steps, flatT, kind === 'last' ? { kind: 'last' } : { kind: 'select', all, blocks });
            return tf.sum(tf.mul(out, target));
          };
          const a = tf.valueAndGrads(reference)([...gruVariables(w), ...steps]);
          const b = tf.valueAndGrads(fused)([...gruVariables(w), flat]);
          expect(b.value.dataSync()[0]).toBeCloseTo(a.value.dataSync()[0], 5);
          for (let k = 0; k < 7; k++) {
            const ref = a.grads[k].dataSync();
            const got = b.grads[k].dataSync();
            ref.forEach((v, j) => expect(got[j]).toBeCloseTo(v, 4));
          }
          const dSteps = a.grads.slice(7).flatMap((g) => Array.from(g.dataSync()));
          const dFlat = Array.from(b.grads[7].dataSync());
          dSteps.forEach((v, j) => expect(dFlat[j]).toBeCloseTo(v, 4));
          const forward = gruForward(tf, w, steps);
          const sequence = gruSequence(tf, w, steps);
          Array.from(sequence[T - 1].dataSync()).forEach((v, j) => expect(forward[T - 1].dataSync()[j]).toBeCloseTo(v, 5));
        });
      check('last');
      check('select');
      tf.dispose(gruVariables(w));
    });
  }
});

describe('gruEncode (large batch: the 2σ(2a) − 1 tanh path)', () => {
  it('reproduces autodiff of gruSequence for the last state', async () => {
    const { tf } = await initBackend('wasm');
    const rng = createRng(3);
    const [T, N, D, H] = [3, 70, 4, 64];
    const w = createGruWeights(tf, D, H, rng, 'fused-large');
    const values = Float32Array.from({ length: T * N * D }, () => rng.next() * 2 - 1);
    tf.tidy(() => {
      const { steps, transposed } = uploadSteps(tf, values, T, N, D, true);
      const flat = tf.tensor2d(values.slice(), [T * N, D]);
      const flatT = tf.transpose(flat);
      const target = tf.tensor2d(Array.from({ length: N * H }, (_, k) => Math.cos(k)), [N, H]);
      const a = tf.valueAndGrads(() => tf.sum(tf.mul(gruSequence(tf, w, steps, transposed)[T - 1], target)))([...gruVariables(w), ...steps]);
      const b = tf.valueAndGrads(() => tf.sum(tf.mul(gruEncode(tf, w, flat, steps, flatT, { kind: 'last' }), target)))([...gruVariables(w), flat]);
      expect(b.value.dataSync()[0]).toBeCloseTo(a.value.dataSync()[0], 3);
      for (let k = 0; k < 7; k++) {
        const ref = a.grads[k].dataSync();
        const got = b.grads[k].dataSync();
        ref.forEach((v, j) => expect(got[j]).toBeCloseTo(v, 3));
      }
    });
    tf.dispose(gruVariables(w));
  });
});

describe('matMul', () => {
  it('matches tf.matMul values and gradients, including the constant and projection forms', async () => {
    const tf = await cpu();
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, -1], [0, 2], [3, 1]]);
    const aT = tf.transpose(a);
    const two = (f: (x: TF.Tensor2D, y: TF.Tensor2D) => TF.Tensor) => (...t: TF.Tensor[]) => tf.sum(tf.square(f(t[0] as TF.Tensor2D, t[1] as TF.Tensor2D)));
    const ref = tf.grads(two((x, y) => tf.matMul(x, y)))([a, b]);
    const mine = tf.grads(two((x, y) => matMul(tf, x, y)))([a, b]);
    const proj = tf.grads(two((x, y) => projection(tf, x, aT, y)))([a, b]);
    const constant = tf.grads((...t: TF.Tensor[]) => tf.sum(tf.square(matMulConstant(tf, a, t[0] as TF.Tensor2D))))([b]);
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
    const ref = tf.valueAndGrad((x: TF.Tensor) => tf.losses.softmaxCrossEntropy(labels, x) as TF.Scalar)(logits);
    const mine = tf.valueAndGrad((x: TF.Tensor) => softmaxCrossEntropy(tf, x as TF.Tensor2D, labels))(logits);
    expect(mine.value.dataSync()[0]).toBeCloseTo(ref.value.dataSync()[0], 5);
    Array.from(ref.grad.dataSync()).forEach((v, i) => expect(mine.grad.dataSync()[i]).toBeCloseTo(v, 6));
    tf.dispose([logits, labels, ref.value, ref.grad, mine.value, mine.grad]);
  });
});

describe('gruForwardValues', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`returns every state time-major, as gruSequence computes them (${backend})`, async () => {
      const { tf } = await initBackend(backend);
      const k = wasmKernels(tf);
      expect(k !== undefined).toBe(backend === 'wasm');
      const rng = createRng(4);
      const [T, N, D, H] = [5, 3, 4, 6];
      const w = createGruWeights(tf, D, H, rng, `values-${backend}`);
      tf.tidy(() => w.bhN.assign(tf.tensor1d(Array.from({ length: H }, () => rng.next() - 0.5))));
      const values = Float32Array.from({ length: T * N * D }, () => rng.next() * 2 - 1);
      const got = gruForwardValues(tf, k, w, values, T, N);
      const want = tf.tidy(() => Array.from(tf.concat(gruSequence(tf, w, uploadSteps(tf, values, T, N, D, false).steps), 0).dataSync()));
      expect(got.length).toBe(T * N * H);
      want.forEach((v, j) => expect(got[j]).toBeCloseTo(v, 5));
      expect(Array.from(gruForwardValues(tf, k, w, values, T, N))).toEqual(Array.from(got));
      tf.dispose(gruVariables(w));
    });
  }

  it('follows reassigned weights across networks run in turn (WASM reuses packed weights while unchanged)', async () => {
    const { tf } = await initBackend('wasm');
    const rng = createRng(8);
    const [T, N, D, H] = [3, 2, 4, 5];
    const nets = [0, 1, 2].map((i) => createGruWeights(tf, D, H, rng, `packed-${i}`));
    const values = Float32Array.from({ length: T * N * D }, () => rng.next() * 2 - 1);
    const expected = (w: (typeof nets)[number]) => tf.tidy(() => Array.from(tf.concat(gruSequence(tf, w, uploadSteps(tf, values, T, N, D, false).steps), 0).dataSync()));
    // Two networks alternate, a third evicts one, then one is reassigned (as a target update does).
    for (const i of [0, 1, 0, 1, 2, 0, 2, 1]) {
      if (i === 1) tf.tidy(() => nets[1].whZ.assign(tf.mul(nets[1].whZ, 0.5)));
      const got = gruForwardValues(tf, wasmKernels(tf), nets[i], values, T, N);
      expected(nets[i]).forEach((v, j) => expect(got[j]).toBeCloseTo(v, 5));
    }
    for (const w of nets) tf.dispose(gruVariables(w));
  });
});

describe('gruTrainDirect', () => {
  for (const [T, N] of [
    [4, 3],
    [3, 1300],
  ] as const) {
    // T·N·3H below and above the size that projects all steps in one product.
    it(`reproduces autodiff of gruSequence from gradients of every state, input gradient of the first columns (T ${T}, N ${N})`, async () => {
      const { tf } = await initBackend('wasm');
      const k = wasmKernels(tf);
      if (!k) throw new Error('expected direct WASM kernels');
      const rng = createRng(7);
      const [D, H, columns] = [5, 6, 3];
      const w = createGruWeights(tf, D, H, rng, `direct-pass-${N}`);
      tf.tidy(() => w.bhN.assign(tf.tensor1d(Array.from({ length: H }, () => rng.next() - 0.5))));
      const values = Float32Array.from({ length: T * N * D }, () => rng.next() * 2 - 1);
      const dStates = Float32Array.from({ length: T * N * H }, (_, e) => Math.sin(e));
      const pass = gruTrainDirect(k, w, values, T, N, columns);
      const states = pass.states.slice();
      const g = pass.backward(dStates);
      tf.tidy(() => {
        const { steps } = uploadSteps(tf, values, T, N, D, false);
        const reference = tf.valueAndGrads(() => {
          const all = gruSequence(tf, w, steps);
          return tf.sum(tf.mul(tf.concat(all, 0), tf.tensor2d(dStates, [T * N, H])));
        })([...gruVariables(w), ...steps]);
        const expectedStates = tf.concat(gruSequence(tf, w, steps), 0).dataSync();
        expectedStates.forEach((v, j) => expect(states[j]).toBeCloseTo(v, 5));
        for (let v = 0; v < 7; v++) {
          const expected = reference.grads[v].dataSync();
          expect(g.weights[v].length).toBe(expected.length);
          expected.forEach((x, j) => expect(Math.abs(g.weights[v][j] - x)).toBeLessThan(1e-4 * Math.max(1, Math.abs(x))));
        }
        const dSteps = reference.grads.slice(7).flatMap((s) => Array.from(s.dataSync()));
        expect(g.dX.length).toBe(T * N * columns);
        for (let row = 0; row < T * N; row++) {
          for (let c = 0; c < columns; c++) expect(g.dX[row * columns + c]).toBeCloseTo(dSteps[row * D + c], 4);
        }
      });
      tf.dispose(gruVariables(w));
    });
  }
});
