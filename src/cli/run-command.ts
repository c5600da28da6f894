import { isRecGymError } from '../core/errors.js';
import { UsageError, type CliIo, type Command } from './command.js';

/** The synopsis of a usage text: its lines up to the first blank one. */
export function synopsis(usage: string): string {
  const blank = usage.indexOf('\n\n');
  return blank < 0 ? usage : usage.slice(0, blank);
}

/**
 * Runs `command` with the arguments after its words and resolves to the exit code: `--help` prints
 * its usage (0), a {@link UsageError} one line naming the flag, then the synopsis (2), a RecGymError
 * one line (1).
 */
export async function runCommand(command: Command, args: string[], io: CliIo): Promise<number> {
  const name = `recgym ${command.path.join(' ')}`;
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${name}: ${oneLine(error.message)}\n\n${synopsis(command.usage)}\n(${name} --help lists every option)\n`);
      return 2;
    }
    if (isRecGymError(error)) {
      io.stderr(`${name}: ${oneLine(error.message)}\n`);
      return 1;
    }
    throw error;
  }
}

/** A message on one line: line breaks become "; ". */
function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, '; ');
}
