import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';

/** The tfjs namespace recgym trains with (tfjs-node re-exports the same API). */
export type Tf = typeof TF;

/** Which backend to use: `auto` tries tfjs-node, then WASM, then the plain CPU backend. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** The chosen tfjs namespace and the backend it runs on (`tensorflow`, `wasm` or `cpu`). */
export interface BackendChoice {
  readonly tf: Tf;
  readonly backend: string;
}

const require = createRequire(import.meta.url);
let current: Promise<BackendChoice> | undefined;
let currentPreference: BackendPreference | undefined;

/**
 * Loads tfjs and selects a backend: `@tensorflow/tfjs-node` when it is installed (an optional
 * dependency whose install needs the network), else `@tensorflow/tfjs` on WASM with the `.wasm` files
 * read from the local `@tensorflow/tfjs-backend-wasm/dist` folder, else the CPU backend. A specific
 * preference fails with an Error naming the missing package instead of falling back. Calls with the
 * same preference share one initialisation; a different preference switches the backend.
 */
export function initBackend(preference: BackendPreference = 'auto'): Promise<BackendChoice> {
  if (current !== undefined && currentPreference === preference) return current;
  const previous = current;
  currentPreference = preference;
  current = (async () => {
    if (previous) await previous.catch(() => undefined);
    return select(preference);
  })();
  return current;
}

async function select(preference: BackendPreference): Promise<BackendChoice> {
  const choice = await selectBackend(preference);
  // Production mode skips tfjs's per-kernel correctness checks (about 10 % of a WASM train step, measured).
  choice.tf.enableProdMode();
  return choice;
}

async function selectBackend(preference: BackendPreference): Promise<BackendChoice> {
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(preference)) {
    throw new RangeError(`backend: expected auto, tensorflow, wasm or cpu, actual ${String(preference)}`);
  }
  if (preference === 'auto' || preference === 'tensorflow') {
    const node = await tryImport('@tensorflow/tfjs-node');
    if (node) {
      const tf = node as Tf;
      await tf.setBackend('tensorflow');
      await tf.ready();
      return { tf, backend: tf.getBackend() };
    }
    if (preference === 'tensorflow') throw new Error('backend: expected @tensorflow/tfjs-node to be installed, actual not found (npm install @tensorflow/tfjs-node)');
  }
  const tf = (await import('@tensorflow/tfjs')) as Tf;
  if (preference === 'auto' || preference === 'wasm') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
      wasm.setWasmPaths(`${dist}/`);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { tf, backend: tf.getBackend() };
      }
      throw new Error('tf.setBackend("wasm") returned false');
    } catch (error) {
      if (preference === 'wasm') throw new Error(`backend: expected the WASM backend to start, actual ${(error as Error).message}`, { cause: error });
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: tf.getBackend() };
}

async function tryImport(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch {
    return undefined;
  }
}
