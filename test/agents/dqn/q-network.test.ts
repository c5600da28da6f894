import { describe, expect, it } from 'vitest';
import { initBackend, wasmKernels } from '../../../src/agents/dqn/backend.js';
import { QNetwork } from '../../../src/agents/dqn/q-network.js';
import { createRng } from '../../../src/core/rng.js';

describe('QNetwork', () => {
  describe('#qStateValues', () => {
    for (const [backend, isDirect] of [
      ['wasm', true],
      ['wasm', false],
      ['cpu', false],
    ] as const) {
      it(`equals qState with a ones column, and follows a reassigned wq (${backend}${isDirect ? ', direct' : ''})`, async () => {
        const { tf } = await initBackend(backend);
        const k = isDirect ? wasmKernels(tf) : undefined;
        expect(k !== undefined).toBe(isDirect);
        const rng = createRng(3);
        const net = new QNetwork(tf, { numItems: 7, itemDim: 4, hiddenSize: 5, numFeatures: 10, isDueling: false, isSupervised: false }, rng);
        const n = 3;
        const h = Float32Array.from({ length: n * 5 }, () => rng.next() * 2 - 1);
        for (let round = 0; round < 2; round++) {
          const got = net.qStateValues(k, h, n);
          const expected = tf.tidy(() => net.qState(tf.tensor2d(h, [n, 5])).dataSync());
          expect(got.length).toBe(n * 5);
          got.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 5));
          for (let i = 0; i < n; i++) expect(got[i * 5 + 4]).toBe(1);
          tf.tidy(() => net.wq.assign(tf.mul(net.wq, -2)));
        }
        net.dispose();
      });
    }
  });
});
