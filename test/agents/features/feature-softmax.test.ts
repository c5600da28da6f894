import { describe, expect, it } from 'vitest';
import { ContextFeatures, NUM_CONTEXT_FEATURES } from '../../../src/agents/features/context-features.js';
import { FeatureSoftmax } from '../../../src/agents/features/feature-softmax.js';
import { HistoryFeatures, NUM_HISTORY_FEATURES } from '../../../src/agents/features/history-features.js';
import { parseRankerConfig } from '../../../src/agents/ranker/config.js';
import { createRng } from '../../../src/core/rng.js';
import { splitByDay } from '../../../src/data/split.js';
import { catalogueOf } from '../../../src/env/candidates.js';
import { identityStore } from '../dqn/fixtures.js';
import { StateBatch } from '../../../src/data/state-batch.js';

describe('FeatureSoftmax', () => {
  it("gives the weights' gradient of its loss (checked by finite differences)", () => {
    const store = identityStore({ numUsers: 12 });
    const train = splitByDay(store).train;
    const catalogue = catalogueOf(store, train);
    const known = new Uint8Array(store.numItems);
    for (const x of catalogue) known[x] = 1;
    const config = parseRankerConfig({ uniformNegatives: 6, dayByDay: false });
    const history = new HistoryFeatures(store.numItems, config.historyScanLimit);
    const context = new ContextFeatures(store, { untilTime: train.end, recentEvents: 10, periodSeconds: 86_400, known });
    const positions = Int32Array.from([40, 41, 42, 75, 76, 120]);
    const states = StateBatch.before(store, Int32Array.from(positions, (p) => store.users[p]), positions);
    const nextItems = Int32Array.from(positions, (p) => store.items[p]);
    const rng = createRng('weights');
    const wh = Float32Array.from({ length: NUM_HISTORY_FEATURES }, () => rng.next() - 0.5);
    const wc = Float32Array.from({ length: NUM_CONTEXT_FEATURES }, () => rng.next() - 0.5);
    // The same negatives at every call: a fresh sampler on the same seed.
    const loss = (h: Float32Array, c: Float32Array, dh = new Float32Array(NUM_HISTORY_FEATURES), dc = new Float32Array(NUM_CONTEXT_FEATURES)) =>
      new FeatureSoftmax(catalogue, history, context, config, createRng('negatives')).lossAndGradient(states, nextItems, h, c, dh, dc);
    const dh = new Float32Array(NUM_HISTORY_FEATURES);
    const dc = new Float32Array(NUM_CONTEXT_FEATURES);
    const value = loss(wh, wc, dh, dc);
    expect(value).toBeGreaterThan(0);
    const eps = 1e-2;
    const check = (weights: Float32Array, grad: Float32Array, isHistory: boolean) => {
      for (let j = 0; j < weights.length; j++) {
        const plus = weights.slice();
        const minus = weights.slice();
        plus[j] += eps;
        minus[j] -= eps;
        const numeric = isHistory ? (loss(plus, wc) - loss(minus, wc)) / (2 * eps) : (loss(wh, plus) - loss(wh, minus)) / (2 * eps);
        expect(grad[j]).toBeCloseTo(numeric, 2);
      }
    };
    check(wh, dh, true);
    check(wc, dc, false);
    expect(Array.from(dh).some((g) => g !== 0)).toBe(true);
  });
});
