import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable naming another folder of real log samples than `../shared/data`. */
export const SHARED_DATA_ENV = 'RECGYM_SHARED_DATA';

/** The real log samples' folder: `$RECGYM_SHARED_DATA` if set, else `../shared/data` beside the repository root (found from this file, also when run from dist/). */
export function sharedDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[SHARED_DATA_ENV];
  if (override) return resolve(override);
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  return resolve(root, '..', 'shared', 'data');
}

/** Why a run that needs `path` (the shared data folder or a file in it) cannot run, for a skip message. */
export function sharedDataAbsent(path: string): string {
  return `${path} is absent: the real samples live in ../shared/data beside the repository (or set ${SHARED_DATA_ENV} to their folder)`;
}
