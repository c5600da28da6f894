import { join } from 'node:path';
import { AGENTS, LEARNERS, type LearnerName } from '../agents/registry.js';
import type { BackendPreference } from '../agents/dqn/backend.js';
import { ErrorCode, RecGymError, isRecGymError } from '../core/errors.js';
import { formatDay } from '../data/split.js';
import { buildTestCases } from '../eval/test-cases.js';
import { fmt, jsonWithNulls } from '../report/format.js';
import { textTable } from '../report/table.js';
import { runTraining, SELECTION_METRIC, trainingCurvesSvg, trainingSummary, type EpochRecord, type TrainingRun } from '../run/training-run.js';
import { commandProgress, readingProgress, writeWarning } from './cli-output.js';
import { UsageError, intFlag, parseFlags, seedFlag, type CliIo, type Command } from './command.js';
import { loadStore, readConfigFile } from './load-store.js';
import { checkOutputDirectory, saveCheckpoint, writeOutputText } from './output-path.js';
import { checkTestWindowFlags, chooseSplit, testWindowWarning, type TestWindowFlags } from './test-window.js';

const BACKENDS: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

const USAGE = `usage: recgym train [--agent ranker|dqn] [--data FILE] [--format F]
                    [--test-day YYYY-MM-DD | --test-start YYYY-MM-DDTHH:MM] [--validation-days N] [--epochs E] [--seed S] [--backend auto|tensorflow|wasm|cpu]
                    [--config FILE.json] [--refit] --out DIR [--json] [--quiet]

Trains a learning agent on the days before the validation day(s), evaluates it after every epoch in
the full protocol (Recall@20, NDCG@20) on the validation day(s) and on the test day, and keeps the
epoch with the best validation Recall@20 (the test day is reported, never used to choose).

  --agent NAME         ranker (history and context features, sampled softmax; typed arrays) or dqn
                       (ranks by Q: GRU, Bellman targets, replay, target network; tfjs) (default dqn)
  --data FILE          a Tianchi / UserBehavior / RetailRocket log (default: the embedded default data)
  --format F           tianchi | userbehavior | retailrocket (default: detected)
  --test-day D         the test day (default: the last day with events)
  --test-start T       test window [T, next midnight) UTC; train = everything before T
  --validation-days N  days right before the test day that choose the epoch (default 1)
  --epochs E           training epochs (default: the config's, 2)
  --seed S             seed of training and evaluation tie-breaks (default 0)
  --backend B          the DQN's tfjs backend: auto = tfjs-node if installed, else WASM, else CPU (default auto)
  --config FILE        a JSON object of the agent's options (src/agents/ranker/config.ts,
                       src/agents/dqn/config.ts); flags override it
  --refit              then retrain from scratch through the validation day(s) for the chosen number
                       of epochs, and save that agent (its test metrics are reported as refit)
  --out DIR            writes DIR/checkpoint (load with recgym eval --agents NAME --model DIR/checkpoint),
                       DIR/results.json and DIR/curves.svg, each under a temporary name renamed when
                       complete; DIR is checked before training (exit 1 when it cannot be written)
  --json               print the results as one JSON object (no progress on stderr)
  --quiet              no progress and no log lines on stderr (warnings still)

On stderr: log lines, and progress of reading the log, of every epoch and of every evaluation
(a bar on a terminal; otherwise a plain line per 10 % at most every 5 s, or a minute). Throughput
figures say what they divide by: transitions per second of gradient time, and of wall time.
A saved agent that made no gradient step is flagged: a warning on stderr (red on a terminal) and
"trained": false in results.json. The DQN's learningStarts adapts to small data (see its config).`;

/** Per-epoch columns a learner may report, with their headers and digits. */
const DETAIL_COLUMNS: ReadonlyArray<readonly [key: string, header: string, digits: number]> = [
  ['meanReward', 'reward', 4],
  ['epsilon', 'ε', 3],
  ['purchaseReward', 'purchase', 2],
];

function epochTable(records: readonly EpochRecord[], bestEpoch: number): string {
  const details = DETAIL_COLUMNS.filter(([key]) => records.some((r) => key in r.details));
  const header = ['epoch', 'loss', ...details.map(([, h]) => h), 'grad tr/s', 'wall tr/s', 'sec', `val ${SELECTION_METRIC}`, 'val ndcg@20', `test ${SELECTION_METRIC}`, 'test ndcg@20'];
  const rows = records.map((r) => [
    `${r.epoch + 1}${r.epoch === bestEpoch ? '*' : ''}`,
    fmt(r.loss),
    ...details.map(([key, , digits]) => fmt(r.details[key], digits)),
    String(Math.round(r.transitionsPerSec)),
    String(Math.round(r.wallTransitionsPerSec)),
    fmt(r.seconds + r.evalSeconds, 1),
    fmt(r.validation[SELECTION_METRIC]),
    fmt(r.validation['ndcg@20']),
    fmt(r.test[SELECTION_METRIC]),
    fmt(r.test['ndcg@20']),
  ]);
  return textTable(header, rows, { leftColumns: 0 });
}

/** `recgym train`: trains the ranker or the DQN with per-epoch validation, writes a checkpoint, results.json and curves.svg. */
export const command: Command = {
  path: ['train'],
  summary: 'train the ranker or the DQN (validation picks the epoch), write a checkpoint, results and learning curves',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(
      args,
      {
        agent: { type: 'string' },
        data: { type: 'string' },
        format: { type: 'string' },
        'test-day': { type: 'string' },
        'test-start': { type: 'string' },
        'validation-days': { type: 'string' },
        epochs: { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        config: { type: 'string' },
        out: { type: 'string' },
        refit: { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
      false,
    );
    const agentName = values.agent ?? 'dqn';
    if (!AGENTS.has(agentName)) throw new UsageError(`--agent: expected one of ${[...AGENTS.keys()].join(', ')}, actual "${agentName}"`);
    if (!LEARNERS.has(agentName as LearnerName)) {
      throw new UsageError(`--agent: expected an agent that trains (${[...LEARNERS.keys()].join(', ')}), actual "${agentName}" (baselines are fitted by recgym eval)`);
    }
    const learner = agentName as LearnerName;
    if (values.out === undefined || values.out === '') throw new UsageError('--out: expected a directory for the checkpoint and results');
    const out = values.out;
    const seed = seedFlag('seed', values.seed, 0);
    const validationDays = intFlag('validation-days', values['validation-days'], 1, 1, 365);
    const epochs = values.epochs !== undefined ? intFlag('epochs', values.epochs, 1, 1, 10_000) : undefined;
    const backend = values.backend as BackendPreference | undefined;
    if (backend !== undefined && !BACKENDS.includes(backend)) throw new UsageError(`--backend: expected ${BACKENDS.join(', ')}, actual "${backend}"`);
    if (backend !== undefined && learner !== 'dqn') throw new UsageError(`--backend: expected only with --agent dqn (the ${learner} runs on typed arrays), actual "${backend}"`);

    const windowFlags: TestWindowFlags = { testDay: values['test-day'], testStart: values['test-start'] };
    checkTestWindowFlags(windowFlags);
    const fileConfig = values.config !== undefined ? readConfigFile('config', values.config, learner) : {};
    const config: Record<string, unknown> = { ...fileConfig, ...(epochs !== undefined ? { epochs } : {}), ...(backend !== undefined ? { backend } : {}) };
    try {
      LEARNERS.get(learner)?.parseConfig(config);
    } catch (error) {
      throw new UsageError(`${values.config !== undefined ? `--config ${values.config}: ` : ''}${(error as Error).message}`);
    }

    checkOutputDirectory('out', out);

    const isQuiet = values.quiet ?? false;
    const progress = commandProgress(io, isQuiet || (values.json ?? false));
    const log = (line: string) => {
      if (!isQuiet) io.stderr(`recgym train: ${line}\n`);
    };
    const loadStarted = performance.now();
    const { store, name } = await loadStore(values.data, values.format, readingProgress(progress, values.data));
    progress?.finish();
    const split = chooseSplit(store, windowFlags);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    log(`data ${name}: ${store.length} events, ${store.numUsers} users, ${store.numItems} items (${loadSeconds.toFixed(1)}s)`);
    const warning = testWindowWarning(store, split, buildTestCases(store, split).count, windowFlags);
    if (warning !== undefined) io.stderr(`recgym train: ${warning}\n`);
    let run: TrainingRun;
    try {
      run = await runTraining({
        store,
        split,
        agent: learner,
        config,
        seed,
        validationDays,
        refit: values.refit ?? false,
        log,
        progress,
      });
    } catch (error) {
      if (isRecGymError(error) || !(error instanceof Error) || !/^backend: /.test(error.message)) throw error;
      throw new RecGymError(ErrorCode.BAD_OPTION, error.message);
    }
    const checkpoint = join(out, 'checkpoint');
    const resultsPath = join(out, 'results.json');
    const curvesPath = join(out, 'curves.svg');
    try {
      await saveCheckpoint('out', checkpoint, run.agent);
      const results = {
        data: name,
        events: store.length,
        users: store.numUsers,
        items: store.numItems,
        testDay: formatDay(split.testDay),
        validationDays,
        ...trainingSummary(run),
        loadSeconds,
        files: { checkpoint, results: resultsPath, curves: curvesPath },
      };
      const json = jsonWithNulls(results, 2);
      await writeOutputText('out', resultsPath, `${json}\n`);
      for (const warning of run.warnings) writeWarning(io, 'train', warning);
      await writeOutputText('out', curvesPath, trainingCurvesSvg(run.epochs, run.bestEpoch, `${learner} on ${name === 'default' ? 'the default data' : name.split('/').pop()}`));
      if (values.json) io.stdout(`${JSON.stringify(JSON.parse(json))}\n`);
      else {
        const best = run.epochs[run.bestEpoch];
        io.stdout(
          `${epochTable(run.epochs, run.bestEpoch)}\n\n` +
            `backend ${run.backend} · seed ${seed} · ${run.seconds.toFixed(1)}s · chosen epoch ${run.bestEpoch + 1} (validation ${SELECTION_METRIC} ${fmt(best.validation[SELECTION_METRIC])}, test ${fmt(best.test[SELECTION_METRIC])})\n` +
            (run.refit ? `refit ${run.refit.epochs} epoch(s) through the validation day(s): test ${SELECTION_METRIC} ${fmt(run.refit.test[SELECTION_METRIC])} (the saved agent)\n` : '') +
            `wrote ${checkpoint}, ${resultsPath}, ${curvesPath}\n`,
        );
      }
    } catch (error) {
      if (isRecGymError(error)) throw error;
      throw new RecGymError(ErrorCode.WRITE_FAILED, `--out ${out}: expected a writable directory, actual ${(error as Error).message}`);
    } finally {
      run.agent.dispose?.();
    }
    return 0;
  },
};
