import type { Command } from './command.js';

/** Every subcommand, loaded only when chosen. Add one line per command. */
export const COMMANDS: ReadonlyArray<{ path: readonly string[]; summary: string; load: () => Promise<Command> }> = [
  { path: ['compare'], summary: 'train the ranker and the DQN and compare them with the baselines under every protocol (npm start)', load: async () => (await import('./compare.js')).command },
  { path: ['demo'], summary: 'a fast tour: the default data, its stats, a random agent in the replay env, the baselines', load: async () => (await import('./demo.js')).command },
  { path: ['data', 'stats'], summary: 'load an event log and print its statistics', load: async () => (await import('./data-stats.js')).command },
  { path: ['generate'], summary: 'write a seeded synthetic shopper log in Tianchi format', load: async () => (await import('./generate.js')).command },
  { path: ['eval'], summary: 'evaluate agents on the held-out test day (seed / sampled / full protocols)', load: async () => (await import('./eval.js')).command },
  { path: ['train'], summary: 'train the ranker or the DQN (validation picks the epoch), write a checkpoint, results and learning curves', load: async () => (await import('./train.js')).command },
  { path: ['env', 'list'], summary: 'list the registered environments', load: async () => (await import('./env-list.js')).command },
  { path: ['serve'], summary: 'serve every registered env over a websocket (protocol docs: recgym protocol)', load: async () => (await import('./serve.js')).command },
  { path: ['arena'], summary: 'run the arena: people and simulated shoppers meet interleaved policies in a web shop, live win rates', load: async () => (await import('./arena.js')).command },
  { path: ['export'], summary: "write an arena's collected events as a Tianchi CSV (training data)", load: async () => (await import('./export.js')).command },
  { path: ['admin', 'create'], summary: 'create an arena admin in the arena database', load: async () => (await import('./admin.js')).command },
  { path: ['protocol'], summary: "print the server protocol's reference (docs/protocol.md) or its JSON Schema", load: async () => (await import('./protocol.js')).command },
  { path: ['env', 'check'], summary: 'run checkEnv on a registered environment (optionally on a log file)', load: async () => (await import('./env-check.js')).command },
  { path: ['sim', 'fit'], summary: 'fit the user simulator to an event log and write it as JSON', load: async () => (await import('./sim-fit.js')).command },
  { path: ['sim', 'check'], summary: "the simulator's fidelity report card against the held-out days of its log", load: async () => (await import('./sim-check.js')).command },
];
