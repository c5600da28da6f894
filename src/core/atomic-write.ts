import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temporary paths being written now, removed by {@link removePendingTemps}. */
const pending = new Set<string>();
let counter = 0;

/** A fresh temporary name beside `target` (same folder, so that renaming it onto `target` is atomic). */
export function tempPathBeside(target: string, purpose = 'tmp'): string {
  counter++;
  return join(dirname(target), `.${basename(target)}.recgym-${purpose}-${process.pid}-${counter}`);
}

/**
 * Writes `target` (a file, or a directory when `kind` is `directory`) through a temporary name
 * beside it: `write` fills the temporary path (for a directory it is created empty first), and
 * only when it succeeds is the result renamed onto `target`, replacing what was there. On failure
 * the temporary path is removed and the error rethrown, so `target` is either the complete new
 * result or untouched. Until the rename the temporary path is listed for {@link removePendingTemps}.
 */
export async function writeAtomically<T>(target: string, kind: 'file' | 'directory', write: (tempPath: string) => T | Promise<T>): Promise<T> {
  const temp = tempPathBeside(target);
  pending.add(temp);
  try {
    if (kind === 'directory') mkdirSync(temp);
    const result = await write(temp);
    if (kind === 'directory') replaceDirectory(temp, target);
    else renameSync(temp, target);
    return result;
  } finally {
    pending.delete(temp);
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Writes `text` to the file `target` with {@link writeAtomically}. */
export async function writeTextAtomically(target: string, text: string): Promise<void> {
  await writeAtomically(target, 'file', (temp) => writeFile(temp, text));
}

/** Moves the finished directory `temp` onto `target`, setting an existing `target` aside first and removing it after. */
function replaceDirectory(temp: string, target: string): void {
  if (!existsSync(target)) {
    renameSync(temp, target);
    return;
  }
  if (!statSync(target).isDirectory()) throw new Error(`${target} is not a directory`);
  const old = tempPathBeside(target, 'old');
  renameSync(target, old);
  try {
    renameSync(temp, target);
  } catch (error) {
    renameSync(old, target);
    throw error;
  }
  rmSync(old, { recursive: true, force: true });
}

/**
 * Removes every temporary path still being written (for a process that is being interrupted) and
 * returns them. Synchronous, so that a signal handler can call it right before exiting.
 */
export function removePendingTemps(): string[] {
  const removed = [...pending];
  for (const path of removed) {
    rmSync(path, { recursive: true, force: true });
    pending.delete(path);
  }
  return removed;
}
