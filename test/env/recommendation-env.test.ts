import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, RecGymError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { Behavior } from '../../src/data/behavior.js';
import { RecommendationEnv } from '../../src/env/recommendation-env.js';
import { checkEnv, firstDifference } from '../../src/env/check-env.js';
import { at, buildStore, ids, tinyStore, TINY_EVENTS } from './fixtures.js';
import type { EventStore } from '../../src/data/event-store.js';

const TEST_START = at('2014-12-18', 0);

/** Rolls one episode choosing the logged item whenever it is among the candidates. */
function perfectEpisode(env: RecommendationEnv, options: { user?: number; episode?: number }) {
  const { store } = env.setup;
  const reset = env.reset({ options });
  let position = reset.info.position;
  let observation = reset.observation;
  const steps = [];
  for (;;) {
    const result = env.step(observation.candidates!.indexOf(store.items[position]));
    steps.push(result);
    if (result.terminated || result.truncated) return { reset, steps };
    position++;
    observation = result.observation;
  }
}

function tinyEnv(options: Partial<ConstructorParameters<typeof RecommendationEnv>[0]> = {}, store: EventStore = tinyStore()) {
  return new RecommendationEnv({ store, numCandidates: 3, historyLength: 3, ...options });
}

describe('RecommendationEnv', () => {
  describe('options', () => {
    it('names an unknown option with the store abbreviated, not serialised (a served env answers such requests)', () => {
      const store = tinyStore();
      let message = '';
      try {
        new RecommendationEnv({ store, colour: 'red' } as never);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^RecommendationEnv options: unknown option "colour": expected store, split, /);
      expect(message.length).toBeLessThan(300);
    });
  });

  describe('#reset', () => {
    it('shows the history before the first target, right-aligned and padded', () => {
      const env = tinyEnv();
      const { item, category, user } = ids(env.setup.store);
      const { observation, info } = env.reset({ options: { user: 100 } });
      expect(info).toMatchObject({ user: user(100), userId: 100, numEpisodes: 3, trainingEpoch: 0 });
      expect(Array.from(observation.items)).toEqual([-1, -1, item(1)]);
      expect(Array.from(observation.behaviors)).toEqual([-1, -1, Behavior.click]);
      expect(Array.from(observation.hours)).toEqual([-1, -1, 10]);
      expect(Array.from(observation.categories)).toEqual([-1, -1, category(7)]);
      expect(Array.from(observation.mask)).toEqual([0, 0, 1]);
      expect(observation.candidates).toHaveLength(3);
      expect(observation.candidates).toContain(item(2));
    });

    it('shows history from before the window in the test split', () => {
      const env = tinyEnv({ split: 'test' });
      const { item } = ids(env.setup.store);
      const { observation, info } = env.reset({ options: { user: 100 } });
      expect(info.numEpisodes).toBe(2);
      expect(Array.from(observation.items)).toEqual([item(2), item(3), item(4)]);
      expect(Array.from(observation.mask)).toEqual([1, 1, 1]);
      expect(observation.candidates).toContain(item(5));
    });

    it('deals episodes from the seeded shuffled order when none is chosen, and rejects unknown choices', () => {
      const env = tinyEnv();
      const seen = new Set<number>();
      const dealt: number[] = [];
      for (let t = 0; t < 60; t++) {
        const { episode } = env.reset().info;
        seen.add(episode);
        dealt.push(episode);
      }
      expect([...seen].sort()).toEqual([0, 1, 2]);
      // Every pass deals each episode once; chosen episodes do not take from the order.
      for (let k = 0; k < 20; k++) expect(dealt.slice(3 * k, 3 * k + 3).sort()).toEqual([0, 1, 2]);
      expect(env.passes).toBe(19);
      env.reset({ options: { episode: 0 } });
      expect(env.passes).toBe(19);
      expect(() => env.reset({ options: { episode: 3 } })).toThrow(RangeError);
      expect(() => env.reset({ options: { user: 300 } })).toThrow(/expected a user with an episode in the train window, actual 300/);
    });
  });

  describe('#step', () => {
    it('replays the user events in order and pays the behaviour reward on a hit', () => {
      const env = tinyEnv();
      const { item } = ids(env.setup.store);
      const { steps } = perfectEpisode(env, { user: 100 });
      expect(steps.map((s) => s.info.event.item)).toEqual([item(2), item(3), item(4)]);
      expect(steps.map((s) => s.reward)).toEqual([0.3, 0.5, 0.8]);
      expect(steps.map((s) => s.info.hit)).toEqual([true, true, true]);
      expect(steps.map((s) => s.info.episodeStep)).toEqual([1, 2, 3]);
    });

    it('gives the log\'s item ids of the candidates and of the judged event beside the dense indices', () => {
      const env = tinyEnv();
      const { item } = ids(env.setup.store);
      const rawOf = (dense: number) => env.setup.store.itemIds.rawOf(dense);
      const { observation, info } = env.reset({ options: { user: 100 } });
      expect(info.candidateIds).toEqual(Array.from(observation.candidates!, rawOf));
      expect(info.candidateIds).toContain(2);
      const step = env.step(observation.candidates!.indexOf(item(2)));
      expect(step.info.event).toMatchObject({ item: item(2), itemId: 2 });
      expect(step.info.candidateIds).toEqual(Array.from(step.observation.candidates!, rawOf));
      expect(step.info.candidateIds).toContain(3);
      expect(tinyEnv({ mode: 'slate', slateSize: 3 }).reset().info.candidateIds).toBeUndefined();
    });

    it('pays 0 on a miss and reports the positive index', () => {
      const env = tinyEnv();
      const { observation } = env.reset({ options: { user: 100 } });
      const positive = observation.candidates!.indexOf(ids(env.setup.store).item(2));
      const result = env.step((positive + 1) % 3);
      expect(result.reward).toBe(0);
      expect(result.info.hit).toBe(false);
      expect(result.info.positiveIndex).toBe(positive);
    });

    it('slides the history window by one event per step', () => {
      const env = tinyEnv();
      const { item } = ids(env.setup.store);
      env.reset({ options: { user: 100 } });
      const first = env.step(0).observation;
      expect(Array.from(first.items)).toEqual([-1, item(1), item(2)]);
      expect(Array.from(first.mask)).toEqual([0, 1, 1]);
      const second = env.step(0).observation;
      expect(Array.from(second.items)).toEqual([item(1), item(2), item(3)]);
      expect(Array.from(second.hours)).toEqual([10, 11, 9]);
    });

    it('truncates at the window edge (the user goes on on the test day) and leaks no test item', () => {
      const env = tinyEnv({ catalogue: 'all' });
      const { item } = ids(env.setup.store);
      const { steps } = perfectEpisode(env, { user: 100 });
      const last = steps[steps.length - 1];
      expect([last.terminated, last.truncated]).toEqual([false, true]);
      expect(Array.from(last.observation.items)).toEqual([item(2), item(3), item(4)]);
      // Sampled many times: the test-day next item (5) never appears as a planted positive.
      let fives = 0;
      for (let t = 0; t < 300; t++) {
        const { steps: again } = perfectEpisode(env, { user: 100 });
        if (again[again.length - 1].observation.candidates!.includes(item(5))) fives++;
      }
      // With catalogue 'all' item 5 may be drawn as a negative (p = 3/15 per set), never planted (p = 1).
      expect(fives).toBeLessThan(150);
    });

    it('terminates at the user last event', () => {
      const env = tinyEnv();
      const { steps } = perfectEpisode(env, { user: 200 });
      expect(steps).toHaveLength(1);
      expect([steps[0].terminated, steps[0].truncated]).toEqual([true, false]);
      expect(steps[0].reward).toBe(0.5);
      const test = tinyEnv({ split: 'test' });
      const { steps: testSteps } = perfectEpisode(test, { user: 100 });
      expect(testSteps.map((s) => s.reward)).toEqual([0.1, 0.8]);
      expect([testSteps[1].terminated, testSteps[1].truncated]).toEqual([true, false]);
    });

    it('splits episodes at an inactivity gap and plants the next in-window event in the final observation', () => {
      const env = tinyEnv({ gapSeconds: 3 * 3600 });
      const { item } = ids(env.setup.store);
      expect(env.numEpisodes).toBe(4);
      const { steps } = perfectEpisode(env, { user: 100 });
      expect(steps).toHaveLength(1);
      expect([steps[0].terminated, steps[0].truncated]).toEqual([true, false]);
      expect(steps[0].observation.candidates).toContain(item(3));
      const second = perfectEpisode(env, { episode: 1 });
      expect(second.steps.map((s) => s.info.event.item)).toEqual([item(3), item(4)]);
      expect(second.steps[1].terminated).toBe(true);
    });

    it('truncates at maxEpisodeSteps with the next event planted', () => {
      const env = tinyEnv({ maxEpisodeSteps: 2 });
      const { item } = ids(env.setup.store);
      const { steps } = perfectEpisode(env, { user: 400 });
      expect(steps).toHaveLength(2);
      expect([steps[1].terminated, steps[1].truncated]).toEqual([false, true]);
      expect(steps[1].observation.candidates).toContain(item(13));
    });

    it('throws RESET_NEEDED before reset and after the end, saying to call reset()', () => {
      const env = tinyEnv();
      expect(() => env.step(0)).toThrow(expect.objectContaining({ code: ErrorCode.RESET_NEEDED, message: expect.stringContaining('reset()') }));
      perfectEpisode(env, { user: 200 });
      expect(() => env.step(0)).toThrow(expect.objectContaining({ code: ErrorCode.RESET_NEEDED, message: expect.stringContaining('call reset()') }));
    });

    it('throws INVALID_ACTION with expected and actual', () => {
      const env = tinyEnv();
      env.reset();
      for (const bad of [3, -1, 0.5, '0', null]) {
        expect(() => env.step(bad as never)).toThrow(RecGymError);
      }
      expect(() => env.step(3)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ACTION, message: expect.stringContaining('expected an integer in [0, 2], actual 3') }));
      expect(env.step(0).info.episodeStep).toBe(1);
    });

    it('never steps test-day events in the train split, only test-day events in the test split', () => {
      for (const split of ['train', 'test'] as const) {
        const env = tinyEnv({ split });
        for (let e = 0; e < env.numEpisodes; e++) {
          for (const step of perfectEpisode(env, { episode: e }).steps) {
            expect(step.info.event.time >= TEST_START).toBe(split === 'test');
          }
        }
      }
    });
  });

  describe('trainEnd', () => {
    it('ends the training window at any time and starts the test window there', () => {
      const trainEnd = at('2014-12-17', 10);
      const train = tinyEnv({ split: 'train', trainEnd });
      const test = tinyEnv({ split: 'test', trainEnd });
      expect(train.setup.window).toEqual({ start: at('2014-12-16', 0), end: trainEnd });
      expect(test.setup.window).toEqual({ start: trainEnd, end: TEST_START });
      for (let e = 0; e < train.numEpisodes; e++) {
        for (const step of perfectEpisode(train, { episode: e }).steps) expect(step.info.event.time < trainEnd).toBe(true);
      }
    });

    it('rejects testDay and trainEnd together', () => {
      expect(() => tinyEnv({ testDay: '2014-12-18', trainEnd: at('2014-12-17', 10) })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_OPTION, message: expect.stringContaining('expected testDay or trainEnd, actual both') }));
    });
  });

  describe('slate mode', () => {
    it('hits when the slate contains the logged item; the action space is a Slate over the catalogue', () => {
      const env = tinyEnv({ mode: 'slate', slateSize: 3 });
      const { item } = ids(env.setup.store);
      const { observation } = env.reset({ options: { user: 100 } });
      expect(observation.candidates).toBeUndefined();
      expect(env.observationSpace.contains(observation)).toBe(true);
      const hit = env.step(Int32Array.of(item(10), item(2), item(11)));
      expect([hit.reward, hit.info.hit, hit.info.positiveIndex]).toEqual([0.3, true, 1]);
      const miss = env.step(Int32Array.of(item(10), item(2), item(11)));
      expect([miss.reward, miss.info.hit, miss.info.positiveIndex]).toEqual([0, false, -1]);
      expect(() => env.step(Int32Array.of(item(10), item(10), item(11)))).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ACTION }));
      expect(() => env.step(Int32Array.of(item(10), item(5), item(11)))).toThrow(/expected catalogue item indices, actual/);
      expect(() => env.step([item(10), item(2), item(11)] as never)).toThrow(/expected an Int32Array\(3\)/);
    });
  });

  describe('#setTrainingEpoch and trainingEpochSchedule', () => {
    it('pays the scheduled purchase reward: training epoch 0 -> 0.8, 10 -> 0.9, 20+ -> 1.0', () => {
      const env = tinyEnv();
      const purchase = (trainingEpoch: number) => {
        env.setTrainingEpoch(trainingEpoch);
        return perfectEpisode(env, { user: 100 }).steps[2].reward;
      };
      expect([purchase(0), purchase(10), purchase(20), purchase(50)]).toEqual([0.8, 0.9, 1, 1]);
      expect(env.trainingEpoch).toBe(50);
      expect(() => env.setTrainingEpoch(-1)).toThrow(RangeError);
    });

    it('evaluates a training-epoch schedule at each reset', () => {
      const progress: number[] = [];
      const env = tinyEnv({
        trainingEpochSchedule: ({ episodes }) => {
          progress.push(episodes);
          return episodes * 10;
        },
      });
      expect(perfectEpisode(env, { user: 100 }).steps[2].reward).toBe(0.8);
      expect(perfectEpisode(env, { user: 100 }).steps[2].reward).toBe(0.9);
      expect(perfectEpisode(env, { user: 100 }).steps[2].reward).toBe(1);
      expect(progress).toEqual([0, 1, 2]);
    });

    it('uses a custom reward table', () => {
      const env = tinyEnv({ rewards: { click: 0, favorite: 2, cart: 3, purchase: 4 } });
      expect(perfectEpisode(env, { user: 100 }).steps.map((s) => s.reward)).toEqual([2, 3, 4]);
    });
  });

  describe('determinism', () => {
    it('gives the same rollout for the same seed in two envs (property over seeds)', () => {
      const store = tinyStore();
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
          const envs = [tinyEnv({}, store), tinyEnv({}, store)];
          const traces = envs.map((env) => {
            const rng = createRng(seed);
            const trace: unknown[] = [env.reset({ seed })];
            for (let t = 0; t < 20; t++) {
              const result = env.step(env.actionSpace.sample(rng));
              trace.push(result);
              if (result.terminated || result.truncated) trace.push(env.reset());
            }
            return trace;
          });
          expect(firstDifference(traces[0], traces[1])).toBeUndefined();
        }),
        { numRuns: 25 },
      );
    });

    it('re-creates the Rng on reset({ seed }) and keeps it on reset()', () => {
      const store = tinyStore();
      const fresh = tinyEnv({ seed: 5 }, store);
      const used = tinyEnv({ seed: 99 }, store);
      used.reset();
      used.step(0);
      const firstTwo = (env: RecommendationEnv, seed?: number) =>
        [env.reset(seed === undefined ? {} : { seed }), env.reset()].map((r) => `${r.info.episode}:${r.observation.candidates!.join(',')}`);
      const expected = firstTwo(fresh);
      expect(firstTwo(used, 5)).toEqual(expected);
      // Without a seed the stream goes on: ten more resets never replay the seeded first one exactly.
      const later = Array.from({ length: 10 }, () => fresh.reset()).map((r) => `${r.info.episode}:${r.observation.candidates!.join(',')}`);
      expect(later.join('|')).not.toBe(Array(10).fill(expected[0]).join('|'));
      expect(firstTwo(fresh, 5)).toEqual(expected);
    });

    // Episodes come from the seeded shuffled order of the replay core (the one rule of the single and
    // the vector env): this trajectory is also slot 0 of a one-slot VectorRecommendationEnv, before
    // and after the two envs were built on one core.
    it('no-regression: a seeded golden trajectory', () => {
      const env = tinyEnv({ numCandidates: 4 });
      const rng = createRng(7);
      const trace: string[] = [];
      let { observation, info } = env.reset({ seed: 7 });
      trace.push(`reset e${info.episode} [${observation.candidates!.join(',')}]`);
      for (let t = 0; t < 8; t++) {
        const action = env.actionSpace.sample(rng) as number;
        const result = env.step(action);
        trace.push(`a${action} r${result.reward} ${result.terminated ? 'T' : ''}${result.truncated ? 't' : ''} [${result.observation.candidates!.join(',')}]`);
        if (result.terminated || result.truncated) {
          ({ observation, info } = env.reset());
          trace.push(`reset e${info.episode} [${observation.candidates!.join(',')}]`);
        }
      }
      expect(trace).toMatchInlineSnapshot(`
        [
          "reset e1 [3,10,0,7]",
          "a3 r0.5 T [4,12,3,9]",
          "reset e2 [12,11,8,0]",
          "a3 r0  [8,9,11,4]",
          "a2 r0  [10,14,1,3]",
          "a0 r0.1  [3,11,5,14]",
          "a0 r0  [12,4,10,14]",
          "a0 r0.1  [5,13,7,4]",
          "a3 r0  [3,12,14,0]",
          "a0 r0 T [12,5,11,9]",
          "reset e0 [4,8,1,9]",
        ]
      `);
    });
  });

  describe('constructor', () => {
    it('throws TypeError or RangeError naming the bad option', () => {
      const store = tinyStore();
      expect(() => new RecommendationEnv({ store, numCandidates: 0 })).toThrow(RangeError);
      expect(() => new RecommendationEnv({ store, numCandidates: 0 })).toThrow(/numCandidates/);
      expect(() => new RecommendationEnv({ store, mode: 'list' as never })).toThrow(TypeError);
      expect(() => new RecommendationEnv({ store: {} as never })).toThrow(/store/);
      expect(() => new RecommendationEnv({ store, colour: 1 } as never)).toThrow(TypeError);
      expect(() => new RecommendationEnv({ store, rewards: { click: 1 } as never })).toThrow(/rewards/);
    });

    it('throws a RecGymError when the catalogue is smaller than C or there is no episode', () => {
      const store = tinyStore();
      expect(() => new RecommendationEnv({ store, numCandidates: 20 })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_OPTION }));
      expect(() => new RecommendationEnv({ store, numCandidates: 2, minHistory: 50 })).toThrow(expect.objectContaining({ code: ErrorCode.NO_EVENTS }));
      const oneDay = buildStore(TINY_EVENTS.filter((e) => e.time >= TEST_START));
      expect(() => new RecommendationEnv({ store: oneDay, numCandidates: 2 })).toThrow(/at least one episode in the train window/);
    });
  });

  describe('#close', () => {
    it('is idempotent and later calls throw CLOSED', () => {
      const env = tinyEnv();
      env.reset();
      env.close();
      env.close();
      expect(() => env.reset()).toThrow(expect.objectContaining({ code: ErrorCode.CLOSED }));
    });
  });

  it('passes checkEnv in every mode', () => {
    for (const options of [{}, { mode: 'slate' as const }, { negatives: 'popularity' as const, split: 'test' as const }, { catalogue: 'all' as const, gapSeconds: 3600 }]) {
      const report = checkEnv(tinyEnv(options));
      expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    }
  });
});
