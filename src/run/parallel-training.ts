import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { learnerSpec } from '../agents/registry.js';
import { RecGymError, type ErrorCode } from '../core/errors.js';
import { storeColumns, type StoreColumns } from '../data/event-store.js';
import type { TrainingOptions, TrainingRun } from './training-run.js';

/** What a training worker is given: the store's columns and the run's options (no functions). */
export interface WorkerRequest {
  readonly columns: StoreColumns;
  readonly options: Omit<TrainingOptions, 'store' | 'log' | 'onEpoch' | 'progress'>;
}

/** What a training worker reports: log lines, then the run (its agent saved to `dir`) or the error. */
export type WorkerMessage =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'done'; readonly dir: string; readonly run: Omit<TrainingRun, 'agent'> }
  | { readonly type: 'error'; readonly code: ErrorCode | undefined; readonly name: string; readonly message: string };

const WORKER = new URL('./training-worker.js', import.meta.url);

/** True where the compiled worker module exists (the built package; not when running TypeScript sources). */
export function canTrainInWorkers(): boolean {
  return existsSync(fileURLToPath(WORKER));
}

/**
 * {@link runTraining} in a worker thread, so that several learners train on several cores at once:
 * the worker rebuilds the store from its columns, trains with the same seed streams, and saves the
 * chosen agent, which is loaded here on `options.store` (a checkpoint round trip is exact). Log lines
 * come back through `options.log`; a RecGymError keeps its code.
 */
export function runTrainingInWorker(options: TrainingOptions): Promise<TrainingRun> {
  if (!canTrainInWorkers()) throw new TypeError(`runTrainingInWorker: expected the compiled worker ${fileURLToPath(WORKER)}, actual none (run the built package)`);
  const { store, log, onEpoch, progress, ...rest } = options;
  if (onEpoch || progress) throw new TypeError('runTrainingInWorker: expected no onEpoch or progress (they cannot cross threads), actual one');
  const request: WorkerRequest = { columns: storeColumns(store), options: rest };
  return new Promise<TrainingRun>((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: request });
    let isSettled = false;
    let isReported = false;
    const settle = (fn: () => void): void => {
      if (isSettled) return;
      isSettled = true;
      fn();
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'log') log?.(message.line);
      else if (message.type === 'error') {
        settle(() => reject(message.code !== undefined ? new RecGymError(message.code, message.message) : Object.assign(new Error(message.message), { name: message.name })));
      } else {
        isReported = true;
        const { dir, run } = message;
        learnerSpec(run.name)
          .load(dir, store)
          .then(
            (agent) => settle(() => resolve({ ...run, agent })),
            (error: unknown) => settle(() => reject(error)),
          )
          .finally(() => void rm(dir, { recursive: true, force: true }));
      }
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => {
      if (!isReported) settle(() => reject(new Error(`training worker exited with code ${code} before reporting`)));
    });
  });
}
