import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/core/rng.js';
import { Behavior } from '../../src/data/behavior.js';
import { EventStoreBuilder, type EventStore } from '../../src/data/event-store.js';
import { StateBatch } from '../../src/data/state-batch.js';
import { firstDifference } from '../../src/env/check-env.js';
import { MdpCore, type Dynamics, type DynamicsStep } from '../../src/env/mdp-core.js';
import type { VectorObservation } from '../../src/env/observation.js';
import { RecommendationEnv, type ReplayAction } from '../../src/env/recommendation-env.js';
import { createReplayCore } from '../../src/env/replay-dynamics.js';
import { createReplaySetup, type ReplayEnvOptions } from '../../src/env/replay-options.js';
import { DEFAULT_REWARDS } from '../../src/env/rewards.js';
import type { Space } from '../../src/env/spaces/space.js';
import { VectorRecommendationEnv } from '../../src/env/vector-env.js';
import { createDefaultEventStore } from '../../src/sim/default-data.js';
import { ids, positionsOf, tinyStore } from './fixtures.js';

/**
 * A dynamics that is not a replay: episode e lasts e + 1 steps (episodes 0, 1, 2 in turn); action 1
 * gets a purchase on even steps and a click on odd ones, action 0 nothing; even episodes
 * terminate, odd ones are cut. The observation's item is the step reached.
 */
class CountingDynamics implements Dynamics {
  readonly historyLength = 1;
  readonly numCandidates = 2;
  readonly slateSize = 0;
  passes = 0;
  #next = 0;
  readonly #episode: Int32Array;
  readonly #step: Int32Array;

  constructor(readonly numSlots: number) {
    this.#episode = new Int32Array(numSlots);
    this.#step = new Int32Array(numSlots);
  }

  seed(): void {
    this.#next = 0;
    this.passes = 0;
  }

  nextEpisode(): number {
    if (this.#next === 3) {
      this.#next = 0;
      this.passes++;
    }
    return this.#next++;
  }

  start(slot: number, episode: number): void {
    this.#episode[slot] = episode;
    this.#step[slot] = 0;
  }

  step(slot: number, actions: Int32Array, out: DynamicsStep): void {
    const step = this.#step[slot];
    out.responses[slot] = actions[slot] === 1 ? (step % 2 === 0 ? Behavior.purchase : Behavior.click) : 0;
    out.nextItems[slot] = step;
    out.targetPositions[slot] = step;
    out.positiveIndices[slot] = 1;
    const isEnd = step + 1 === this.#episode[slot] + 1;
    out.terminations[slot] = isEnd && this.#episode[slot] % 2 === 0 ? 1 : 0;
    out.truncations[slot] = isEnd && this.#episode[slot] % 2 === 1 ? 1 : 0;
    this.#step[slot] = step + 1;
  }

  observe(slot: number, out: VectorObservation): void {
    out.items[slot] = this.#step[slot];
    out.mask[slot] = 1;
    out.candidates[2 * slot] = 0;
    out.candidates[2 * slot + 1] = 1;
    out.users[slot] = this.#episode[slot];
    out.lengths[slot] = this.#step[slot];
    out.times[slot] = 0;
  }

  statesOver(users: Int32Array, lengths: Int32Array, times: Int32Array): StateBatch {
    return new StateBatch(new EventStoreBuilder().build(), users, lengths, times);
  }
}

/** Index of the slot's logged target in its candidates (the action that hits). */
function hittingAction(store: EventStore, observations: VectorObservation, slot: number, numCandidates: number): number {
  const target = store.items[positionsOf(store, observations)[slot]];
  return observations.candidates.subarray(slot * numCandidates, (slot + 1) * numCandidates).indexOf(target);
}

function replayCore(options: Partial<ReplayEnvOptions> = {}, numSlots = 1) {
  const setup = createReplaySetup({ store: tinyStore(), numCandidates: 3, historyLength: 3, ...options }, 'test');
  return { setup, core: createReplayCore(setup, numSlots) };
}

describe('MdpCore', () => {
  describe('with a dynamics that is not a replay', () => {
    it('pays the response reward at the training epoch, 0 for none', () => {
      const core = new MdpCore(new CountingDynamics(2), { rewards: DEFAULT_REWARDS, trainingEpoch: 10 });
      core.startEpisode(0, 2);
      core.startEpisode(1, 2);
      core.step(Int32Array.of(1, 0), true);
      expect([core.rewardOf(0), core.rewardOf(1)]).toEqual([0.9, 0]);
      expect(Array.from(core.rewards)).toEqual([Math.fround(0.9), 0]);
      expect(Array.from(core.hits)).toEqual([1, 0]);
      core.step(Int32Array.of(1, 1), true);
      expect([core.rewardOf(0), core.rewardOf(1)]).toEqual([0.1, 0.1]);
    });

    it('takes terminated and truncated from the dynamics and adds the time limit', () => {
      const core = new MdpCore(new CountingDynamics(3), { rewards: DEFAULT_REWARDS, trainingEpoch: 0, maxEpisodeSteps: 2 });
      // Episode 0 ends (terminated) after 1 step, 1 is cut (truncated) after 2, 2 hits the limit at 2.
      [0, 1, 2].forEach((e) => core.startEpisode(e, e));
      const actions = Int32Array.of(0, 0, 0);
      core.step(actions, true);
      expect([Array.from(core.outcome.terminations), Array.from(core.outcome.truncations)]).toEqual([[1, 0, 0], [0, 0, 0]]);
      // Slot 0 auto-reset to the dynamics' next episode, 0 again.
      core.step(actions, true);
      expect([Array.from(core.outcome.terminations), Array.from(core.outcome.truncations)]).toEqual([[1, 0, 0], [0, 1, 1]]);
      expect(Array.from(core.episodeLengths)).toEqual([1, 2, 2]);
    });

    it('auto-resets a finished slot in the same step and keeps its final observation', () => {
      const core = new MdpCore(new CountingDynamics(1), { rewards: DEFAULT_REWARDS, trainingEpoch: 0 });
      expect(core.startEpisode(0)).toBe(0);
      core.step(Int32Array.of(1), true);
      expect([core.outcome.terminations[0], core.finalObservations.items[0], core.episodeReturns[0], core.episodeLengths[0]]).toEqual([1, 1, 0.8, 1]);
      // Episode 1 started in the same step: its first observation, step 0.
      expect([core.slotEpisodes[0], core.observations.items[0], core.actedEpisodes[0]]).toEqual([1, 0, 0]);
      core.step(Int32Array.of(1), true);
      expect([core.outcome.terminations[0], core.outcome.truncations[0], core.slotEpisodes[0], core.actedEpisodes[0]]).toEqual([0, 0, 1, 1]);
    });

    it('without auto-reset a finished slot waits for startEpisode', () => {
      const core = new MdpCore(new CountingDynamics(1), { rewards: DEFAULT_REWARDS, trainingEpoch: 0 });
      core.startEpisode(0);
      core.step(Int32Array.of(1), false);
      expect([core.outcome.terminations[0], core.slotEpisodes[0], core.finalObservations.items[0]]).toEqual([1, 0, 1]);
      expect(core.startEpisode(0)).toBe(1);
    });

    it('evaluates the training-epoch schedule at each episode start with episodes, steps and passes', () => {
      const seen: string[] = [];
      const core = new MdpCore(new CountingDynamics(1), {
        rewards: DEFAULT_REWARDS,
        trainingEpoch: 0,
        trainingEpochSchedule: ({ episodes, steps, passes }) => {
          seen.push(`${episodes}/${steps}/${passes}`);
          return 10 * passes;
        },
      });
      core.startEpisode(0);
      const purchases: number[] = [];
      for (let t = 0; t < 12; t++) {
        const isFirstStep = core.slotSteps[0] === 0;
        core.step(Int32Array.of(1), true);
        if (isFirstStep) purchases.push(core.rewardOf(0));
      }
      // Episodes 0, 1, 2 (1 + 2 + 3 steps) make a pass; purchases pay 0.8, then 0.9 in pass 1.
      expect(seen).toEqual(['0/0/0', '1/1/0', '2/3/0', '3/6/1', '4/7/1', '5/9/1', '6/12/2']);
      expect(purchases).toEqual([0.8, 0.8, 0.8, 0.9, 0.9, 0.9]);
      expect(core.trainingEpoch).toBe(20);
    });
  });

  describe('with the replay dynamics', () => {
    it('pays hand-computed rewards: favourite 0.3, cart 0.5, purchase min(1, 0.8 + 0.01 * trainingEpoch)', () => {
      const { setup, core } = replayCore();
      const { user } = ids(setup.store);
      const episode = setup.episodes.user.indexOf(user(100));
      const perfectEpisode = (): number[] => {
        core.startEpisode(0, episode);
        const rewards: number[] = [];
        for (;;) {
          core.step(Int32Array.of(hittingAction(setup.store, core.observations, 0, 3)), false);
          rewards.push(core.rewardOf(0));
          if (core.outcome.terminations[0] === 1 || core.outcome.truncations[0] === 1) return rewards;
        }
      };
      expect(perfectEpisode()).toEqual([0.3, 0.5, 0.8]);
      core.setTrainingEpoch(5);
      expect(perfectEpisode()).toEqual([0.3, 0.5, 0.85]);
      core.setTrainingEpoch(19);
      expect(perfectEpisode()).toEqual([0.3, 0.5, 0.99]);
      core.setTrainingEpoch(35);
      expect(perfectEpisode()).toEqual([0.3, 0.5, 1]);
      expect(Array.from(core.episodeReturns)).toEqual([1.8]);
      // A miss pays 0.
      core.startEpisode(0, episode);
      core.step(Int32Array.of((hittingAction(setup.store, core.observations, 0, 3) + 1) % 3), false);
      expect([core.rewardOf(0), core.hits[0], core.outcome.responses[0]]).toEqual([0, 0, 0]);
    });

    it('pays each pass at its training epoch from a schedule over passes (hand-computed pass returns)', () => {
      // Train episodes: user 100 (0.3 + 0.5 + purchase), user 200 (cart 0.5), user 400 (7 clicks 0.7).
      const { setup, core } = replayCore({ trainingEpochSchedule: ({ passes }) => 10 * passes });
      core.startEpisode(0);
      const returns: number[] = [];
      while (returns.length < 12) {
        core.step(Int32Array.of(hittingAction(setup.store, core.observations, 0, 3)), true);
        if (core.outcome.terminations[0] === 1 || core.outcome.truncations[0] === 1) returns.push(core.episodeReturns[0]);
      }
      const passReturns = [0, 1, 2, 3].map((k) => returns.slice(3 * k, 3 * k + 3).reduce((a, b) => a + b, 0));
      expect(passReturns.map((r) => Math.round(r * 1e9) / 1e9)).toEqual([2.8, 2.9, 3, 3]);
    });

    it('truncates at the window edge and at maxEpisodeSteps, terminates at the user last event', () => {
      const { setup, core } = replayCore({ maxEpisodeSteps: 2 }, 3);
      const { store, episodes } = setup;
      const { item, user } = ids(store);
      const episodeOf = (raw: number) => episodes.user.indexOf(user(raw));
      core.startEpisode(0, episodeOf(100)); // 3 steps, the test day goes on: cut by the window
      core.startEpisode(1, episodeOf(200)); // 1 step, the user's last event
      core.startEpisode(2, episodeOf(400)); // 7 steps, cut at 2 by maxEpisodeSteps
      const flags = () => [Array.from(core.outcome.terminations), Array.from(core.outcome.truncations)];
      const perfect = () => Int32Array.from([0, 1, 2], (i) => Math.max(0, hittingAction(store, core.observations, i, 3)));
      core.step(perfect(), false);
      expect(flags()).toEqual([[0, 1, 0], [0, 0, 0]]);
      core.step(perfect(), false);
      expect(flags().map((f) => [f[0], f[2]])).toEqual([[0, 0], [1, 1]]);
      // The truncated episode's final observation plants its next event (item 13) for bootstrapping.
      expect(positionsOf(store, core.finalObservations)[2]).toBe(episodes.start[episodeOf(400)] + 2);
      expect(core.finalObservations.candidates.subarray(6, 9)).toContain(item(13));
      const { core: edge } = replayCore({ maxEpisodeSteps: 3 });
      edge.startEpisode(0, episodeOf(100));
      for (let t = 0; t < 3; t++) edge.step(Int32Array.of(0), false);
      // At step 3 both the window edge and the limit cut user 100: truncated, not terminated.
      expect([edge.outcome.terminations[0], edge.outcome.truncations[0]]).toEqual([0, 1]);
      expect(Array.from(edge.finalObservations.items)).toEqual([item(2), item(3), item(4)]);
      const { core: both } = replayCore({ maxEpisodeSteps: 1 });
      both.startEpisode(0, episodeOf(200));
      both.step(Int32Array.of(0), false);
      // The user's last event at the limit: terminated (never bootstrap) and truncated, as TimeLimit does.
      expect([both.outcome.terminations[0], both.outcome.truncations[0]]).toEqual([1, 1]);
    });
  });
});

/** A batch observation's slot 0 and a single env's observation must be equal arrays. */
function expectSameObservation(single: unknown, vector: VectorRecommendationEnv, batch: VectorObservation, where: string): void {
  expect(firstDifference(single, vector.observationAt(batch, 0), where)).toBeUndefined();
}

/** Steps a single env and slot 0 of a one-slot vector env with the same actions; they must agree on everything. */
function expectSingleIsSlotZero(options: ReplayEnvOptions, seed: number, steps: number): void {
  const single = new RecommendationEnv(options);
  const vector = new VectorRecommendationEnv({ ...options, numEnvs: 1 });
  const space = single.actionSpace as Space<ReplayAction>;
  const rng: Rng = createRng(`actions:${seed}`);
  const first = single.reset({ seed });
  const firstBatch = vector.reset({ seed });
  expect(first.info.episode).toBe(firstBatch.info.episodes[0]);
  expectSameObservation(first.observation, vector, firstBatch.observations, 'reset');
  const actions = vector.createActions();
  for (let t = 0; t < steps; t++) {
    const action = space.sample(rng);
    vector.setAction(actions, 0, action);
    // The training epoch the step pays at (the vector env's auto-reset may move it for the next episode).
    const trainingEpoch = vector.trainingEpoch;
    const s = single.step(action);
    const v = vector.step(actions);
    const where = `step ${t}`;
    expect([s.terminated, s.truncated], where).toEqual([v.terminations[0] === 1, v.truncations[0] === 1]);
    expect(Math.fround(s.reward), where).toBe(v.rewards[0]);
    expect([s.info.hit, s.info.positiveIndex, s.info.event.position, s.info.episode], where).toEqual([
      v.hits[0] === 1,
      v.info.positiveIndices[0],
      v.info.targetPositions[0],
      v.info.episodes[0],
    ]);
    expect(s.info.trainingEpoch, where).toBe(trainingEpoch);
    if (!(s.terminated || s.truncated)) {
      expectSameObservation(s.observation, vector, v.observations, where);
      continue;
    }
    expect(s.info.episodeStep, where).toBe(v.info.episodeLengths[0]);
    expectSameObservation(s.observation, vector, v.finalObservations, `${where} final`);
    const next = single.reset();
    expect(next.info.position, where).toBe(positionsOf(vector.setup.store, v.observations)[0]);
    expectSameObservation(next.observation, vector, v.observations, `${where} reset`);
  }
  expect(single.passes).toBe(vector.passes);
  expect(single.trainingEpoch).toBe(vector.trainingEpoch);
}

describe('RecommendationEnv is slot 0 of a one-slot VectorRecommendationEnv', () => {
  it('gives the same trajectory for the same seed in every mode (property over seeds)', () => {
    const store = tinyStore();
    const modes: Array<Partial<ReplayEnvOptions>> = [
      {},
      { mode: 'slate', slateSize: 3 },
      { gapSeconds: 3 * 3600, maxEpisodeSteps: 2, negatives: 'popularity', catalogue: 'all' },
      { split: 'test', trainingEpoch: 10 },
      { trainingEpochSchedule: ({ episodes, passes }) => episodes + 5 * passes },
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(...modes), (seed, mode) => {
        expectSingleIsSlotZero({ store, numCandidates: 3, historyLength: 3, ...mode } as ReplayEnvOptions, seed, 40);
      }),
      { numRuns: 40 },
    );
  });

  it('gives the same trajectory on the default data (C = 20, L = 10, many episodes)', () => {
    const store = createDefaultEventStore();
    expectSingleIsSlotZero({ store, numCandidates: 20, historyLength: 10, seed: 3 }, 3, 2000);
    expectSingleIsSlotZero({ store, mode: 'slate', slateSize: 10, split: 'test', maxEpisodeSteps: 4 }, 8, 500);
  });
});

describe('VectorRecommendationEnv', () => {
  // The same trajectory as before the single and the vector env were built on one core (checked
  // against the earlier vector env): the DQN's training data did not move.
  it('no-regression: a seeded golden trajectory of two slots', () => {
    const env = new VectorRecommendationEnv({ store: tinyStore(), numCandidates: 3, historyLength: 3, numEnvs: 2 });
    const rng = createRng(9);
    const reset = env.reset({ seed: 9 });
    const trace = [`reset e${reset.info.episodes.join(',')} p${positionsOf(env.setup.store, reset.observations).join(',')} c${reset.observations.candidates.join(',')}`];
    const actions = new Int32Array(2);
    for (let t = 0; t < 10; t++) {
      actions[0] = rng.nextInt(3);
      actions[1] = rng.nextInt(3);
      const s = env.step(actions);
      const ends = [0, 1].map((i) => (s.terminations[i] ? 'T' : s.truncations[i] ? 't' : '-')).join('');
      const rewards = Array.from(s.rewards, (r) => Math.round(r * 1e6) / 1e6).join(',');
      trace.push(`a${actions.join(',')} r${rewards} ${ends} e${s.info.episodes.join(',')} p${positionsOf(env.setup.store, s.observations).join(',')} c${s.observations.candidates.join(',')}`);
    }
    expect(trace).toMatchInlineSnapshot(`
      [
        "reset e0,1 p1,7 c10,1,12,7,4,8",
        "a1,1 r0.3,0 -T e0,1 p2,11 c4,11,13,8,3,13",
        "a0,1 r0.5,0 -- e0,2 p3,12 c13,7,5,9,10,1",
        "a2,1 r0.8,0 t- e0,2 p7,13 c10,7,8,3,10,0",
        "a0,0 r0,0 T- e1,2 p11,14 c3,8,13,8,11,9",
        "a2,2 r0,0 -- e2,2 p12,15 c9,14,3,1,12,0",
        "a0,1 r0.1,0.1 -- e2,2 p13,16 c10,3,14,3,7,13",
        "a2,0 r0,0 -- e2,2 p14,17 c11,7,10,14,7,10",
        "a1,1 r0,0 -T e2,2 p15,1 c14,7,12,12,1,8",
        "a2,0 r0.1,0 -- e2,0 p16,2 c13,8,10,4,11,10",
        "a2,1 r0,0 -- e2,0 p17,3 c14,11,5,9,0,5",
      ]
    `);
  });
});
