import { existsSync, readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCode, RecGymError } from '../core/errors.js';
import type { EventStore } from '../data/event-store.js';
import { fingerprintDifference } from '../data/fingerprint.js';

/** Unix seconds as the event store holds them (int32). */
const UnixSeconds = z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1);

/** The {@link DataFingerprint} of a checkpoint's manifest. */
export const DataFingerprintSchema = z
  .object({
    items: z.number().int().min(1),
    itemIds: z.string().regex(/^[0-9a-f]{16}$/),
    train: z.object({ start: UnixSeconds, end: UnixSeconds }).strict(),
    trainEvents: z.number().int().min(0),
    trainEventsHash: z.string().regex(/^[0-9a-f]{16}$/),
  })
  .strict();

/** A one-line BAD_CHECKPOINT error: `where: what`. */
export function checkpointError(where: string, what: string, cause?: unknown): RecGymError {
  return new RecGymError(ErrorCode.BAD_CHECKPOINT, `${where}: ${what}`.replace(/\s*\n\s*/g, ' '), cause === undefined ? undefined : { cause });
}

/**
 * Reads `dir/manifest.json` and validates it with `schema`: a format of the same family but another
 * version is refused naming both (retrain), then the first schema issue is refused naming its field.
 */
export async function readManifest<S extends z.ZodType>(dir: string, where: string, format: string, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch (error) {
    throw checkpointError(where, `expected a JSON manifest.json, actual ${(error as Error).message}`, error);
  }
  const found = typeof raw === 'object' && raw !== null ? (raw as { format?: unknown }).format : undefined;
  if (found !== format) {
    const family = format.slice(0, format.indexOf('/') + 1);
    const isOtherVersion = typeof found === 'string' && found.startsWith(family);
    throw checkpointError(
      where,
      `expected format ${format}, actual ${typeof found === 'string' ? found : JSON.stringify(found ?? null)}${isOtherVersion ? ' (written by another version of recgym: retrain with recgym train)' : ''}`,
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw checkpointError(where, `${issue.path.join('.') || '(manifest)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Refuses `store` unless it is the data the checkpoint was trained on, naming the first difference. */
export function checkTrainingData(where: string, fingerprint: z.output<typeof DataFingerprintSchema>, store: EventStore): void {
  const difference = fingerprintDifference(fingerprint, store);
  if (difference !== undefined) throw checkpointError(where, `another data set than the checkpoint's: ${difference}`);
}

/** Refuses the first non-finite value of `values` (weights named `name`), naming its index. */
export function checkFinite(where: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw checkpointError(where, `${name}[${i}]: expected a finite weight, actual ${values[i]}`);
  }
}

/** Writes `text` to `dir/name` through a temporary file and a rename, so a reader never sees half of it. */
export async function writeFileReplacing(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  const temporary = join(dir, `.${name}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, join(dir, name));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The learner a checkpoint directory holds, read from its manifest's `format` (`recgym-ranker/N`, `recgym-dqn/N`). */
export function checkpointLearner(dir: string, where: string): { learner: 'ranker' | 'dqn'; path: string } {
  const path = existsSync(join(dir, 'checkpoint', 'manifest.json')) ? join(dir, 'checkpoint') : dir;
  let format: unknown;
  try {
    format = (JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as { format?: unknown }).format;
  } catch (error) {
    throw new RecGymError(ErrorCode.BAD_CHECKPOINT, `${where}: expected a checkpoint of recgym train, actual ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const learner = typeof format === 'string' ? format.match(/^recgym-(ranker|dqn)\//)?.[1] : undefined;
  if (learner !== 'ranker' && learner !== 'dqn') throw new RecGymError(ErrorCode.BAD_CHECKPOINT, `${where}: expected a ranker or dqn checkpoint, actual format ${JSON.stringify(format)}`);
  return { learner, path };
}
