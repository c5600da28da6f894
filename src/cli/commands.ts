import type { Command } from './command.js';

/** Every subcommand, loaded only when chosen. Add one line per command. */
export const COMMANDS: ReadonlyArray<{ path: readonly string[]; summary: string; load: () => Promise<Command> }> = [
  { path: ['demo'], summary: 'the main job on the embedded default data (npm start)', load: async () => (await import('./demo.js')).command },
  { path: ['data', 'stats'], summary: 'load an event log and print its statistics', load: async () => (await import('./data-stats.js')).command },
  { path: ['generate'], summary: 'write a seeded synthetic shopper log in Tianchi format', load: async () => (await import('./generate.js')).command },
  { path: ['eval'], summary: 'evaluate agents on the held-out test day (seed / sampled / full protocols)', load: async () => (await import('./eval.js')).command },
  { path: ['env', 'list'], summary: 'list the registered environments', load: async () => (await import('./env-list.js')).command },
  { path: ['env', 'check'], summary: 'run checkEnv on a registered environment', load: async () => (await import('./env-check.js')).command },
];
