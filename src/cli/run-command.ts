import { isRecGymError } from '../core/errors.js';
import { UsageError, type CliIo, type Command } from './command.js';

/**
 * Runs `command` with the arguments after its words and resolves to the exit code: `--help` prints
 * its usage (0), a {@link UsageError} the message and the usage (2), a RecGymError one line (1).
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
      io.stderr(`${name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (isRecGymError(error)) {
      io.stderr(`${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
