import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { isRecGymError } from '../core/errors.js';
import { storeFromColumns } from '../data/event-store.js';
import { runTraining } from './training-run.js';
import type { WorkerRequest, WorkerMessage } from './parallel-training.js';

// One training run in a worker thread: rebuild the store, train, save the chosen agent, report.
const request = workerData as WorkerRequest;
const post = (message: WorkerMessage): void => parentPort?.postMessage(message);
try {
  const store = storeFromColumns(request.columns);
  const run = await runTraining({ ...request.options, store, log: (line) => post({ type: 'log', line }) });
  const dir = await mkdtemp(join(tmpdir(), 'recgym-worker-'));
  await run.agent.save(dir);
  run.agent.dispose?.();
  const { agent: _agent, ...rest } = run;
  post({ type: 'done', dir, run: rest });
} catch (error) {
  post({ type: 'error', code: isRecGymError(error) ? error.code : undefined, name: (error as Error).name, message: (error as Error).message ?? String(error) });
}
