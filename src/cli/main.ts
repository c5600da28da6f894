#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './command.js';
import { COMMANDS } from './commands.js';
import { runCommand } from './run-command.js';

const HELP = `recgym — a reinforcement-learning gym for recommender systems

usage: recgym <command> [options]   (recgym <command> --help for its options)

commands:
${COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(14)} ${c.summary}`).join('\n')}
`;

/** Runs the binary with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const entry = COMMANDS.filter((c) => c.path.every((word, i) => argv[i] === word)).sort(
    (a, b) => b.path.length - a.path.length,
  )[0];
  if (!entry) {
    io.stderr(`recgym: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${HELP}`);
    return 2;
  }
  return runCommand(await entry.load(), argv.slice(entry.path.length), io);
}

function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const io: CliIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTTY: Boolean(process.stderr.isTTY),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`recgym: internal error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 70;
    },
  );
}
