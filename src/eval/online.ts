import { argmaxRows, type Agent } from '../agents/agent.js';
import { createRng } from '../core/rng.js';
import { Behavior } from '../data/behavior.js';
import type { VectorSimulatorEnv } from '../env/vector-simulator-env.js';

/**
 * What each session of an online evaluation came to, at index `pass * numEpisodes + shopper` (the
 * env's episode): one session per shopper and pass of the env's seeded episode order.
 */
export interface OnlineSessions {
  /** Sum of the rewards (at the env's training epoch: the epoch-scheduled purchase reward). */
  readonly returns: Float64Array;
  /** Purchases of recommended items (the ones the reward pays). */
  readonly purchases: Int32Array;
  /** Purchases of any item, recommended or browsed on the shopper's own. */
  readonly allPurchases: Int32Array;
  /** Steps until the shopper left or `maxEpisodeSteps` cut the session. */
  readonly lengths: Int32Array;
  /** Steps where the shopper chose the recommended item. */
  readonly accepted: Int32Array;
  /** Chance of a session the next day (the simulator's return model); NaN where the session was cut, not left. */
  readonly returnChances: Float64Array;
}

/**
 * Plays `agent`'s greedy policy (argmax of its candidate scores, ties broken with a seeded Rng) in a
 * simulated candidates-mode env until every shopper has had `passes` sessions, and returns each
 * session's figures. The env is reset with `seed`: under the same seed every agent meets the same
 * shoppers, so per-(pass, shopper) differences between agents are paired.
 */
export async function evaluateOnline(agent: Agent, env: VectorSimulatorEnv, seed: number, passes = 1): Promise<OnlineSessions> {
  if (!(Number.isInteger(passes) && passes >= 1)) throw new RangeError(`evaluateOnline: expected passes >= 1, actual ${passes}`);
  const C = env.numCandidates;
  if (C === 0) throw new TypeError(`evaluateOnline: expected a candidates-mode env, actual slate mode (K = ${env.slateSize})`);
  const N = env.numEnvs;
  const E = env.numEpisodes;
  const total = E * passes;
  const sessions: OnlineSessions = {
    returns: new Float64Array(total),
    purchases: new Int32Array(total),
    allPurchases: new Int32Array(total),
    lengths: new Int32Array(total),
    accepted: new Int32Array(total),
    returnChances: new Float64Array(total),
  };
  const scores = new Float64Array(N * C);
  const actions = new Int32Array(N);
  const tieRng = createRng(`${seed}:online:ties`);
  // deal[i] = how many sessions were dealt before slot i's current one (< total: recorded, in pass floor(deal / E)).
  const deal = new Int32Array(N);
  const purchases = new Int32Array(N);
  const allPurchases = new Int32Array(N);
  const accepted = new Int32Array(N);
  const reset = env.reset({ seed });
  for (let i = 0; i < N; i++) deal[i] = i;
  let dealt = N;
  let recorded = 0;
  let { observations } = reset;
  while (recorded < total) {
    await agent.scoreCandidates(observations.states, observations.candidates, C, scores);
    argmaxRows(scores, N, C, tieRng, actions);
    const result = env.step(actions);
    const { chosen, depths, episodes, returnChances, episodeReturns, episodeLengths } = result.info;
    for (let i = 0; i < N; i++) {
      if (chosen[i] >= 0) {
        accepted[i]++;
        if (depths[i] === Behavior.purchase) purchases[i]++;
      }
      if (depths[i] === Behavior.purchase) allPurchases[i]++;
      if (result.terminations[i] === 0 && result.truncations[i] === 0) continue;
      if (deal[i] < total) {
        const e = Math.floor(deal[i] / E) * E + episodes[i];
        sessions.returns[e] = episodeReturns[i];
        sessions.lengths[e] = episodeLengths[i];
        sessions.purchases[e] = purchases[i];
        sessions.allPurchases[e] = allPurchases[i];
        sessions.accepted[e] = accepted[i];
        sessions.returnChances[e] = result.terminations[i] === 1 ? returnChances[i] : Number.NaN;
        recorded++;
      }
      purchases[i] = 0;
      allPurchases[i] = 0;
      accepted[i] = 0;
      deal[i] = dealt++;
    }
    observations = result.observations;
  }
  return sessions;
}
