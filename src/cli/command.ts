import { parseArgs } from 'node:util';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { FORMAT_NAMES, isFormatName, type FormatName } from '../data/detect-format.js';
import { parseDay } from '../data/split.js';
import { parseTestStart } from '../eval/test-cases.js';

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

type FlagValues<O extends FlagOptions> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

/**
 * Parses flags with `util.parseArgs`, checking them here rather than in its strict mode, which
 * refuses values starting with a dash (`--epochs -1`): such a value reaches the flag's own check.
 * A missing value, an unknown flag or a stray argument is a one-line {@link UsageError}.
 */
export function parseFlags<O extends FlagOptions>(
  args: string[],
  options: O,
  allowPositionals = true,
): { values: FlagValues<O>; positionals: string[] } {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (!allowPositionals) throw new UsageError(`expected only flags, actual the argument "${token.value}"`);
      positionals.push(token.value);
    }
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!spec) throw new UsageError(`unknown flag ${token.rawName}: expected one of ${Object.keys(options).map((name) => `--${name}`).join(', ')}`);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName}: expected no value, actual "${token.value}"`);
      values[token.name] = true;
    } else if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new UsageError(`${token.rawName}: expected a value, actual ${token.value === undefined ? 'nothing' : `the flag ${token.value}`}`);
    } else if (spec.multiple) {
      values[token.name] = [...((values[token.name] as string[] | undefined) ?? []), token.value];
    } else {
      values[token.name] = token.value;
    }
  }
  for (const [name, spec] of Object.entries(options)) {
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default as string | boolean | string[];
  }
  return { values: values as FlagValues<O>, positionals };
}

/** Parses an integer flag value within [min, max], naming the flag when it is not one. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = -Infinity, max = Infinity, alternative?: string): number {
  if (value === undefined) return fallback;
  const parsed = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    const range = `${min === -Infinity ? '' : `>= ${min}`}${min !== -Infinity && max !== Infinity ? ' and ' : ''}${max === Infinity ? '' : `<= ${max}`}`;
    throw new UsageError(`--${name}: expected an integer${range ? ` ${range}` : ''}${alternative ? ` or ${alternative}` : ''}, actual "${value}"`);
  }
  return parsed;
}

/** Largest seed the CLI takes. */
export const MAX_CLI_SEED = 2 ** 31 - 1;

/** Parses a seed flag: an integer in [0, {@link MAX_CLI_SEED}]. */
export function seedFlag(name: string, value: string | undefined, fallback: number): number {
  return intFlag(name, value, fallback, 0, MAX_CLI_SEED);
}

/** Checks a day flag (`YYYY-MM-DD`, a real UTC date) and returns it, or undefined when absent. */
export function dayFlag(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    parseDay(value);
  } catch {
    throw new UsageError(`--${name}: expected a date YYYY-MM-DD, actual "${value}"`);
  }
  return value;
}

/** Parses a time flag (`YYYY-MM-DDTHH:MM[:SS]`, UTC) into unix seconds, or undefined when absent. */
export function timeFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTestStart(value);
  } catch {
    throw new UsageError(`--${name}: expected a UTC time YYYY-MM-DDTHH:MM, actual "${value}"`);
  }
}

/** Splits a comma-separated flag value, refusing empty entries. */
export function listFlag(name: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`--${name}: expected a comma-separated list, actual "${value}"`);
  return items;
}

/** The seeds of `--seed S` or `--seeds 0,1,2` (distinct; default [0]); both at once is a UsageError. */
export function seedsFlags(seed: string | undefined, seeds: string | undefined): number[] {
  if (seed !== undefined && seeds !== undefined) throw new UsageError('expected --seed or --seeds, actual both');
  if (seeds === undefined) return [seedFlag('seed', seed, 0)];
  const list = listFlag('seeds', seeds).map((s) => seedFlag('seeds', s, 0));
  if (new Set(list).size !== list.length) throw new UsageError(`--seeds: expected distinct seeds, actual "${seeds}"`);
  return list;
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
