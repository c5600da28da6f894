import { describe, expect, it } from 'vitest';
import { ErrorCode, isRecGymError } from '../../src/core/errors.js';
import type { Env, ResetResult, StepResult } from '../../src/env/env.js';
import { RecommendationEnv } from '../../src/env/recommendation-env.js';
import { Box } from '../../src/env/spaces/box.js';
import { Discrete } from '../../src/env/spaces/discrete.js';
import { OrderEnforcing, ResetNeededError } from '../../src/env/wrappers/order-enforcing.js';
import { RecordEpisodeStatistics, type EpisodeStats } from '../../src/env/wrappers/record-episode-stats.js';
import { TimeLimit } from '../../src/env/wrappers/time-limit.js';
import { ids, tinyStore } from './fixtures.js';

/** A bare env with no checks of its own: counts up, ends after 3 steps; reward = action. */
class CountingEnv implements Env<Int32Array, number> {
  readonly actionSpace = new Discrete(2);
  readonly observationSpace = new Box({ low: 0, high: 10, shape: [1], dtype: 'int32' });
  count = 0;
  closed = 0;
  reset(): ResetResult<Int32Array> {
    this.count = 0;
    return { observation: Int32Array.of(0), info: {} };
  }
  step(action: number): StepResult<Int32Array> {
    this.count++;
    return { observation: Int32Array.of(this.count), reward: action, terminated: this.count >= 3, truncated: false, info: { hit: action === 1 } };
  }
  close(): void {
    this.closed++;
  }
}

describe('TimeLimit', () => {
  describe('#step', () => {
    it('truncates after maxEpisodeSteps and restarts the count at reset', () => {
      const env = new TimeLimit(new CountingEnv(), 2);
      env.reset();
      expect(env.step(0).truncated).toBe(false);
      const second = env.step(0);
      expect([second.terminated, second.truncated]).toEqual([false, true]);
      expect(env.elapsedSteps).toBe(2);
      env.reset();
      expect(env.elapsedSteps).toBe(0);
      expect(env.step(0).truncated).toBe(false);
    });

    it('keeps terminated from the env when both happen', () => {
      const env = new TimeLimit(new CountingEnv(), 3);
      env.reset();
      env.step(0);
      env.step(0);
      const last = env.step(0);
      expect([last.terminated, last.truncated]).toEqual([true, true]);
    });

    it('truncates the replay env too', () => {
      const env = new TimeLimit(new RecommendationEnv({ store: tinyStore(), numCandidates: 3 }), 1);
      env.reset({ options: { user: 400 } });
      expect(env.step(0).truncated).toBe(true);
    });
  });

  it('throws RangeError for a limit < 1', () => {
    expect(() => new TimeLimit(new CountingEnv(), 0)).toThrow(RangeError);
  });
});

describe('OrderEnforcing', () => {
  describe('#step', () => {
    it('throws ResetNeededError before reset and after the end, for any env', () => {
      const env = new OrderEnforcing(new CountingEnv());
      expect(() => env.step(0)).toThrow(ResetNeededError);
      env.reset();
      env.step(0);
      env.step(0);
      expect(env.step(0).terminated).toBe(true);
      let error: unknown;
      try {
        env.step(0);
      } catch (e) {
        error = e;
      }
      expect(isRecGymError(error, ErrorCode.RESET_NEEDED)).toBe(true);
      expect((error as Error).message).toMatch(/call reset\(\)/);
      env.reset();
      expect(env.step(1).reward).toBe(1);
    });
  });

  it('forwards spaces and close', () => {
    const inner = new CountingEnv();
    const env = new OrderEnforcing(inner);
    expect(env.actionSpace).toBe(inner.actionSpace);
    expect(env.unwrapped).toBe(inner);
    env.close();
    expect(inner.closed).toBe(1);
  });
});

describe('RecordEpisodeStatistics', () => {
  describe('#step', () => {
    it('adds return, length and hits to info at the end of an episode', () => {
      const env = new RecordEpisodeStatistics(new CountingEnv(), 2);
      for (let episode = 0; episode < 3; episode++) {
        env.reset();
        expect(env.step(1).info.episodeStats).toBeUndefined();
        env.step(0);
        const last = env.step(episode === 2 ? 1 : 0);
        expect(last.info.episodeStats).toEqual({ return: episode === 2 ? 2 : 1, length: 3, hits: episode === 2 ? 2 : 1 });
      }
      expect(env.episodeCount).toBe(3);
      expect(env.returns).toEqual([1, 2]);
      expect(env.lengths).toEqual([3, 3]);
    });

    it('records replay episodes (truncated at the window edge included)', () => {
      const store = tinyStore();
      const env = new RecordEpisodeStatistics(new RecommendationEnv({ store, numCandidates: 3 }));
      let { observation } = env.reset({ options: { user: 100 } });
      const targets = [2, 3, 4].map(ids(store).item);
      let stats: EpisodeStats | undefined;
      for (const target of targets) {
        const result = env.step(observation.candidates!.indexOf(target));
        observation = result.observation;
        stats = result.info.episodeStats as EpisodeStats | undefined;
      }
      expect(stats).toEqual({ return: expect.closeTo(1.6, 10), length: 3, hits: 3 });
    });
  });
});
