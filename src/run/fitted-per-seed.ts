import type { Agent } from '../agents/agent.js';
import { fitAgent, type AgentOptions } from '../agents/registry.js';
import { assertSeed, createRng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';

/**
 * The registered agent `name` as `evaluate` takes it: fitted on `train` anew for every evaluation seed,
 * with the stream `"<seed>:agent"` (the same for every agent, so identical agents give identical ranks).
 */
export function fittedPerSeed(name: string, store: EventStore, train: TimeWindow, options?: AgentOptions): (seed: number) => Promise<Agent> {
  return (seed) => {
    assertSeed(seed, `fittedPerSeed(${JSON.stringify(name)}) seed`);
    return fitAgent(name, store, train, createRng(`${seed}:agent`), options);
  };
}
