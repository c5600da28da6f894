import { createProgress, type Progress } from '../report/progress.js';
import type { CliIo } from './command.js';

/** The progress of a command on its stderr, or undefined when `--quiet` or `--json` asked for silence. */
export function commandProgress(io: CliIo, isSilent: boolean): Progress | undefined {
  return isSilent ? undefined : createProgress(io);
}

/** Writes `recgym <command>: warning: <line>` to stderr, in red on a TTY; shown even with `--quiet`. */
export function writeWarning(io: CliIo, command: string, line: string): void {
  const text = `recgym ${command}: warning: ${line}`;
  io.stderr(io.isTTY ? `\x1b[31m${text}\x1b[0m\n` : `${text}\n`);
}

/** Reports the bytes of a log read so far as progress in megabytes. */
export function readingProgress(progress: Progress | undefined, file: string | undefined): ((bytesRead: number, totalBytes: number) => void) | undefined {
  if (!progress || file === undefined) return undefined;
  return (bytesRead, totalBytes) => progress.update(`reading ${file}`, bytesRead / 1e6, totalBytes / 1e6, { unit: 'MB' });
}
