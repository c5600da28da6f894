import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatCount } from '../report/format.js';
import { DEFAULT_GENERATOR_CONFIG, parseGeneratorConfig } from '../sim/generator-config.js';
import { LOGGING_POLICIES } from '../run/policy-log.js';
import { generateFromSimulator, PROPENSITY_HEADER } from './generate-sim.js';
import { dayFlag, intFlag, parseFlags, seedFlag, UsageError, type Command } from './command.js';
import { checkOutputFile, createDirectory } from './output-path.js';
import { commandProgress } from './cli-output.js';
import { writeShopperLog } from './write-shopper-log.js';

const d = DEFAULT_GENERATOR_CONFIG;

const USAGE = `usage: recgym generate --out FILE [--users N] [--days D] [--seed S] [--start YYYY-MM-DD]
                       [--items N] [--categories N] [--json]
       recgym generate --sim SIM.json --data FILE --policy NAME --out FILE [--epsilon E] [--days D]
                       [--seed S] [--format F] [--json]

Writes a Tianchi-format log (user_id,item_id,behavior_type,user_geohash,item_category,time) of a
seeded population of shoppers with persistent tastes. Same seed, same bytes.

With --sim: the user simulator's sessions (docs/simulator.md) from the day after its training
window, in which the logging policy shows one item of the fitted support each step; the log in
Tianchi format at --out, and every recommendation with the policy's propensity at
FILE.propensity.csv (${PROPENSITY_HEADER}).

  --out FILE          file to write (required; written under a temporary name and renamed when
                      complete, its folder created if missing)
  --users N           shoppers (default ${d.users})
  --days D            days, the last one being the test day (default ${d.days})
  --seed S            seed, an integer 0 .. 2147483647 (default ${d.seed})
  --start DAY         first day, UTC (default ${d.start}; 31 days end on 2014-12-18)
  --items N           catalogue size at the end, new items appear over time (default ${d.items})
  --categories N      item categories (default ${d.categories})
  --json              print one JSON object on stdout instead of the summary line on stderr
  --sim SIM.json      a model recgym sim fit wrote (needs --data, the log it was fitted on, and --policy)
  --data FILE         the log SIM.json was fitted on
  --format F          format of --data (default auto)
  --policy NAME       logging policy: ${LOGGING_POLICIES.join(', ')} (fitted on the simulator's
                      training days, seeded by --seed), or NAME=DIR a ranker or DQN checkpoint of
                      recgym train --data FILE (its DIR/checkpoint too), logged as NAME
  --epsilon E         with --sim: show a uniform item of the support with probability E (default 0;
                      random is E = 1); with --sim, --days defaults to 1`;

const FLAGS = {
  out: { type: 'string' },
  users: { type: 'string' },
  days: { type: 'string' },
  seed: { type: 'string' },
  start: { type: 'string' },
  items: { type: 'string' },
  categories: { type: 'string' },
  json: { type: 'boolean' },
  sim: { type: 'string' },
  data: { type: 'string' },
  format: { type: 'string' },
  policy: { type: 'string' },
  epsilon: { type: 'string' },
} as const;

/** `recgym generate`: writes the synthetic shopper population's log as a Tianchi CSV. */
export const command: Command = {
  path: ['generate'],
  summary: 'write a seeded synthetic shopper log in Tianchi format',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(args, FLAGS, false);
    const out = values.out;
    if (out === undefined || out === '') throw new UsageError('--out: expected a file path, actual nothing');
    if (values.sim !== undefined) {
      for (const flag of ['users', 'start', 'items', 'categories'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag}: expected only without --sim (the simulator's shoppers and catalogue are fitted)`);
      return generateFromSimulator(
        { sim: values.sim, data: values.data, format: values.format, policy: values.policy, epsilon: values.epsilon, out, days: intFlag('days', values.days, 1, 1, 3650), seed: seedFlag('seed', values.seed, 0), isJson: values.json === true },
        io,
      );
    }
    for (const flag of ['data', 'format', 'policy', 'epsilon'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag}: expected only with --sim`);
    const start = dayFlag('start', values.start) ?? d.start;
    const config = parseGeneratorConfig({
      users: intFlag('users', values.users, d.users, 1, 50_000_000),
      days: intFlag('days', values.days, d.days, 1, 3650),
      seed: seedFlag('seed', values.seed, d.seed as number),
      start,
      items: intFlag('items', values.items, d.items, 1, 100_000_000),
      categories: intFlag('categories', values.categories, d.categories, 1, 1_000_000),
    });
    checkOutputFile('out', out);
    const startedMs = performance.now();
    createDirectory('out', dirname(out));
    const progress = commandProgress(io, values.json === true);
    const summary = await writeShopperLog('out', out, config, progress && ((done, users) => progress.update(`generating ${out}`, done, users, { unit: 'shoppers' })));
    progress?.finish();
    const seconds = (performance.now() - startedMs) / 1000;
    const bytes = statSync(out).size;
    if (values.json) {
      io.stdout(
        `${JSON.stringify({
          events: summary.events,
          users: summary.users,
          items: summary.items,
          categories: summary.categories,
          behaviors: summary.behaviors,
          firstTime: summary.firstTime,
          lastTime: summary.lastTime,
          seed: config.seed,
          file: out,
          bytes,
          seconds: Number(seconds.toFixed(3)),
        })}\n`,
      );
    } else {
      const share = (n: number): string => `${((100 * n) / Math.max(1, summary.events)).toFixed(1)} %`;
      const b = summary.behaviors;
      io.stderr(
        `wrote ${formatCount(summary.events)} events (${summary.users} users, ${summary.items} items, ` +
          `${summary.categories} categories; click ${share(b.click)}, favorite ${share(b.favorite)}, cart ${share(b.cart)}, ` +
          `purchase ${share(b.purchase)}) to ${out}: ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s ` +
          `(${formatCount(Math.round(summary.events / Math.max(seconds, 1e-9)))} events/s)\n`,
      );
    }
    return 0;
  },
};
