import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '../agents/agent.js';
import { AGENTS, type AgentSpec } from '../agents/registry.js';
import { ErrorCode, RecGymError, isRecGymError } from '../core/errors.js';
import { FORMAT_NAMES } from '../data/detect-format.js';
import type { EventStore } from '../data/event-store.js';
import {
  buildReport,
  buildTestCases,
  evaluate,
  formatReport,
  isProtocolName,
  PROTOCOLS,
  reportJson,
  type CaseFilter,
} from '../eval/index.js';
import { fittedPerSeed } from '../run/fitted-per-seed.js';
import { commandProgress, readingProgress, writeWarning } from './cli-output.js';
import { UsageError, intFlag, listFlag, parseFlags, seedsFlags, type CliIo, type Command } from './command.js';
import { loadStore } from './load-store.js';
import { checkTestWindowFlags, chooseSplit, noTestCasesError, testWindowWarning, type TestWindowFlags } from './test-window.js';

const FILTERS: readonly CaseFilter[] = ['all', 'warm', 'seen', 'discovery', 'repeat', 'cold'];

const USAGE = `usage: recgym eval (--agent NAME | --agents A,B,C) [--baseline NAME] [--data FILE] [--format F]
                   --protocol seed|sampled|full [--k K] [--cases all|warm|seen|discovery|repeat|cold]
                   [--catalogue train|all] [--test-day YYYY-MM-DD | --test-start YYYY-MM-DDTHH:MM]
                   [--seed S | --seeds 0,1,2] [--unweighted] [--half-life-hours H] [--resamples N]
                   [--model DIR] [--json] [--quiet]

Evaluates agents on the held-out test day: every test-day event of a user with a training event is a
case whose state is the user's whole history before it. Candidate sets and tie-breaks are drawn once
per (data, protocol, seed) and shared by all agents; 95 % CIs are percentile bootstraps over test users.

  --agent NAME        one agent: ${[...AGENTS.keys()].join(', ')}
  --agents A,B,C      several agents, compared on the same cases
  --baseline NAME     report each agent's paired difference to this agent (evaluated too)
  --data FILE         a Tianchi / UserBehavior / RetailRocket log (default: the embedded default data)
  --format F          ${FORMAT_NAMES.join(' | ')} (default: detected)
  --protocol P        seed: positive + 4 negatives, Recall@4, top-1, reward per user
                      sampled: positive + 99 negatives, HR@10, NDCG@10
                      full: the whole catalogue, Recall@20, NDCG@20, MRR (a cold positive is a miss)
  --k K               cut-off (default 4 / 10 / 20)
  --cases KIND        evaluate only these cases (counts and per-kind metrics are always reported)
  --catalogue C       train: items of training events (default); all: items of all kept events
  --test-day D        the test day (default: the last day with events)
  --test-start T      test window [T, next midnight) UTC; train = everything before T
  --seed S            seed of candidates, tie-breaks, agents and resamples (default 0)
  --seeds 0,1,2       one run per seed; reports the mean and the spread across seeds
  --unweighted        popularity counts every event as 1 (default: click 1, fav 2, cart 3, buy 4)
  --half-life-hours H exponential time decay of popularity
  --resamples N       bootstrap resamples (default 1000)
  --model DIR         load the learner (ranker or dqn) from a checkpoint (DIR from recgym train --out,
                      or its DIR/checkpoint) instead of training it; the data must be the training data.
                      A checkpoint is refused (exit 1, one line) when the data is not its training
                      data (the first difference named), its manifest is malformed or of another
                      recgym version, or a weight is not finite.
  --json              print one JSON object (no progress on stderr)
  --quiet             no progress on stderr`;

/** Loads agent `name` from `dir` (a `recgym train --out` directory or the checkpoint in it); a RecGymError for a missing or corrupt one. */
async function loadCheckpoint(name: string, dir: string, store: EventStore): Promise<Agent> {
  const load = AGENTS.get(name)?.load as NonNullable<AgentSpec['load']>;
  const path = existsSync(join(dir, 'checkpoint', 'manifest.json')) ? join(dir, 'checkpoint') : dir;
  try {
    return await load(path, store);
  } catch (error) {
    if (isRecGymError(error)) throw error;
    const message = ((error as Error).message ?? String(error)).replace(/\s*\n\s*/g, ' ');
    throw new RecGymError(ErrorCode.BAD_CHECKPOINT, `--model ${path}: expected a ${name} checkpoint, actual ${message}`, { cause: error });
  }
}

/** `recgym eval`: evaluates agents under a protocol with bootstrap CIs and paired differences. */
export const command: Command = {
  path: ['eval'],
  summary: 'evaluate agents on the held-out test day (seed / sampled / full protocols)',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(
      args,
      {
        agent: { type: 'string' },
        agents: { type: 'string' },
        baseline: { type: 'string' },
        model: { type: 'string' },
        data: { type: 'string' },
        format: { type: 'string' },
        protocol: { type: 'string' },
        k: { type: 'string' },
        cases: { type: 'string' },
        catalogue: { type: 'string' },
        'test-day': { type: 'string' },
        'test-start': { type: 'string' },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        unweighted: { type: 'boolean' },
        'half-life-hours': { type: 'string' },
        resamples: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
      false,
    );
    if (values.agent !== undefined && values.agents !== undefined) throw new UsageError('expected --agent or --agents, actual both');
    if (values.agent === undefined && values.agents === undefined) throw new UsageError('expected --agent NAME or --agents A,B,C');
    const names = values.agent !== undefined ? [values.agent] : listFlag('agents', values.agents as string);
    const baseline = values.baseline;
    for (const name of [...names, ...(baseline !== undefined ? [baseline] : [])]) {
      if (!AGENTS.has(name)) throw new UsageError(`unknown agent: expected one of ${[...AGENTS.keys()].join(', ')}, actual "${name}"`);
    }
    if (new Set(names).size !== names.length) throw new UsageError(`--agents: expected distinct names, actual "${names.join(',')}"`);
    let modelAgent: string | undefined;
    if (values.model !== undefined) {
      const loadable = [...new Set([...names, ...(baseline !== undefined ? [baseline] : [])])].filter((n) => AGENTS.get(n)?.load);
      if (loadable.length !== 1) {
        const can = [...AGENTS.values()].filter((s) => s.load).map((s) => s.name);
        throw new UsageError(
          loadable.length === 0
            ? `--model: expected an agent that loads checkpoints (${can.join(', ')}), actual ${names.join(', ')}`
            : `--model: expected one agent that loads checkpoints, actual ${loadable.join(', ')}`,
        );
      }
      modelAgent = loadable[0];
    }
    if (values.protocol === undefined) throw new UsageError('--protocol: expected seed, sampled or full');
    if (!isProtocolName(values.protocol)) throw new UsageError(`--protocol: expected seed, sampled or full, actual "${values.protocol}"`);
    const protocol = PROTOCOLS[values.protocol];
    const maxK = protocol.numCandidates > 0 ? protocol.numCandidates : Number.MAX_SAFE_INTEGER;
    const k = intFlag('k', values.k, protocol.defaultK, 1, maxK);
    const filter = (values.cases ?? 'all') as CaseFilter;
    if (!FILTERS.includes(filter)) throw new UsageError(`--cases: expected ${FILTERS.join(', ')}, actual "${values.cases}"`);
    const catalogue = values.catalogue ?? 'train';
    if (catalogue !== 'train' && catalogue !== 'all') throw new UsageError(`--catalogue: expected train or all, actual "${catalogue}"`);
    const seeds = seedsFlags(values.seed, values.seeds);
    const resamples = intFlag('resamples', values.resamples, 1000, 1, 1_000_000);
    let halfLifeHours: number | undefined;
    if (values['half-life-hours'] !== undefined) {
      halfLifeHours = Number(values['half-life-hours']);
      if (!(Number.isFinite(halfLifeHours) && halfLifeHours > 0)) {
        throw new UsageError(`--half-life-hours: expected a number > 0, actual "${values['half-life-hours']}"`);
      }
    }
    const windowFlags: TestWindowFlags = { testDay: values['test-day'], testStart: values['test-start'] };
    checkTestWindowFlags(windowFlags);

    const progress = commandProgress(io, values.quiet === true || values.json === true);
    const { store, name } = await loadStore(values.data, values.format, readingProgress(progress, values.data));
    progress?.finish();
    const split = chooseSplit(store, windowFlags);
    const cases = buildTestCases(store, split, { catalogue });
    if (cases.count === 0) throw noTestCasesError(name, store, split, windowFlags);
    const warning = testWindowWarning(store, split, cases.count, windowFlags);
    if (warning !== undefined) io.stderr(`${warning}\n`);
    const agentNames = baseline !== undefined && !names.includes(baseline) ? [...names, baseline] : [...names];
    const loaded = modelAgent !== undefined ? await loadCheckpoint(modelAgent, values.model as string, store) : undefined;
    if (loaded !== undefined && 'gradientSteps' in loaded && loaded.gradientSteps === 0) {
      writeWarning(io, 'eval', `--model ${values.model}: the ${modelAgent} checkpoint made 0 gradient steps in training: it is untrained (its initial weights)`);
    }
    const agentOptions = { unweighted: values.unweighted ?? false, halfLifeHours };
    const agents = agentNames.map((n) => (loaded && n === modelAgent ? loaded : fittedPerSeed(n, store, split.train, agentOptions)));
    const runs = await evaluate({
      store,
      split,
      cases,
      protocol: protocol.name,
      agents,
      baseline,
      catalogue,
      filter,
      k,
      seeds,
      resamples,
      onProgress: progress && ((label, done, total) => progress.update(label, done, total, { unit: 'cases' })),
    });
    progress?.finish();
    const report = buildReport(runs, { data: name, catalogue, split, baseline, singleAgent: values.agent !== undefined });
    io.stdout(values.json ? `${reportJson(report)}\n` : formatReport(report));
    return 0;
  },
};
