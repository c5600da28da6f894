import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { RecommendationEnv } from '../../src/env/recommendation-env.js';
import { VectorRecommendationEnv, type VectorObservation } from '../../src/env/vector-env.js';
import { createObservationSpace } from '../../src/env/observation.js';
import { firstDifference } from '../../src/env/check-env.js';
import { DEFAULT_REWARDS, rewardOf } from '../../src/env/rewards.js';
import type { BehaviorCode } from '../../src/data/behavior.js';
import { ids, positionsOf, tinyStore } from './fixtures.js';

const L = 3;
const C = 3;

function vectorEnv(numEnvs: number, options: Partial<ConstructorParameters<typeof VectorRecommendationEnv>[0]> = {}) {
  return new VectorRecommendationEnv({ store: tinyStore(), numCandidates: C, historyLength: L, numEnvs, ...options });
}

/** Slot i of a batch as a single-env observation. */
function slot(batch: VectorObservation, i: number, withCandidates = true) {
  const history = {
    items: batch.items.slice(i * L, (i + 1) * L),
    behaviors: batch.behaviors.slice(i * L, (i + 1) * L),
    hours: batch.hours.slice(i * L, (i + 1) * L),
    categories: batch.categories.slice(i * L, (i + 1) * L),
    mask: batch.mask.slice(i * L, (i + 1) * L),
  };
  return withCandidates ? { ...history, candidates: batch.candidates.slice(i * C, (i + 1) * C) } : history;
}

/** Actions that pick each slot's logged item from its candidates. */
function perfectActions(env: VectorRecommendationEnv, observations: VectorObservation, out: Int32Array): Int32Array {
  const items = env.setup.store.items;
  for (let i = 0; i < env.numEnvs; i++) {
    const target = items[positionsOf(env.setup.store, observations)[i]];
    out[i] = observations.candidates.subarray(i * C, (i + 1) * C).indexOf(target);
  }
  return out;
}

describe('VectorRecommendationEnv', () => {
  describe('#reset', () => {
    it('deals distinct episodes to slots and fills batch observations in the observation space', () => {
      const env = vectorEnv(3);
      const { observations, info } = env.reset({ seed: 1 });
      expect([...info.episodes].sort()).toEqual([0, 1, 2]);
      const space = createObservationSpace({ numItems: env.setup.store.numItems, numCategories: env.setup.store.numCategories, historyLength: L, numCandidates: C });
      for (let i = 0; i < 3; i++) {
        expect(space.explain(slot(observations, i))).toBeUndefined();
        expect(positionsOf(env.setup.store, observations)[i]).toBe(env.setup.episodes.start[info.episodes[i]]);
        expect(observations.users[i]).toBe(env.setup.episodes.user[info.episodes[i]]);
        expect(observations.candidates.subarray(i * C, (i + 1) * C)).toContain(env.setup.store.items[positionsOf(env.setup.store, observations)[i]]);
      }
    });
  });

  describe('#step', () => {
    it('pays hits and auto-resets finished slots in the same step, keeping the final observation', () => {
      const env = vectorEnv(1);
      const { store, episodes } = env.setup;
      const { item, user } = ids(store);
      let observations = env.reset({ seed: 3 }).observations;
      const actions = new Int32Array(1);
      const log: Array<{ position: number; reward: number; done: string; finalItems: number[]; finalPosition: number; nextPosition: number; length: number; ret: number }> = [];
      for (let t = 0; t < 11; t++) {
        const result = env.step(perfectActions(env, observations, actions));
        expect(result.hits[0]).toBe(1);
        // The item the user acted on is handed over, so that a learner need not read the log.
        expect(result.nextItems[0]).toBe(store.items[result.info.targetPositions[0]]);
        const isDone = result.terminations[0] === 1 || result.truncations[0] === 1;
        log.push({
          position: result.info.targetPositions[0],
          reward: Math.round(result.rewards[0] * 1e6) / 1e6,
          done: `${result.terminations[0]}${result.truncations[0]}`,
          finalItems: isDone ? Array.from(result.finalObservations.items) : [],
          finalPosition: isDone ? positionsOf(env.setup.store, result.finalObservations)[0] : -1,
          nextPosition: positionsOf(env.setup.store, result.observations)[0],
          length: result.info.episodeLengths[0],
          ret: result.info.episodeReturns[0],
        });
        observations = result.observations;
      }
      const start100 = store.userOffsets[user(100)];
      const steps100 = log.filter((s) => s.position > start100 && s.position <= start100 + 3);
      expect(steps100.map((s) => s.reward)).toEqual([0.3, 0.5, 0.8]);
      expect(steps100.map((s) => s.done)).toEqual(['00', '00', '01']);
      const last = steps100[2];
      expect(last.finalItems).toEqual([item(2), item(3), item(4)]);
      expect(last.finalPosition).toBe(start100 + 4);
      expect([last.length, last.ret]).toEqual([3, expect.closeTo(1.6, 10)]);
      // Same-step auto-reset: after a finished step the observation is a new episode's first one, and
      // the next step acts on exactly that episode's first target.
      for (let t = 0; t + 1 < log.length; t++) {
        if (log[t].done !== '00') {
          expect(episodes.start).toContain(log[t].nextPosition);
          expect(log[t + 1].position).toBe(log[t].nextPosition);
        }
      }
      expect(log.filter((s) => s.done !== '00')).toHaveLength(3);
    });

    it('deals every episode once per pass, reshuffled after each pass, and counts passes', () => {
      const env = vectorEnv(1);
      const { episodes } = env.setup;
      let observations = env.reset({ seed: 5 }).observations;
      const dealt = [episodes.start.indexOf(positionsOf(env.setup.store, observations)[0])];
      const passes = [env.passes];
      while (dealt.length < 15) {
        const result = env.step(new Int32Array(1));
        observations = result.observations;
        if (result.terminations[0] || result.truncations[0]) {
          dealt.push(episodes.start.indexOf(positionsOf(env.setup.store, observations)[0]));
          passes.push(env.passes);
        }
      }
      const orders = [0, 1, 2, 3, 4].map((k) => dealt.slice(3 * k, 3 * k + 3));
      for (const order of orders) expect([...order].sort()).toEqual([0, 1, 2]);
      expect(new Set(orders.map((o) => o.join())).size).toBeGreaterThan(1);
      expect(passes).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    });

    it('agrees with the single env on reward semantics (N = 1, perfect and always-0 agents)', () => {
      for (const policy of ['perfect', 'zero'] as const) {
        const vector = vectorEnv(1, { trainingEpoch: 10 });
        const { episodes, store } = vector.setup;
        const single = new RecommendationEnv({ store, numCandidates: C, historyLength: L, trainingEpoch: 10 });
        let observations = vector.reset({ seed: 11 }).observations;
        const actions = new Int32Array(1);
        let totalHits = 0;
        for (let e = 0; e < 6; e++) {
          const episode = episodes.start.indexOf(positionsOf(store, observations)[0]);
          let singleObservation = single.reset({ options: { episode } }).observation;
          expect(slot(observations, 0, false)).toEqual({ ...singleObservation, candidates: undefined, ...slot(observations, 0, false) });
          for (;;) {
            const target = store.items[positionsOf(store, observations)[0]];
            if (policy === 'perfect') perfectActions(vector, observations, actions);
            const v = vector.step(actions);
            const s = single.step(policy === 'perfect' ? singleObservation.candidates!.indexOf(target) : 0);
            expect(v.info.targetPositions[0]).toBe(s.info.event.position);
            const behavior = store.behaviors[s.info.event.position] as BehaviorCode;
            expect(v.rewards[0]).toBe(v.hits[0] === 1 ? Math.fround(rewardOf(DEFAULT_REWARDS, behavior, 10)) : 0);
            expect(s.reward).toBe(s.info.hit ? rewardOf(DEFAULT_REWARDS, behavior, 10) : 0);
            if (policy === 'perfect') expect([v.hits[0], v.rewards[0]]).toEqual([1, Math.fround(s.reward)]);
            totalHits += v.hits[0];
            const isDone = v.terminations[0] === 1 || v.truncations[0] === 1;
            expect([v.terminations[0] === 1, v.truncations[0] === 1]).toEqual([s.terminated, s.truncated]);
            if (isDone) {
              expect(Array.from(slot(v.finalObservations, 0).items)).toEqual(Array.from(s.observation.items));
              observations = v.observations;
              break;
            }
            observations = v.observations;
            singleObservation = s.observation;
            expect(Array.from(slot(observations, 0).items)).toEqual(Array.from(singleObservation.items));
            expect(Array.from(slot(observations, 0).hours)).toEqual(Array.from(singleObservation.hours));
          }
        }
        if (policy === 'perfect') expect(totalHits).toBeGreaterThan(10);
      }
    });

    it('reuses its buffers: the result object and arrays are the same across steps', () => {
      const env = vectorEnv(2);
      env.reset({ seed: 1 });
      const a = env.step(new Int32Array(2));
      const b = env.step(new Int32Array(2));
      expect(b).toBe(a);
      expect(b.observations.items).toBe(a.observations.items);
      expect(b.rewards).toBe(a.rewards);
    });

    it('gives the same rollout for the same seed', () => {
      const run = () => {
        const env = vectorEnv(3);
        const trace: unknown[] = [structuredClone(env.reset({ seed: 9 }).observations)];
        const actions = Int32Array.of(0, 1, 2);
        for (let t = 0; t < 15; t++) trace.push(structuredClone(env.step(actions)));
        return trace;
      };
      expect(firstDifference(run(), run())).toBeUndefined();
    });

    it('re-creates the Rng and the episode order on reset({ seed }) and continues them on reset()', () => {
      // Each result is read at once: the env reuses its buffers.
      const text = (r: { observations: VectorObservation }) => `${positionsOf(fresh.setup.store, r.observations).join(',')}|${r.observations.candidates.join(',')}`;
      const snapshot = (env: VectorRecommendationEnv, seed?: number) => [text(env.reset(seed === undefined ? {} : { seed })), text(env.reset())];
      const fresh = vectorEnv(2, { seed: 5 });
      const used = vectorEnv(2, { seed: 99 });
      used.reset();
      used.step(new Int32Array(2));
      const expected = snapshot(fresh);
      expect(expected[1]).not.toBe(expected[0]);
      expect(snapshot(used, 5)).toEqual(expected);
      expect(used.passes).toBe(fresh.passes);
    });

    it('throws RESET_NEEDED before reset and INVALID_ACTION for bad actions', () => {
      const env = vectorEnv(2);
      expect(() => env.step(new Int32Array(2))).toThrow(expect.objectContaining({ code: ErrorCode.RESET_NEEDED }));
      env.reset({ seed: 1 });
      expect(() => env.step(new Int32Array(3))).toThrow(/expected actions as Int32Array\(2\), actual Int32Array\(3\)/);
      expect(() => env.step(Int32Array.of(0, 3))).toThrow(/actions\[1\]: expected a candidate index in \[0, 2\], actual 3/);
      expect(() => env.step([0, 0] as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ACTION }));
      env.close();
      env.close();
      expect(() => env.reset()).toThrow(expect.objectContaining({ code: ErrorCode.CLOSED }));
    });

    it('steps slates in slate mode', () => {
      const env = vectorEnv(2, { mode: 'slate', slateSize: 2 });
      const { item } = ids(env.setup.store);
      const { observations } = env.reset({ seed: 2 });
      expect(observations.candidates).toHaveLength(0);
      const actions = new Int32Array(4);
      for (let i = 0; i < 2; i++) {
        const target = env.setup.store.items[positionsOf(env.setup.store, observations)[i]];
        actions[2 * i] = target === item(10) ? item(11) : item(10);
        actions[2 * i + 1] = target;
      }
      const result = env.step(actions);
      expect(Array.from(result.hits)).toEqual([1, 1]);
      expect(Array.from(result.info.positiveIndices)).toEqual([1, 1]);
      expect(result.rewards[0]).toBeGreaterThan(0);
      expect(() => env.step(Int32Array.of(item(10), item(10), item(11), item(12)))).toThrow(/distinct/);
    });
  });

  describe('training-epoch schedule', () => {
    it('passes the number of completed passes to the schedule', () => {
      const seen: number[] = [];
      const env = vectorEnv(1, {
        trainingEpochSchedule: ({ passes }) => {
          seen.push(passes);
          return passes;
        },
      });
      env.reset({ seed: 1 });
      const actions = new Int32Array(1);
      while (env.passes < 2) env.step(actions);
      expect(seen.slice(0, 7)).toEqual([0, 0, 0, 1, 1, 1, 2]);
      expect(env.trainingEpoch).toBe(2);
    });
  });

  it('throws RangeError for numEnvs < 1', () => {
    expect(() => vectorEnv(0)).toThrow(RangeError);
  });
});

describe('shared candidate sampler', () => {
  it('is shared by envs over one store with the same options, and each env draws what it draws with a sampler of its own', () => {
    const store = tinyStore();
    const options = { store, negatives: 'popularity' as const };
    const a = vectorEnv(2, { ...options, seed: 1 });
    const b = vectorEnv(2, { ...options, seed: 2 });
    expect(a.setup.sampler).toBe(b.setup.sampler);
    expect(vectorEnv(2, { ...options, numCandidates: C + 1 }).setup.sampler).not.toBe(a.setup.sampler);
    expect(vectorEnv(2, { ...options, negatives: 'uniform' }).setup.sampler).not.toBe(a.setup.sampler);
    const alone = vectorEnv(2, { store: tinyStore(), negatives: 'popularity', seed: 1 });
    expect(alone.setup.sampler).not.toBe(a.setup.sampler);
    a.reset({ seed: 1 });
    b.reset({ seed: 2 });
    alone.reset({ seed: 1 });
    const actions = new Int32Array(2);
    for (let t = 0; t < 60; t++) {
      actions.fill(t % C);
      b.step(actions);
      const shared = a.step(actions);
      const own = alone.step(actions);
      expect(Array.from(shared.observations.candidates), `step ${t}`).toEqual(Array.from(own.observations.candidates));
      expect(Array.from(shared.rewards)).toEqual(Array.from(own.rewards));
    }
  });
});
