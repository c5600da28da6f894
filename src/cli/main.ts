#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { removePendingTemps } from '../core/atomic-write.js';
import type { CliIo } from './command.js';
import { COMMANDS } from './commands.js';
import { runCommand } from './run-command.js';
import { packageVersion } from './version.js';
import { signalOwner } from './signal-owner.js';

type Entry = (typeof COMMANDS)[number];

function commandLines(entries: readonly Entry[]): string {
  return entries.map((c) => `  ${c.path.join(' ').padEnd(14)} ${c.summary}`).join('\n');
}

const HELP = `recgym — a reinforcement-learning gym for recommender systems

usage: recgym <command> [options]   (recgym <command> --help for its options; recgym --version)

commands:
${commandLines(COMMANDS)}
`;

/** Help of a command group such as `data` or `env`: its subcommands. */
function groupHelp(group: string, entries: readonly Entry[]): string {
  return `usage: recgym ${group} <command> [options]   (recgym ${group} <command> --help for its options)

commands:
${commandLines(entries)}
`;
}

const isHelp = (word: string | undefined): boolean => word === '--help' || word === '-h' || word === 'help';

/** Runs the binary with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || isHelp(argv[0])) {
    io.stdout(HELP);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.stdout(`recgym ${packageVersion()}\n`);
    return 0;
  }
  const entry = COMMANDS.filter((c) => c.path.every((word, i) => argv[i] === word)).sort(
    (a, b) => b.path.length - a.path.length,
  )[0];
  if (entry) return runCommand(await entry.load(), argv.slice(entry.path.length), io);
  const group = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === argv[0]);
  if (group.length > 0) {
    if (isHelp(argv[1])) {
      io.stdout(groupHelp(argv[0], group));
      return 0;
    }
    const what = argv[1] === undefined ? `recgym ${argv[0]}: expected a command` : `recgym: unknown command "${argv.slice(0, 2).join(' ')}"`;
    io.stderr(`${what}\n\n${groupHelp(argv[0], group)}`);
    return 2;
  }
  io.stderr(`recgym: unknown command "${argv[0]}"\n\n${HELP}`);
  return 2;
}

/**
 * On SIGINT or SIGTERM removes the outputs still being written under temporary names, says so in
 * one line, and ends the process by the same signal (exit status 128 + its number), unless a
 * command claimed the signals ({@link claimSignals}).
 */
function removeTempsOnSignals(io: CliIo): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (signalOwner() !== undefined) return;
      const removed = removePendingTemps();
      io.stderr(`\nrecgym: interrupted (${signal})${removed.length > 0 ? `; removed the unfinished ${removed.join(', ')}` : ''}\n`);
      process.kill(process.pid, signal);
      process.exit(128 + osConstants.signals[signal]);
    });
  }
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
  removeTempsOnSignals(io);
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
