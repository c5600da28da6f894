import { readFileSync } from 'node:fs';
import { learnerSpec, type LearnerName } from '../agents/registry.js';
import type { EventStore } from '../data/event-store.js';
import { formatFlag, UsageError } from './command.js';

/**
 * The store of `--data FILE [--format F]`, or the embedded default data without `--data`; `name` is
 * what reports call it; `onProgress` hears the bytes of the file read so far.
 */
export async function loadStore(
  data: string | undefined,
  format: string | undefined,
  onProgress?: (bytesRead: number, totalBytes: number) => void,
): Promise<{ store: EventStore; name: string }> {
  if (data === undefined) {
    if (format !== undefined) throw new UsageError('--format: expected only with --data');
    const { createDefaultEventStore } = await import('../sim/default-data.js');
    return { store: createDefaultEventStore(), name: 'default' };
  }
  const { readEventLog } = await import('../data/read-event-log.js');
  const log = await readEventLog(data, { format: formatFlag(format), ...(onProgress ? { onProgress } : {}) });
  return { store: log.store, name: data };
}

/**
 * Reads the file of flag `--NAME` as a JSON object of `agent`'s options, validated by the agent. The
 * file is an option, so whatever is wrong with it (unreadable, not JSON, a bad field) is a
 * {@link UsageError} (exit 2) naming the flag, the file and the field.
 */
export function readConfigFile(flag: string, path: string, agent: LearnerName): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--${flag} ${path}: expected a readable JSON file, actual ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--${flag} ${path}: expected JSON, actual ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`--${flag} ${path}: expected a JSON object of ${agent} options, actual ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  try {
    learnerSpec(agent).parseConfig(value);
  } catch (error) {
    throw new UsageError(`--${flag} ${path}: ${(error as Error).message}`);
  }
  return value as Record<string, unknown>;
}
