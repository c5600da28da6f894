/**
 * Where RL has to win (issue 16): the DQN trained online in the simulator with γ = 0.9 against the
 * same DQN with γ = 0 (myopic), the ranker, recent and popularity, in mean return per session, paired
 * per session, over seeds — in the default simulator (fitted on the embedded data), in the one fitted
 * on the 386-user UserBehavior sample, in the `impatient` preset (poor recommendations use up
 * patience, so what is shown decides how long a session lasts) and in the `easily-bored` preset
 * (boredom costs patience: the surest next click can end the session sooner), where the reference
 * rules that read the simulator (own item, variety) show what looking ahead is worth. `ablations`
 * adds the DQN with a fixed purchase reward and the DQN without exploration (ε = 0) in the default
 * simulator.
 *
 *   npm run build && node dist/experiments/rl-in-simulator.js [--only default,users386,impatient,easily-bored,ablations] [--seeds 0,1,2] [--epochs E] [--passes N] [--dqn-config FILE.json] [--quick]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DqnConfigInput } from '../src/agents/dqn/config.js';
import type { EventStore } from '../src/data/event-store.js';
import { readEventLog } from '../src/data/read-event-log.js';
import { DEFAULT_ONLINE_VARIANTS, EXTRA_ONLINE_VARIANTS, runOnlineComparison, type OnlineVariant } from '../src/run/online-compare.js';
import { formatOnlineTable } from '../src/run/online-report.js';
import { createDefaultEventStore } from '../src/sim/default-data.js';
import { readConfigFile } from '../src/cli/load-store.js';
import { isEntryPoint, log, parseExperimentFlags, runScript, writeResult } from './common.js';
import { SAMPLES } from './real-samples.js';
import { sharedDataAbsent, sharedDataDir } from './shared-data.js';

/** One world of the experiment: a log the simulator is fitted on, a preset, the agents. */
interface World {
  readonly name: string;
  readonly describe: string;
  readonly data: () => Promise<EventStore | string>;
  readonly simulator: string;
  readonly variants: (dqn: DqnConfigInput) => OnlineVariant[];
}

const withDqn = (variants: readonly OnlineVariant[], dqn: DqnConfigInput): OnlineVariant[] => variants.map((v) => (v.agent === 'dqn' ? { ...v, config: { ...dqn, ...v.config } } : v));

const STANDARD = DEFAULT_ONLINE_VARIANTS.filter((v) => v.name !== 'random');

async function users386(): Promise<EventStore | string> {
  const path = join(sharedDataDir(), (SAMPLES.find((s) => s.name === 'users386') as { file: string }).file);
  if (!existsSync(path)) return sharedDataAbsent(path);
  return (await readEventLog(path)).store;
}

const WORLDS: readonly World[] = [
  { name: 'default', describe: 'the default simulator fitted on the embedded data', data: async () => createDefaultEventStore(), simulator: 'default', variants: (dqn) => withDqn(STANDARD, dqn) },
  { name: 'users386', describe: 'the simulator fitted on the 386-user UserBehavior sample', data: users386, simulator: 'default', variants: (dqn) => withDqn(STANDARD, dqn) },
  { name: 'impatient', describe: "the 'impatient' preset fitted on the embedded data", data: async () => createDefaultEventStore(), simulator: 'impatient', variants: (dqn) => withDqn(STANDARD, dqn) },
  {
    name: 'easily-bored',
    describe: "the 'easily-bored' preset fitted on the embedded data (a trade-off: the surest next click can tire the shopper)",
    data: async () => createDefaultEventStore(),
    simulator: 'easily-bored',
    variants: (dqn) => [...withDqn(STANDARD, dqn), ...EXTRA_ONLINE_VARIANTS.filter((v) => v.agent.startsWith('oracle-'))],
  },
  {
    name: 'ablations',
    describe: 'the default simulator: the epoch-scheduled purchase reward against a fixed one, ε-greedy against greedy',
    data: async () => createDefaultEventStore(),
    simulator: 'default',
    variants: (dqn) =>
      withDqn(
        [
          { name: 'dqn', agent: 'dqn', trainIn: 'simulator' },
          { name: 'dqn-fixed-reward', agent: 'dqn', trainIn: 'simulator', config: { rewardSchedule: 'fixed' } },
          { name: 'dqn-greedy', agent: 'dqn', trainIn: 'simulator', config: { explorationStart: 0, explorationEnd: 0 } },
        ],
        dqn,
      ),
  },
];

async function main(argv: string[]): Promise<void> {
  const flags = parseExperimentFlags(argv, ['only', 'passes', 'dqn-config']);
  const only = flags.extra.only?.split(',');
  const seeds = flags.seeds ?? (flags.quick ? [0] : [0, 1, 2]);
  const passes = flags.extra.passes !== undefined ? Number(flags.extra.passes) : 2;
  const file = flags.extra['dqn-config'] !== undefined ? readConfigFile('dqn-config', flags.extra['dqn-config'], 'dqn') : {};
  const dqn: DqnConfigInput = { ...file, ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}), ...(flags.quick ? { epochs: 1, maxStepsPerEpoch: 50 } : {}), ...(flags.backend ? { backend: flags.backend } : {}) };
  for (const world of WORLDS) {
    if (only && !only.includes(world.name)) continue;
    const store = await world.data();
    if (typeof store === 'string') {
      log(`${world.name}: skipped: ${store}`);
      continue;
    }
    log(`${world.name}: ${world.describe}`);
    const started = performance.now();
    const report = await runOnlineComparison({
      store,
      envId: 'Tianchi-Sim-v0',
      envOptions: { simulator: world.simulator },
      seeds,
      passes,
      variants: world.variants(dqn),
      resamples: flags.quick ? 50 : 1000,
      log,
    });
    process.stdout.write(`\n## ${world.name}: ${world.describe} (${((performance.now() - started) / 1000).toFixed(0)} s)\n${formatOnlineTable(report)}`);
    writeResult(flags.out, `rl-in-simulator-${world.name}`, { command: `node dist/experiments/rl-in-simulator.js ${argv.join(' ')}`.trim(), world: world.describe, seeds, passes, report });
  }
}

if (isEntryPoint(import.meta.url)) runScript(main);
