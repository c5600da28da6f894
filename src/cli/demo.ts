import { join } from 'node:path';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import { readEventLog } from '../data/read-event-log.js';
import { makeEnv } from '../env/registry.js';
import type { RecommendationEnv } from '../env/recommendation-env.js';
import { RecordEpisodeStatistics } from '../env/wrappers/record-episode-stats.js';
import { fmt, formatCount } from '../report/format.js';
import { DEFAULT_GENERATOR_CONFIG } from '../sim/generator-config.js';
import { parseFlags, seedFlag, UsageError, type CliIo, type Command } from './command.js';
import { command as dataStats } from './data-stats.js';
import { command as evalCommand } from './eval.js';
import { checkOutputDirectory, createDirectory } from './output-path.js';
import { runCommand } from './run-command.js';
import { writeShopperLog } from './write-shopper-log.js';

const ENV_ID = 'Tianchi-Replay-v0';

const USAGE = `usage: recgym demo [--out DIR] [--seed S]

A fast tour of the embedded default data (\`npm start\` runs \`recgym compare\`, which trains the
ranker and the DQN):
  1. generates the default shopper log (Tianchi format) into DIR/default-tianchi.csv,
  2. loads it and prints its statistics (recgym data stats),
  3. rolls a random agent through every episode of the ${ENV_ID} replay env (5 candidates,
     as in the original article) on the training days and on the test day,
  4. evaluates the baselines on the test day in the full and the seed protocol (recgym eval).

  --out DIR      where the generated log goes (default: results; checked before any work);
                 --out-dir DIR, its name before, still works
  --seed S       seed of the random agent, the env and the evaluation (default 0)`;

/** Totals of a random agent's pass over every episode of one replay env. */
export interface RolloutSummary {
  readonly episodes: number;
  readonly steps: number;
  readonly hits: number;
  readonly totalReward: number;
  readonly terminated: number;
  readonly truncated: number;
}

/** Plays every episode of `env` once with actions sampled from its action space. */
export function rollRandomAgent(env: RecommendationEnv, rng: Rng): RolloutSummary {
  const recorded = new RecordEpisodeStatistics(env);
  let steps = 0;
  let hits = 0;
  let totalReward = 0;
  let terminated = 0;
  let truncated = 0;
  for (let episode = 0; episode < env.numEpisodes; episode++) {
    recorded.reset({ options: { episode } });
    for (;;) {
      const result = recorded.step(env.actionSpace.sample(rng));
      if (!(result.terminated || result.truncated)) continue;
      const stats = result.info.episodeStats as { return: number; length: number; hits: number };
      steps += stats.length;
      hits += stats.hits;
      totalReward += stats.return;
      if (result.terminated) terminated++;
      else truncated++;
      break;
    }
  }
  recorded.close();
  return { episodes: env.numEpisodes, steps, hits, totalReward, terminated, truncated };
}

function describeRollout(label: string, summary: RolloutSummary, numCandidates: number): string {
  const hitRate = summary.steps > 0 ? summary.hits / summary.steps : 0;
  return (
    `${label.padEnd(6)} ${formatCount(summary.episodes)} episodes (${summary.terminated} terminated, ` +
    `${summary.truncated} truncated at the window edge), ${formatCount(summary.steps)} steps, ` +
    `hit rate ${fmt(hitRate)} (expected 1/${numCandidates} = ${fmt(1 / numCandidates)}), ` +
    `reward per episode ${(summary.totalReward / Math.max(1, summary.episodes)).toFixed(3)}\n`
  );
}

async function runSubcommand(command: Command, args: string[], io: CliIo): Promise<void> {
  const code = await runCommand(command, args, io);
  if (code !== 0) throw new RecGymError(ErrorCode.BAD_OPTION, `recgym ${command.path.join(' ')} exited with code ${code}`);
}

function rollouts(store: EventStore, seed: number, io: CliIo): void {
  for (const split of ['train', 'test'] as const) {
    const env = makeEnv<RecommendationEnv>(ENV_ID, { store, split, seed });
    const numCandidates = env.setup.options.numCandidates;
    io.stdout(describeRollout(split, rollRandomAgent(env, createRng(`${seed}:random-agent:${split}`)), numCandidates));
  }
}

/** `recgym demo`: a fast tour of the embedded default data, the replay env and the baselines. */
export const command: Command = {
  path: ['demo'],
  summary: 'a fast tour: the default data, its stats, a random agent in the replay env, the baselines',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(args, { out: { type: 'string' }, 'out-dir': { type: 'string' }, seed: { type: 'string' } }, false);
    const seed = seedFlag('seed', values.seed, 0);
    if (values.out !== undefined && values['out-dir'] !== undefined) throw new UsageError('--out-dir: expected --out or its old name --out-dir, actual both');
    const outFlag = values['out-dir'] !== undefined ? 'out-dir' : 'out';
    const outDir = values.out ?? values['out-dir'] ?? 'results';
    checkOutputDirectory(outFlag, outDir);
    createDirectory(outFlag, outDir);
    const file = join(outDir, 'default-tianchi.csv');

    io.stdout(`== 1. embedded default data (seeded shopper population, seed ${DEFAULT_GENERATOR_CONFIG.seed})\n`);
    const started = performance.now();
    const { events } = await writeShopperLog(outFlag, file, DEFAULT_GENERATOR_CONFIG);
    io.stdout(`wrote ${formatCount(events)} events to ${file} in ${((performance.now() - started) / 1000).toFixed(2)} s\n\n`);

    io.stdout(`== 2. recgym data stats ${file}\n`);
    await runSubcommand(dataStats, [file], io);
    const { store } = await readEventLog(file);

    io.stdout(`\n== 3. a random agent through ${ENV_ID} (every episode once)\n`);
    rollouts(store, seed, io);

    for (const protocol of ['full', 'seed'] as const) {
      io.stdout(`\n== ${protocol === 'full' ? 4 : 5}. recgym eval --protocol ${protocol} (baselines on the test day)\n`);
      await runSubcommand(
        evalCommand,
        ['--data', file, '--agents', 'random,popularity,recent,cooccurrence', '--baseline', 'recent', '--protocol', protocol, '--seed', String(seed)],
        io,
      );
    }
    io.stdout(`\nNext: recgym env list, recgym env check ${ENV_ID}, recgym eval --help; the learners: recgym compare (npm start), recgym train --help.\n`);
    return 0;
  },
};
