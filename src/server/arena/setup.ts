import type { Agent } from '../../agents/agent.js';
import { agentSpec, learnerSpec } from '../../agents/registry.js';
import { ErrorCode, RecGymError } from '../../core/errors.js';
import { fork, type Rng } from '../../core/rng.js';
import type { EventStore } from '../../data/event-store.js';
import { agentPolicy, type Policy } from './policy.js';
import { checkpointLearner } from '../../agents/checkpoint.js';

/** The whole log as a training window: built-in agents of the arena learn from every event of the store. */
export function wholeLog(store: EventStore): { start: number; end: number } {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < store.length; i++) {
    const t = store.times[i];
    if (t < start) start = t;
    if (t > end) end = t;
  }
  return { start, end: end + 1 };
}

/**
 * The arena's policies from `--policy` values: `NAME` is a registered agent fitted on the whole
 * log (random, popularity, recent, cooccurrence, or ranker trained here), `NAME=DIR` a trained
 * ranker or DQN checkpoint shown under NAME. Each policy's ties come from its own fork of `rng`.
 */
export async function loadPolicies(specs: readonly string[], store: EventStore, rng: Rng): Promise<Policy[]> {
  const policies: Policy[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const where = `--policy ${spec}`;
    if (!/^[A-Za-z0-9_.-]{1,40}$/.test(name)) throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: expected a name of 1 to 40 letters, digits, "_", "-" or ".", actual "${name}"`);
    if (policies.some((p) => p.name === name)) throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: expected distinct policy names, actual "${name}" twice`);
    let agent: Agent;
    if (eq < 0) {
      if (name === 'dqn') throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: expected a trained DQN as NAME=DIR (recgym train --out DIR), actual none`);
      agent = agentSpec(name).create({});
      await agent.fit(store, wholeLog(store), fork(rng, `fit:${name}`));
    } else {
      const { learner, path } = checkpointLearner(spec.slice(eq + 1), where);
      agent = await learnerSpec(learner).load(path, store);
    }
    policies.push(agentPolicy(name, agent, store, fork(rng, `ties:${name}`)));
  }
  return policies;
}
