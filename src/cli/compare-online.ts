import { join } from 'node:path';
import { defaultEventStore, envSpec } from '../env/registry.js';
import { SIM_PRESETS, simPreset } from '../sim/presets.js';
import { DEFAULT_ONLINE_VARIANTS, EXTRA_ONLINE_VARIANTS, runOnlineComparison, type OnlineVariant } from '../run/online-compare.js';
import { ONLINE_FILES, formatOnlineTable, onlineJson, onlineMarkdown } from '../run/online-report.js';
import { commandProgress, readingProgress } from './cli-output.js';
import { UsageError, dayFlag, type FlagOptions, intFlag, listFlag, parseFlags, seedsFlags, type CliIo } from './command.js';
import { loadStore, readConfigFile } from './load-store.js';
import type { Progress } from '../report/progress.js';
import { checkOutputDirectory, createDirectory, writeOutputText } from './output-path.js';
import { readSimModel } from './read-sim-model.js';

/** `recgym compare --env`'s part of the usage text. */
export const ONLINE_USAGE = `usage: recgym compare --env SIM_ID [--data FILE] [--format F] [--test-day YYYY-MM-DD]
                      [--simulator PRESET | --simulator SIM.json] [--agents A,B,...]
                      [--seed S | --seeds 0,1,2] [--epochs E] [--dqn-config FILE.json] [--passes N]
                      [--resamples N] [--out DIR] [--json] [--quiet]

Online comparison in a simulated env (Tianchi-Sim-v0): per seed, every agent learns — the
baselines and the ranker on the logged days the simulator is fitted on, \`dqn\` (γ = 0.9) and
\`dqn-myopic\` (γ = 0) online in the simulator itself, \`dqn-replay\` on logged replay — then plays its
greedy policy through one session per shopper (per pass), the same shoppers for every agent. Prints
mean return per session (the epoch-scheduled reward table at the env's training epoch), purchases,
session length, acceptance and next-day return rate with 95 % bootstrap CIs over the (seed,
session) pairs, and paired differences between every two agents; writes DIR/${ONLINE_FILES.json} and
DIR/${ONLINE_FILES.markdown}.

  --env ID        a simulated candidates-mode env (recgym env list)
  --data FILE     the log the simulator is fitted on (default: the embedded data)
  --test-day D    the simulator is fitted on the days before D (default: the last day)
  --simulator S   a preset (${SIM_PRESETS.map((p) => p.name).join(', ')}) or a model
                  recgym sim fit wrote for the --data log
  --agents LIST   from ${[...DEFAULT_ONLINE_VARIANTS, ...EXTRA_ONLINE_VARIANTS].map((v) => v.name).join(', ')}
                  (default ${DEFAULT_ONLINE_VARIANTS.map((v) => v.name).join(',')}; oracle-*: reference rules
                  that read the simulator's state, src/eval/simulator-oracles.ts)
  --epochs E      the DQNs' epochs (default 4 of 500 vector steps x 64 slots in the simulator)
  --dqn-config F  a JSON object of DQN options for every DQN (γ of dqn-myopic stays 0, and
                  dqn-item-term / dqn-zero-start keep qItemTerm true / featureInit zeros)
  --passes N      sessions per shopper and seed in the evaluation (default 1)
  --out DIR       where results go (default results)`;

const AGENT_VARIANTS: ReadonlyMap<string, OnlineVariant> = new Map(
  [...DEFAULT_ONLINE_VARIANTS, ...EXTRA_ONLINE_VARIANTS].map((v) => [v.name, v]),
);

/** The `--agents` list as variants, each DQN with `--dqn-config` under its own options (dqn-myopic's γ, an ablation's one option). */
export function variantsFlag(text: string | undefined, dqnConfig: Record<string, unknown>): OnlineVariant[] {
  const names = text === undefined ? DEFAULT_ONLINE_VARIANTS.map((v) => v.name) : listFlag('agents', text);
  return names.map((name) => {
    const variant = AGENT_VARIANTS.get(name);
    if (!variant) throw new UsageError(`--agents: expected names from ${[...AGENT_VARIANTS.keys()].join(', ')}, actual "${name}"`);
    if (variant.agent !== 'dqn') return variant;
    return { ...variant, config: { ...dqnConfig, ...variant.config } };
  });
}

/** The flags `recgym compare` takes with and without `--env`. */
export const COMPARE_SHARED_FLAGS = {
  data: { type: 'string' },
  format: { type: 'string' },
  'test-day': { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  seeds: { type: 'string' },
  'dqn-config': { type: 'string' },
  resamples: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const satisfies FlagOptions;

/** `--out` checked and created (default `results`), the progress line and the log lines on stderr, as `--quiet` and `--json` allow. */
export function compareOutput(values: { out?: string; quiet?: boolean; json?: boolean }, io: CliIo): { outDir: string; progress: Progress | undefined; log: (line: string) => void } {
  const outDir = values.out ?? 'results';
  checkOutputDirectory('out', outDir);
  createDirectory('out', outDir);
  const progress = commandProgress(io, values.quiet === true || values.json === true);
  const log = (line: string) => {
    if (values.quiet !== true || line.includes('warning: ')) io.stderr(`${line}\n`);
  };
  return { outDir, progress, log };
}

/** `recgym compare --env SIM_ID`: trains and evaluates agents online in a simulated env. */
export async function runOnlineCompare(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(
    args,
    { ...COMPARE_SHARED_FLAGS, env: { type: 'string' }, simulator: { type: 'string' }, agents: { type: 'string' }, passes: { type: 'string' } },
    false,
  );
  const envId = values.env as string;
  const spec = envSpec(envId);
  if (spec.defaults.simulator === undefined) throw new UsageError(`--env: expected a simulated env (recgym env list), actual ${envId} (a replay env: recgym compare without --env evaluates on the logged test day)`);
  if (spec.defaults.mode === 'slate') throw new UsageError(`--env: expected a candidates-mode simulated env (the agents choose among candidates), actual ${envId} (slate mode)`);
  const seeds = seedsFlags(values.seed, values.seeds);
  const passes = intFlag('passes', values.passes, 1, 1, 100);
  const resamples = intFlag('resamples', values.resamples, 1000, 1, 1_000_000);
  const testDay = dayFlag('test-day', values['test-day']);
  if (values.data === undefined && values.format !== undefined) throw new UsageError('--format: expected only with --data');
  const dqnConfig: Record<string, unknown> = values['dqn-config'] !== undefined ? { ...readConfigFile('dqn-config', values['dqn-config'], 'dqn') } : {};
  if (values.epochs !== undefined) dqnConfig.epochs = intFlag('epochs', values.epochs, 1, 1, 10_000);
  const variants = variantsFlag(values.agents, dqnConfig);
  let simulator: string | Record<string, unknown> | undefined = values.simulator;
  if (simulator?.endsWith('.json')) simulator = await readSimModel(simulator);
  else if (simulator !== undefined) simPreset(simulator);
  const { outDir, progress, log } = compareOutput(values, io);
  let store = defaultEventStore();
  if (values.data !== undefined) {
    store = (await loadStore(values.data, values.format, readingProgress(progress, values.data))).store;
    progress?.finish();
  }
  const report = await runOnlineComparison({
    store,
    envId,
    envOptions: { ...(testDay !== undefined ? { testDay } : {}), ...(simulator !== undefined ? { simulator } : {}) },
    seeds,
    variants,
    passes,
    resamples,
    log: values.quiet === true || values.json === true ? undefined : log,
    progress,
  });
  progress?.finish();
  const command = ['recgym', 'compare', ...args].join(' ');
  await writeOutputText('out', join(outDir, ONLINE_FILES.json), `${onlineJson(report, 2)}\n`);
  await writeOutputText('out', join(outDir, ONLINE_FILES.markdown), onlineMarkdown(report, command));
  if (values.json) io.stdout(`${onlineJson(report)}\n`);
  else {
    io.stdout(formatOnlineTable(report));
    io.stdout(`wrote ${join(outDir, ONLINE_FILES.json)}, ${join(outDir, ONLINE_FILES.markdown)}\n`);
  }
  return 0;
}
