import { mkdirSync, mkdtempSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeAtomically, writeTextAtomically } from '../core/atomic-write.js';
import { ErrorCode, RecGymError, isRecGymError } from '../core/errors.js';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function writeFailed(flag: string, path: string, expected: string, actual: string): RecGymError {
  return new RecGymError(ErrorCode.WRITE_FAILED, `--${flag} ${path}: expected ${expected}, actual ${actual}`);
}

/**
 * Checks, before any work, that directory `path` (given with flag `--flag`) exists or can be
 * created, and that new entries can be made in it: the nearest existing folder on its way must be
 * a directory in which a probe directory can be made and removed (this refuses read-only and
 * pseudo file systems such as /proc, and files in the way). Creates nothing; a RecGymError
 * WRITE_FAILED (exit 1) names the flag, the path and what is wrong.
 */
export function checkOutputDirectory(flag: string, path: string): void {
  checkWritableFolder(flag, path, path, 'a writable directory');
}

/**
 * Checks, before any work, that file `path` (given with flag `--flag`) can be written: not a
 * directory, and its folder passes {@link checkOutputDirectory}. Creates nothing.
 */
export function checkOutputFile(flag: string, path: string): void {
  if (statOrUndefined(path)?.isDirectory()) throw writeFailed(flag, path, 'a file path', 'a directory');
  checkWritableFolder(flag, path, dirname(path), 'a file in a writable directory');
}

function checkWritableFolder(flag: string, shown: string, folder: string, expected: string): void {
  let existing = resolve(folder);
  let stats = statOrUndefined(existing);
  while (stats === undefined && dirname(existing) !== existing) {
    existing = dirname(existing);
    stats = statOrUndefined(existing);
  }
  if (stats === undefined) throw writeFailed(flag, shown, expected, 'no existing folder on its way');
  if (!stats.isDirectory()) throw writeFailed(flag, shown, expected, existing === resolve(shown) ? 'a file' : `${existing} is a file`);
  try {
    rmdirSync(mkdtempSync(join(existing, '.recgym-probe-')));
  } catch (error) {
    throw writeFailed(flag, shown, expected, `${existing} refuses new entries (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Creates directory `path` and its missing parents one level at a time (a recursive `mkdir` can
 * spin forever under /proc); call {@link checkOutputDirectory} first. A failure is WRITE_FAILED.
 */
export function createDirectory(flag: string, path: string): void {
  const missing: string[] = [];
  for (let dir = resolve(path); statOrUndefined(dir) === undefined && dirname(dir) !== dir; dir = dirname(dir)) missing.unshift(dir);
  try {
    for (const dir of missing) mkdirSync(dir);
  } catch (error) {
    throw writeFailed(flag, path, 'a writable directory', (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

function writeFailedBy(flag: string, path: string, error: unknown): RecGymError {
  if (isRecGymError(error)) return error;
  return writeFailed(flag, path, 'a writable path', (error as NodeJS.ErrnoException).code ?? (error as Error).message);
}

/** Writes `text` to `path` (an output of `--flag`) atomically; a failure is WRITE_FAILED naming the flag and the path. */
export async function writeOutputText(flag: string, path: string, text: string): Promise<void> {
  try {
    await writeTextAtomically(path, text);
  } catch (error) {
    throw writeFailedBy(flag, path, error);
  }
}

/**
 * Saves `agent`'s checkpoint as directory `dir` (an output of `--flag`) atomically: written under a
 * temporary name beside it and renamed when complete, its parent created if missing.
 */
export async function saveCheckpoint(flag: string, dir: string, agent: { save(dir: string): Promise<void> }): Promise<void> {
  createDirectory(flag, dirname(dir));
  try {
    await writeAtomically(dir, 'directory', (temp) => agent.save(temp));
  } catch (error) {
    throw writeFailedBy(flag, dir, error);
  }
}
