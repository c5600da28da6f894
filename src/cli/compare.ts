import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { BackendPreference } from '../agents/dqn/backend.js';
import { runComparison, COMPARE_BASELINES } from '../run/compare.js';
import { canTrainInWorkers } from '../run/parallel-training.js';
import { COMPARE_FILES, compareJson, compareMarkdown, formatCompareTable, learningCurvesSvg, recallBarsSvg } from '../run/compare-report.js';
import { formatCount } from '../report/format.js';
import { buildTestCases } from '../eval/test-cases.js';
import { DEFAULT_GENERATOR_CONFIG } from '../sim/generator-config.js';
import { readingProgress } from './cli-output.js';
import { COMPARE_SHARED_FLAGS, ONLINE_USAGE, compareOutput, runOnlineCompare } from './compare-online.js';
import { UsageError, intFlag, parseFlags, seedsFlags, type CliIo, type Command } from './command.js';
import { loadStore, readConfigFile } from './load-store.js';
import { saveCheckpoint, writeOutputText } from './output-path.js';
import { checkTestWindowFlags, chooseSplit, noTestCasesError, testWindowWarning, type TestWindowFlags } from './test-window.js';
import { writeShopperLog } from './write-shopper-log.js';

/**
 * Epochs `recgym compare` trains each learner by default, so that `npm start` stays under 5 minutes
 * on 2 cores with WASM: on the embedded data the DQN's validation day chooses its first epoch of two
 * (tutorial §6); on users386 it chose 2, 2 and 1 of 3 (RESULTS.md), a figure within its seed spread.
 */
export const COMPARE_DEFAULT_EPOCHS = { ranker: 2, dqn: 1 } as const;

const BACKENDS: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

const USAGE = `usage: recgym compare [--data FILE] [--format F] [--test-day YYYY-MM-DD | --test-start YYYY-MM-DDTHH:MM]
                      [--epochs E] [--seed S | --seeds 0,1,2] [--backend auto|tensorflow|wasm|cpu]
                      [--ranker-config FILE.json] [--dqn-config FILE.json] [--validation-days N] [--no-refit]
                      [--jobs N] [--resamples N] [--out DIR] [--json] [--quiet]

The main job (what \`npm start\` runs): trains the two learning agents on the training days (the last
one validates and picks the epoch; each is then retrained that many epochs through the validation
day): the ranker (history and context features, sampled softmax) and the DQN (ranks by Q). Then
evaluates them and the baselines ${COMPARE_BASELINES.join(', ')} on the held-out test day under the full,
sampled and seed protocols on the same cases, with 95 % bootstrap CIs, paired differences to recent
(on all, warm and discovery cases), and each learner paired with every other agent. Prints one table
and writes DIR/${COMPARE_FILES.json}, DIR/${COMPARE_FILES.markdown}, DIR/${COMPARE_FILES.curves}, DIR/${COMPARE_FILES.bars} and
the trained checkpoints (DIR/model/NAME, or DIR/model-seed-S/NAME for several seeds).

  --data FILE     a Tianchi / UserBehavior / RetailRocket log (default: the embedded default data,
                  written to DIR/default-tianchi.csv first and read back from it)
  --format F      the log's format (default: detected)
  --test-day D    the test day (default: the last day with events)
  --test-start T  test window [T, next midnight) UTC; train = everything before T
  --epochs E      epochs of each learner (default: ranker ${COMPARE_DEFAULT_EPOCHS.ranker}, dqn ${COMPARE_DEFAULT_EPOCHS.dqn})
  --seed S        seed of training, candidates, tie-breaks and resamples (default 0)
  --seeds 0,1,2   one training run and evaluation per seed; reports the mean and the spread
  --backend B     the DQN's tfjs backend (default auto: tfjs-node if installed, else WASM, else CPU)
  --ranker-config FILE  a JSON object of ranker options (src/agents/ranker/config.ts); --epochs overrides it
  --dqn-config FILE     a JSON object of DQN options (src/agents/dqn/config.ts); --epochs and --backend override it
  --validation-days N  days before the test day that pick each learner's epoch (default 1)
  --jobs N        learners trained at once, each in a worker thread (default: the cores, at most 2;
                  1 = one after another); the results do not depend on it
  --no-refit      keep the chosen epoch's agent, trained without the validation day(s)
  --resamples N   bootstrap resamples (default 1000)
  --out DIR       where results go (default results); checked before any work, and every file and
                  checkpoint is written under a temporary name, renamed when complete
  --json          print the report as one JSON object (no progress on stderr)
  --quiet         no progress and no log lines on stderr (warnings still)

${ONLINE_USAGE}`;

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `recgym compare`: train the ranker and the DQN, evaluate them and the baselines under every protocol, write results/. */
export const command: Command = {
  path: ['compare'],
  summary: 'train the ranker and the DQN and compare them with the baselines under every protocol (npm start)',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    if (args.some((a) => a === '--env' || a.startsWith('--env='))) return runOnlineCompare(args, io);
    const { values } = parseFlags(
      args,
      {
        ...COMPARE_SHARED_FLAGS,
        'test-start': { type: 'string' },
        backend: { type: 'string' },
        'ranker-config': { type: 'string' },
        'validation-days': { type: 'string' },
        jobs: { type: 'string' },
        'no-refit': { type: 'boolean' },
      },
      false,
    );
    const epochs = values.epochs !== undefined ? intFlag('epochs', values.epochs, 1, 1, 10_000) : undefined;
    const validationDays = intFlag('validation-days', values['validation-days'], 1, 1, 3650);
    const jobs = intFlag('jobs', values.jobs, canTrainInWorkers() ? Math.min(2, availableParallelism()) : 1, 1, 64);
    if (jobs > 1 && !canTrainInWorkers()) throw new UsageError(`--jobs: expected 1 when running from the TypeScript sources (the worker is compiled into dist), actual ${jobs}`);
    const seeds = seedsFlags(values.seed, values.seeds);
    const resamples = intFlag('resamples', values.resamples, 1000, 1, 1_000_000);
    const backend = (values.backend ?? 'auto') as BackendPreference;
    if (!BACKENDS.includes(backend)) throw new UsageError(`--backend: expected ${BACKENDS.join(', ')}, actual "${values.backend}"`);
    const windowFlags: TestWindowFlags = { testDay: values['test-day'], testStart: values['test-start'] };
    checkTestWindowFlags(windowFlags);
    if (values.data === undefined && values.format !== undefined) throw new UsageError('--format: expected only with --data');
    const rankerFile = values['ranker-config'] !== undefined ? readConfigFile('ranker-config', values['ranker-config'], 'ranker') : {};
    const dqnFile = values['dqn-config'] !== undefined ? readConfigFile('dqn-config', values['dqn-config'], 'dqn') : {};
    const epochsOf = (file: Record<string, unknown>, learner: keyof typeof COMPARE_DEFAULT_EPOCHS) => epochs ?? file.epochs ?? COMPARE_DEFAULT_EPOCHS[learner];
    const { outDir, progress, log } = compareOutput(values, io);

    let dataFile = values.data;
    if (dataFile === undefined) {
      dataFile = join(outDir, 'default-tianchi.csv');
      const { events } = await writeShopperLog('out', dataFile, DEFAULT_GENERATOR_CONFIG);
      log(`wrote the embedded default data (seed ${DEFAULT_GENERATOR_CONFIG.seed}, ${formatCount(events)} events) to ${dataFile}`);
    }
    const { store, name } = await loadStore(dataFile, values.format, readingProgress(progress, dataFile));
    progress?.finish();
    const split = chooseSplit(store, windowFlags);
    const cases = buildTestCases(store, split).count;
    if (cases === 0) throw noTestCasesError(name, store, split, windowFlags);
    const warning = testWindowWarning(store, split, cases, windowFlags);
    if (warning !== undefined) log(warning);

    const multiple = seeds.length > 1;
    const report = await runComparison({
      store,
      split,
      data: name,
      command: ['recgym', 'compare', ...args].map(quote).join(' '),
      seeds,
      variants: [
        { name: 'ranker', agent: 'ranker', config: { ...rankerFile, epochs: epochsOf(rankerFile, 'ranker') } },
        { name: 'dqn', agent: 'dqn', config: { ...dqnFile, epochs: epochsOf(dqnFile, 'dqn'), ...(values.backend !== undefined ? { backend } : {}) } },
      ],
      validationDays,
      jobs,
      refit: values['no-refit'] !== true,
      resamples,
      log,
      progress,
      onRankProgress: progress && ((label, done, total) => progress.update(label, done, total, { unit: 'cases' })),
      onTrained: async (variant, seed, agent) => {
        await saveCheckpoint('out', join(outDir, multiple ? `model-seed-${seed}` : 'model', variant), agent);
      },
    });
    progress?.finish();

    await writeOutputText('out', join(outDir, COMPARE_FILES.json), `${compareJson(report, 2)}\n`);
    await writeOutputText('out', join(outDir, COMPARE_FILES.markdown), compareMarkdown(report));
    await writeOutputText('out', join(outDir, COMPARE_FILES.curves), learningCurvesSvg(report));
    await writeOutputText('out', join(outDir, COMPARE_FILES.bars), recallBarsSvg(report));
    if (values.json) {
      io.stdout(`${compareJson(report)}\n`);
    } else {
      io.stdout(formatCompareTable(report));
      const files = [COMPARE_FILES.json, COMPARE_FILES.markdown, COMPARE_FILES.curves, COMPARE_FILES.bars, multiple ? 'model-seed-*/{ranker,dqn}' : 'model/{ranker,dqn}'];
      io.stdout(`wrote ${files.map((f) => join(outDir, f)).join(', ')}\n`);
    }
    return 0;
  },
};
