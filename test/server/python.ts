import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLIENT = join(ROOT, 'clients', 'python');
/** Gymnasium 1.0.0 and Stable-Baselines3 2.4.1 live in ../shared/python beside the repository (or where RECGYM_SHARED_PYTHON says). */
export const SHARED_PYTHON = process.env.RECGYM_SHARED_PYTHON ? resolve(process.env.RECGYM_SHARED_PYTHON) : resolve(ROOT, '..', 'shared', 'python');

/** The first python3 that imports websockets (pyenv's python3 may lack Debian's python3-websockets). */
export function findPython(): { python?: string; reason?: string } {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import websockets'], { encoding: 'utf8' });
    if (probe.status === 0) return { python: candidate };
  }
  return { reason: 'no python3 imports websockets (sudo apt-get install -y python3-websockets)' };
}
