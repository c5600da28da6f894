import type { Command } from './command.js';

/** Every subcommand, loaded only when chosen. Add one line per command. */
export const COMMANDS: ReadonlyArray<{ path: readonly string[]; summary: string; load: () => Promise<Command> }> = [
];
