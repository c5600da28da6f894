import { ErrorCode, RecGymError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import type { Agent } from './agent.js';
import { CooccurrenceAgent } from './cooccurrence-agent.js';
import { DqnAgent } from './dqn/dqn-agent.js';
import { PopularityAgent, type PopularityOptions } from './popularity-agent.js';
import { RandomAgent } from './random-agent.js';
import { RecentAgent } from './recent-agent.js';

/** Options every registered agent accepts (baselines use the popularity ones). */
export type AgentOptions = PopularityOptions;

/** A registered agent: a factory of unfitted agents, and later (DQN, issue 9) a checkpoint loader. */
export interface AgentSpec {
  readonly name: string;
  readonly summary: string;
  create(options: AgentOptions): Agent;
  /** Rebuilds a trained agent from a checkpoint directory; only agents that learn have one. */
  load?(dir: string, store: EventStore): Promise<Agent>;
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
      name: 'dqn',
      summary: 'GRU state encoder, history-aware Q over items, SQN supervised head (trains on the replay vector env)',
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
  const agent = agentSpec(name).create(options);
  await agent.fit(store, train, rng);
  return agent;
}
