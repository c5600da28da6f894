import { createRng, fork } from '../core/rng.js';
import { fitSimulator } from '../sim/fit-simulator.js';
import { applyPreset, SIM_PRESETS } from '../sim/presets.js';
import type { SimModel } from '../sim/sim-model.js';
import { loadPolicies, wholeLog } from '../server/arena/setup.js';
import { startArena } from '../server/arena/start.js';
import { createLogger, LOG_LEVELS } from '../server/logger.js';
import { intFlag, parseFlags, seedFlag, UsageError, type Command } from './command.js';
import { loadStore } from './load-store.js';
import { readSimModel } from './read-sim-model.js';
import { listenFlags, readToken, untilSignal } from './serve.js';
import { claimSignals } from './signal-owner.js';

const USAGE = `usage: recgym arena [--db FILE] [--host 127.0.0.1] [--port 8080] [--token-file F] [--policy NAME[=DIR] ...]
                    [--control NAME] [--simulated N] [--simulator PRESET|SIM.json] [--pace-ms MS]
                    [--data FILE] [--format F] [--slate-size K] [--teams N] [--deadline-ms MS]
                    [--training-epoch E] [--seed S] [--user-rate N] [--secure-cookies] [--log-level L]

Runs the arena (docs/arena.md) until Ctrl-C or SIGTERM: the shop (http://HOST:PORT/), where
registered people act on slates that interleave the policies, the live figures (/arena) and the
admin page (/admin), on the same port as the env protocol (recgym serve's). Logs are JSON lines.

  --db FILE            the SQLite database (default arena.db; created if missing; admins: recgym admin create)
  --host H             interface to bind (default 127.0.0.1); any other than loopback needs --token-file
  --port N             TCP port, 0 picks a free one (default 8080)
  --token-file F       the token protocol clients' hello must carry (first line of F)
  --policy NAME[=DIR]  a competing policy, repeatable (default: popularity and recent): NAME alone is a
                       registered agent fitted on the data (random, popularity, recent, cooccurrence,
                       ranker); NAME=DIR a ranker or DQN checkpoint of recgym train shown as NAME
  --control NAME       the registered agent that stands in for a policy that misses its deadline (default popularity)
  --simulated N        simulated shoppers at once (default 0)
  --simulator S        where they come from: a preset fitted on the data (${SIM_PRESETS.map((p) => p.name).join(', ')}) or a sim.json of recgym sim fit (default default)
  --pace-ms MS         milliseconds between one simulated shopper's steps (default 1000)
  --data FILE          the catalogue and the policies' training data (default: the embedded default data)
  --format F           the format of --data (default auto)
  --slate-size K       items per slate (default 10)
  --teams N            policies interleaved per impression (at most those competing, external ones
                       included): 2 is team draft, more is multileaving (default 2)
  --deadline-ms MS     per-request deadline of a policy (default 100)
  --training-epoch E   the epoch the reward table's scheduled rewards are read at (default 0)
  --seed S             seed of the interleaving, the simulated shoppers and the bootstrap (default 0)
  --user-rate N        slates and events one user may ask for per second (default 20; more get 429)
  --secure-cookies     mark cookies Secure (behind an HTTPS proxy)
  --log-level L        ${LOG_LEVELS.join(' | ')} (default info)`;

const FLAGS = {
  db: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'token-file': { type: 'string' },
  policy: { type: 'string', multiple: true },
  control: { type: 'string' },
  simulated: { type: 'string' },
  simulator: { type: 'string' },
  'pace-ms': { type: 'string' },
  data: { type: 'string' },
  format: { type: 'string' },
  'slate-size': { type: 'string' },
  teams: { type: 'string' },
  'deadline-ms': { type: 'string' },
  'training-epoch': { type: 'string' },
  seed: { type: 'string' },
  'user-rate': { type: 'string' },
  'secure-cookies': { type: 'boolean' },
  'log-level': { type: 'string' },
} as const;

/** `recgym arena`: shop, live comparison and admin pages over the arena database. */
export const command: Command = {
  path: ['arena'],
  summary: 'run the arena: people and simulated shoppers meet interleaved policies in a web shop, live win rates',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(args, FLAGS, false);
    const { host, port, level, tokenFile } = listenFlags(values);
    const simulated = intFlag('simulated', values.simulated, 0, 0, 100_000);
    const paceMs = intFlag('pace-ms', values['pace-ms'], 1000, 0, 3_600_000);
    const slateSize = intFlag('slate-size', values['slate-size'], 10, 1, 100);
    const teams = intFlag('teams', values.teams, 2, 2, 16);
    const deadlineMs = intFlag('deadline-ms', values['deadline-ms'], 100, 1, 60_000);
    const trainingEpoch = intFlag('training-epoch', values['training-epoch'], 0, 0, 1_000_000);
    const seed = seedFlag('seed', values.seed, 0);
    const userRate = intFlag('user-rate', values['user-rate'], 20, 1, 1_000_000);
    const specs = (values.policy as string[] | undefined) ?? ['popularity', 'recent'];
    if (specs.length < 2) throw new UsageError(`--policy: expected at least 2 policies, actual ${specs.length}`);
    const simulator = values.simulator ?? 'default';
    const isPreset = SIM_PRESETS.some((p) => p.name === simulator);
    if (!isPreset && !simulator.endsWith('.json')) throw new UsageError(`--simulator: expected a preset (${SIM_PRESETS.map((p) => p.name).join(', ')}) or a .json file, actual "${simulator}"`);
    const token = tokenFile === undefined ? undefined : readToken(tokenFile);
    const { store } = await loadStore(values.data, values.format);
    const rng = createRng(seed);
    const policies = await loadPolicies(specs, store, fork(rng, 'policies'));
    const controlName = values.control ?? 'popularity';
    const control = policies.find((p) => p.name === controlName) ?? (await loadPolicies([controlName], store, fork(rng, 'control')))[0];
    let model: SimModel | undefined;
    if (simulated > 0) model = isPreset ? applyPreset(fitSimulator(store, wholeLog(store)), simulator) : await readSimModel(simulator);
    const logger = createLogger(level, { write: (line: string) => io.stdout(line) });
    const running = await startArena({
      db: values.db ?? 'arena.db',
      host,
      port,
      token,
      store,
      policies,
      control,
      logger,
      seed,
      slateSize,
      teamsPerImpression: teams,
      deadlineMs,
      trainingEpoch,
      simulated,
      simulator: model,
      paceMs,
      isSecure: values['secure-cookies'] === true,
      userRequestsPerSec: userRate,
    });
    claimSignals('arena');
    const signal = await untilSignal();
    logger.info({ signal }, 'signal received');
    await running.close();
    return 0;
  },
};
