import { ErrorCode, RecGymError } from '../core/errors.js';
import { assertRng, type Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import type { Agent } from './agent.js';
import { CooccurrenceAgent } from './cooccurrence-agent.js';
import { parseDqnConfig } from './dqn/config.js';
import { DqnAgent } from './dqn/dqn-agent.js';
import { PopularityAgent, type PopularityOptions } from './popularity-agent.js';
import { RandomAgent } from './random-agent.js';
import { parseRankerConfig } from './ranker/config.js';
import { RankerAgent } from './ranker/ranker-agent.js';
import { RecentAgent } from './recent-agent.js';
import type { TrainableAgent } from './trainable.js';

/** Options every registered agent accepts (baselines use the popularity ones). */
export type AgentOptions = PopularityOptions;

/** A registered agent: a factory of unfitted agents, and for agents that learn a checkpoint loader. */
export interface AgentSpec {
  readonly name: string;
  readonly summary: string;
  create(options: AgentOptions): Agent;
  /** Rebuilds a trained agent from a checkpoint directory; only agents that learn have one. */
  load?(dir: string, store: EventStore): Promise<Agent>;
}

/** The agents trained epoch by epoch (`recgym train --agent NAME`). */
export type LearnerName = 'ranker' | 'dqn';

/** A learning agent: created from its own config (validated by the agent), restored from its checkpoint. */
export interface LearnerSpec {
  readonly name: LearnerName;
  /** Validates a config (throws a TypeError naming the bad field). */
  parseConfig(config: unknown): TrainableAgent['config'];
  create(config: Readonly<Record<string, unknown>>): TrainableAgent;
  load(dir: string, store: EventStore): Promise<TrainableAgent>;
}

/** Every learning agent by name. */
export const LEARNERS: ReadonlyMap<LearnerName, LearnerSpec> = new Map<LearnerName, LearnerSpec>([
  ['ranker', { name: 'ranker', parseConfig: parseRankerConfig, create: (config) => new RankerAgent(config), load: (dir, store) => RankerAgent.load(dir, store) }],
  ['dqn', { name: 'dqn', parseConfig: parseDqnConfig, create: (config) => new DqnAgent(config), load: (dir, store) => DqnAgent.load(dir, store) }],
]);

/** The learner `name`; a RecGymError listing the learning agents when it is none of them. */
export function learnerSpec(name: string): LearnerSpec {
  const spec = LEARNERS.get(name as LearnerName);
  if (!spec) {
    throw new RecGymError(ErrorCode.UNKNOWN_AGENT, `agent: expected one that learns (${[...LEARNERS.keys()].join(', ')}), actual "${name}"`);
  }
  return spec;
}

/** Every registered agent by name. */
export const AGENTS: ReadonlyMap<string, AgentSpec> = new Map<string, AgentSpec>(
  [
    { name: 'random', summary: 'uniform random scores', create: () => new RandomAgent() },
    {
      name: 'popularity',
      summary: 'training-day counts weighted click 1, favourite 2, cart 3, purchase 4',
      create: (o: AgentOptions) => new PopularityAgent(o),
    },
    {
      name: 'recent',
      summary: "the user's own items, most recent first, then popularity",
      create: (o: AgentOptions) => new RecentAgent(o),
    },
    {
      name: 'cooccurrence',
      summary: 'item -> next-item counts from the last 3 events (weights 1, 0.5, 0.25), popularity breaks ties',
      create: (o: AgentOptions) => new CooccurrenceAgent(o),
    },
    {
      name: 'ranker',
      summary: 'history and context features of (state, item), 17 weights trained by a sampled softmax on the logged next item (no network)',
      create: () => new RankerAgent(),
      load: (dir: string, store: EventStore) => RankerAgent.load(dir, store),
    },
    {
      name: 'dqn',
      summary: 'ranks and acts by Q: GRU state encoder, Q(s, a) over item embeddings plus history and context features, Bellman targets with replay and a target network, ε-greedy on the replay vector env',
      create: () => new DqnAgent(),
      load: (dir: string, store: EventStore) => DqnAgent.load(dir, store),
    },
  ].map((spec) => [spec.name, spec as AgentSpec]),
);

/** The spec of `name`; a RecGymError listing the known names when there is none. */
export function agentSpec(name: string): AgentSpec {
  const spec = AGENTS.get(name);
  if (!spec) {
    throw new RecGymError(ErrorCode.UNKNOWN_AGENT, `agent: expected one of ${[...AGENTS.keys()].join(', ')}, actual "${name}"`);
  }
  return spec;
}

/** Creates agent `name` and fits it on the training window of `store`. */
export async function fitAgent(
  name: string,
  store: EventStore,
  train: TimeWindow,
  rng: Rng,
  options: AgentOptions = {},
): Promise<Agent> {
  assertRng(rng, `fitAgent(${JSON.stringify(name)})`);
  const agent = agentSpec(name).create(options);
  await agent.fit(store, train, rng);
  return agent;
}
