import { describe, expect, it } from 'vitest';
import { act, type Agent } from '../../src/agents/agent.js';
import { DqnAgent } from '../../src/agents/dqn/dqn-agent.js';
import { fitAgent } from '../../src/agents/registry.js';
import { ErrorCode } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import type { EventStore } from '../../src/data/event-store.js';
import { splitByDay } from '../../src/data/split.js';
import { checkEnv } from '../../src/env/check-env.js';
import { defaultEventStore, makeEnv } from '../../src/env/registry.js';
import { fittedSimulator } from '../../src/env/sim-options.js';
import { SimulatorEnv } from '../../src/env/simulator-env.js';
import { VectorSimulatorEnv } from '../../src/env/vector-simulator-env.js';
import { createDefaultEventStore } from '../../src/sim/default-data.js';
import { SIM_PRESETS } from '../../src/sim/presets.js';
import { TINY_DQN } from '../helpers/tiny-dqn.js';
import { tinyStore } from './fixtures.js';

const store = defaultEventStore();

/** Mean episode return and length of `agent` acting greedily in a candidates-mode vector sim env for `steps` steps. */
async function score(env: VectorSimulatorEnv, agent: Agent | ((slot: number) => number), steps: number): Promise<{ meanReturn: number; meanLength: number; episodes: number }> {
  const rng = createRng(1);
  const actions = env.createActions();
  let observations = env.reset({ seed: 2 }).observations;
  let returns = 0;
  let lengths = 0;
  let episodes = 0;
  for (let t = 0; t < steps; t++) {
    if (typeof agent === 'function') for (let i = 0; i < env.numEnvs; i++) actions[i] = agent(i);
    else await act(agent, observations.states, observations.candidates, env.numCandidates, rng, actions);
    const result = env.step(actions);
    for (let i = 0; i < env.numEnvs; i++) {
      if (result.terminations[i] === 0 && result.truncations[i] === 0) continue;
      returns += result.info.episodeReturns[i];
      lengths += result.info.episodeLengths[i];
      episodes++;
    }
    observations = result.observations;
  }
  return { meanReturn: returns / episodes, meanLength: lengths / episodes, episodes };
}

describe('SimulatorEnv and VectorSimulatorEnv', () => {
  for (const { name } of SIM_PRESETS) {
    it(`pass checkEnv with preset ${name} (candidates single, slate vector)`, () => {
      const single = checkEnv(new SimulatorEnv({ store, simulator: name, numCandidates: 10 }));
      expect(single.checks.filter((c) => !c.passed)).toEqual([]);
      const vector = checkEnv(new VectorSimulatorEnv({ store, simulator: name, mode: 'slate', slateSize: 5, numEnvs: 3 }));
      expect(vector.checks.filter((c) => !c.passed)).toEqual([]);
    });
  }

  it('starts the session of the shopper reset names by raw user id, and refuses one without training events', () => {
    const env = new SimulatorEnv({ store });
    const user = env.setup.shoppers.shoppers[5];
    const rawId = store.userIds.rawOf(user);
    const { info } = env.reset({ seed: 1, options: { user: rawId } });
    expect(info).toMatchObject({ user, userId: rawId, episode: 5 });
    expect(info.time).toBeGreaterThanOrEqual(fittedSimulator(store, splitByDay(store).train).trainWindow.end);
    expect(() => env.reset({ options: { user: -7 } })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_OPTION, message: "reset: options.user: expected a user with events in the simulator's training window, actual -7" }));
  });

  it('flags a recommended item outside the fitted support in info', () => {
    const train = splitByDay(store).train;
    const counts = fittedSimulator(store, train).itemCounts;
    const outside = counts.indexOf(0);
    const inside = Array.from(counts.keys()).filter((x) => counts[x] > 0).slice(0, 3);
    expect(outside).toBeGreaterThanOrEqual(0);
    const env = new SimulatorEnv({ store, mode: 'slate', slateSize: 3, catalogue: 'all' });
    env.reset({ seed: 0 });
    expect(env.step(Int32Array.from(inside)).info.outsideSupport).toBe(false);
    env.reset({ seed: 0 });
    expect(env.step(Int32Array.of(inside[0], outside, inside[1])).info.outsideSupport).toBe(true);
    const vector = new VectorSimulatorEnv({ store, mode: 'slate', slateSize: 3, catalogue: 'all', numEnvs: 2 });
    vector.reset({ seed: 0 });
    const result = vector.step(Int32Array.of(...inside, inside[0], outside, inside[1]));
    expect(Array.from(result.info.outsideSupport)).toEqual([0, 1]);
  });

  it("shows requests over the shoppers' histories that read the session and stop at the request", () => {
    const env = new VectorSimulatorEnv({ store, numEnvs: 4, historyLength: 5 });
    const { observations } = env.reset({ seed: 3 });
    const states = observations.states;
    expect(states.readsFrom(store)).toBe(true);
    for (let i = 0; i < 4; i++) {
      expect(states.item(i, 0)).toBe(observations.items[i * 5 + 4]);
      expect(() => states.item(i, -1)).toThrow(RangeError);
      expect(() => states.item(i, states.lengths[i])).toThrow(RangeError);
    }
    const result = env.step(new Int32Array(4));
    for (let i = 0; i < 4; i++) {
      const view = result.terminations[i] === 1 || result.truncations[i] === 1 ? result.finalObservations : result.observations;
      // The acted item is the latest event of the history (its click, or its funnel events after it).
      expect(view.states.item(i, 0)).toBe(result.nextItems[i]);
    }
  });

  it('lets what is shown change what the shopper does: showing their own next item beats a random candidate in return and session length', async () => {
    const env = new VectorSimulatorEnv({ store, numEnvs: 32, seed: 1 });
    const positives = env.reset({ seed: 2 }).info;
    expect(positives.numEpisodes).toBeGreaterThan(100);
    const dynamics = (env as unknown as { core: { dynamics: { slotPositive: Int32Array } } }).core.dynamics;
    const oracle = await score(env, (slot) => dynamics.slotPositive[slot], 300);
    const first = await score(env, () => 0, 300);
    expect(oracle.meanReturn).toBeGreaterThan(first.meanReturn);
    expect(oracle.meanLength).toBeGreaterThan(first.meanLength);
  });

  it('runs agents fitted on the log unchanged (popularity, recent, and a DQN that acts and is scored)', async () => {
    const small = createDefaultEventStore({ users: 120, days: 6, items: 600, categories: 20 });
    const train = splitByDay(small).train;
    const env = new VectorSimulatorEnv({ store: small, numEnvs: 8, numCandidates: 10 });
    for (const name of ['popularity', 'recent']) {
      const agent = await fitAgent(name, small, train, createRng(0));
      expect((await score(env, agent, 60)).episodes).toBeGreaterThan(0);
    }
    const dqn = new DqnAgent({ ...TINY_DQN, numCandidates: 10 });
    await dqn.fit(small, train, createRng(0));
    const result = await score(env, dqn, 60);
    expect(result.episodes).toBeGreaterThan(0);
    expect(Number.isFinite(result.meanReturn)).toBe(true);
  }, 60_000);

  it('refuses a model fitted on another log, and replay-only options', () => {
    const other: EventStore = tinyStore();
    const model = fittedSimulator(store, splitByDay(store).train);
    expect(() => makeEnv('Tianchi-Sim-v0', { store: other, simulator: model })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_OPTION, message: expect.stringMatching(/^SimulatorEnv: simulator: expected a model fitted on this log \(\d+ users/) }));
    expect(() => makeEnv('Tianchi-Sim-v0', { split: 'test' })).toThrow(/split/);
    expect(() => makeEnv('Tianchi-Sim-v0', { simulator: 'nobody' })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_OPTION, message: expect.stringContaining('expected one of default, loyal') }));
    expect(() => makeEnv('Tianchi-Sim-v0', { simulator: { format: 'recgym-sim' } })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_OPTION, message: expect.stringContaining('SimulatorEnv: simulator: version') }));
  });
});
