import { parseArgs } from 'node:util';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { FORMAT_NAMES, isFormatName, type FormatName } from '../data/detect-format.js';

/** Where a command writes; tests pass collectors, the binary passes the process streams. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  readonly isTTY: boolean;
}

/** One subcommand of the `recgym` binary, e.g. `data stats`. */
export interface Command {
  /** Words that select it, e.g. `['data', 'stats']`. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Usage text printed by `--help` and after a usage error. */
  readonly usage: string;
  /** Runs with the arguments after the command words; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A wrong flag or value; the binary prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flag definitions in `util.parseArgs` form. */
export type FlagOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean | string[] | boolean[] }>;

/** `util.parseArgs` in strict mode, with its errors turned into {@link UsageError}s. */
export function parseFlags<O extends FlagOptions>(
  args: string[],
  options: O,
  allowPositionals = true,
): { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals });
    return parsed as never;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses an integer flag value within [min, max], naming the flag when it is not one. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  const parsed = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    const range = `${min === -Infinity ? '' : `>= ${min}`}${min !== -Infinity && max !== Infinity ? ' and ' : ''}${max === Infinity ? '' : `<= ${max}`}`;
    throw new UsageError(`--${name}: expected an integer${range ? ` ${range}` : ''}, actual "${value}"`);
  }
  return parsed;
}

/** Throws a RecGymError for a value that parsed but makes no sense. */
export function badOption(message: string): never {
  throw new RecGymError(ErrorCode.BAD_OPTION, message);
}

/** The value of `--format` (default `auto`); a UsageError names the accepted formats. */
export function formatFlag(value: string | undefined): FormatName | 'auto' {
  const format = value ?? 'auto';
  if (format !== 'auto' && !isFormatName(format)) {
    throw new UsageError(`--format: expected one of auto, ${FORMAT_NAMES.join(', ')}, actual "${format}"`);
  }
  return format;
}
