import { FORMAT_NAMES } from '../data/detect-format.js';
import type { EventStore } from '../data/event-store.js';
import { readEventLog } from '../data/read-event-log.js';
import { checkEnv } from '../env/check-env.js';
import { envSpec, makeEnv, makeVectorEnv } from '../env/registry.js';
import type { RecommendationEnv } from '../env/recommendation-env.js';
import { dayFlag, formatFlag, intFlag, parseFlags, seedFlag, UsageError, type Command } from './command.js';
import { readSimModel } from './read-sim-model.js';

const USAGE = `usage: recgym env check ENV_ID [--data FILE] [--format F] [--test-day YYYY-MM-DD] [--split train|test] [--seed S]
                       [--num-envs N] [--simulator SIM.json] [--json]

Builds a registered environment in both forms and runs checkEnv on each: spaces, return shapes,
observations in the observation space, same seed -> same rollout, RESET_NEEDED after the end
(single env), same-step auto-reset with final observations (vector env), close() twice.

  --data FILE         event log to replay (default: the embedded default data)
  --format F          ${['auto', ...FORMAT_NAMES].join(' | ')} (default auto)
  --test-day DAY      held-out day, UTC (default: the last day with events)
  --split S           train | test (default train; replay envs only: a simulated env has no split)
  --seed S            seed of the check's rollouts (default 0)
  --num-envs N        slots of the vector form (default 4)
  --simulator FILE    a simulated env's model, as recgym sim fit wrote it for the --data log
                      (default: the env's preset, fitted on the days before the test day)
  --json              print one JSON object on stdout`;

const FLAGS = {
  data: { type: 'string' },
  format: { type: 'string' },
  'test-day': { type: 'string' },
  split: { type: 'string' },
  seed: { type: 'string' },
  'num-envs': { type: 'string' },
  simulator: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `recgym env check`: runs checkEnv on a registered environment. */
export const command: Command = {
  path: ['env', 'check'],
  summary: 'run checkEnv on a registered environment (optionally on a log file)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length !== 1) {
      throw new UsageError(`expected one ENV_ID, actual ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    }
    const id = positionals[0];
    const isSimulated = envSpec(id).defaults.simulator !== undefined;
    const format = formatFlag(values.format);
    const testDay = dayFlag('test-day', values['test-day']);
    const split = values.split ?? 'train';
    if (split !== 'train' && split !== 'test') throw new UsageError(`--split: expected train or test, actual "${split}"`);
    if (isSimulated && values.split !== undefined) throw new UsageError(`--split: expected only with a replay env, actual ${id} (a simulated env; its simulator is fitted on the days before the test day)`);
    if (!isSimulated && values.simulator !== undefined) throw new UsageError(`--simulator: expected only with a simulated env, actual ${id} (a replay env)`);
    // A simulated env has no replayed window: it takes the test day (what the simulator is fitted before) and no split.
    const windowOptions: { testDay?: string; split?: 'train' | 'test' } = isSimulated ? { testDay } : { testDay, split };
    const simulator = values.simulator === undefined ? undefined : await readSimModel(values.simulator);
    const shownSplit = isSimulated ? 'simulated' : split;
    const seed = seedFlag('seed', values.seed, 0);
    const numEnvs = intFlag('num-envs', values['num-envs'], 4, 1);
    let store: EventStore | undefined;
    if (values.data !== undefined) {
      store = (await readEventLog(values.data, { format })).store;
    } else if (values.format !== undefined) {
      throw new UsageError('--format: expected --data FILE with it, actual no --data');
    }
    const startedMs = performance.now();
    const env = makeEnv<RecommendationEnv>(id, { store, ...windowOptions, simulator });
    const numEpisodes = env.numEpisodes;
    const report = checkEnv(env, { seed });
    const vectorReport = checkEnv(makeVectorEnv(id, { store, ...windowOptions, simulator, numEnvs }), { seed });
    const passed = report.passed && vectorReport.passed;
    const seconds = (performance.now() - startedMs) / 1000;
    if (values.json) {
      const vector = { numEnvs, passed: vectorReport.passed, checks: vectorReport.checks };
      io.stdout(
        `${JSON.stringify({ env: id, data: values.data ?? 'default', split: shownSplit, seed, numEpisodes, passed, checks: report.checks, vector, seconds: Math.round(seconds * 1000) / 1000 })}\n`,
      );
    } else {
      io.stdout(`${id} on ${values.data ?? 'the default data'} (${shownSplit}, ${numEpisodes} episodes, seed ${seed})\n`);
      for (const [title, { checks }] of [['single env', report], [`vector env (${numEnvs} slots)`, vectorReport]] as const) {
        io.stdout(`${title}\n`);
        for (const check of checks) io.stdout(`  ${check.passed ? 'ok  ' : 'FAIL'}  ${check.name}${check.passed ? '' : `: ${check.message}`}\n`);
      }
      const failures = report.checks.filter((c) => !c.passed).length + vectorReport.checks.filter((c) => !c.passed).length;
      io.stdout(passed ? 'all checks passed\n' : `${failures} check(s) failed\n`);
    }
    return passed ? 0 : 1;
  },
};
