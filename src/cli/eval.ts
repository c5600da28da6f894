import { AGENTS } from '../agents/registry.js';
import { ErrorCode, RecGymError } from '../core/errors.js';
import type { EventStore } from '../data/event-store.js';
import { FORMAT_NAMES, type FormatName } from '../data/detect-format.js';
import { splitByDay } from '../data/split.js';
import {
  buildReport,
  buildTestCases,
  createProgress,
  evaluate,
  formatReport,
  isProtocolName,
  parseTestStart,
  PROTOCOLS,
  reportJson,
  splitAtTime,
  type CaseFilter,
  type EvalSplit,
} from '../eval/index.js';
import { UsageError, intFlag, parseFlags, type CliIo, type Command } from './command.js';

const FILTERS: readonly CaseFilter[] = ['all', 'warm', 'seen', 'discovery', 'repeat', 'cold'];

const USAGE = `usage: recgym eval (--agent NAME | --agents A,B,C) [--baseline NAME] [--data FILE] [--format F]
                   --protocol seed|sampled|full [--k K] [--cases all|warm|seen|discovery|repeat|cold]
                   [--catalogue train|all] [--test-day YYYY-MM-DD | --test-start YYYY-MM-DDTHH:MM]
                   [--seed S | --seeds 0,1,2] [--unweighted] [--half-life-hours H] [--resamples N] [--json]

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
  --model DIR         (not yet: checkpoints come with the DQN, issue 9)
  --json              print one JSON object`;

function parseList(name: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`--${name}: expected a comma-separated list, actual "${value}"`);
  return items;
}

async function loadStore(data: string | undefined, format: string | undefined): Promise<{ store: EventStore; name: string }> {
  if (data === undefined) {
    if (format !== undefined) throw new UsageError('--format: expected only with --data');
    const { createDefaultEventStore } = await import('../sim/default-data.js');
    return { store: createDefaultEventStore(), name: 'default' };
  }
  if (format !== undefined && format !== 'auto' && !(FORMAT_NAMES as readonly string[]).includes(format)) {
    throw new UsageError(`--format: expected ${FORMAT_NAMES.join(', ')} or auto, actual "${format}"`);
  }
  const { readEventLog } = await import('../data/read-event-log.js');
  const log = await readEventLog(data, { format: format as FormatName | 'auto' | undefined });
  return { store: log.store, name: data };
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
      },
      false,
    );
    if (values.agent !== undefined && values.agents !== undefined) throw new UsageError('expected --agent or --agents, actual both');
    if (values.agent === undefined && values.agents === undefined) throw new UsageError('expected --agent NAME or --agents A,B,C');
    const names = values.agent !== undefined ? [values.agent] : parseList('agents', values.agents as string);
    const baseline = values.baseline;
    for (const name of [...names, ...(baseline !== undefined ? [baseline] : [])]) {
      if (!AGENTS.has(name)) throw new UsageError(`unknown agent: expected one of ${[...AGENTS.keys()].join(', ')}, actual "${name}"`);
    }
    if (new Set(names).size !== names.length) throw new UsageError(`--agents: expected distinct names, actual "${names.join(',')}"`);
    if (values.model !== undefined) {
      const loadable = names.filter((n) => AGENTS.get(n)?.load);
      if (loadable.length === 0) {
        throw new UsageError(
          `--model: expected an agent that loads checkpoints, actual ${names.join(', ')} (none of the registered agents can load one yet; the DQN of issue 9 brings checkpoints)`,
        );
      }
      throw new UsageError('--model: loading checkpoints is not wired into recgym eval yet (issue 9)');
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
    if (values.seed !== undefined && values.seeds !== undefined) throw new UsageError('expected --seed or --seeds, actual both');
    const seeds =
      values.seeds !== undefined
        ? parseList('seeds', values.seeds).map((s) => intFlag('seeds', s, 0, 0, 2 ** 31 - 1))
        : [intFlag('seed', values.seed, 0, 0, 2 ** 31 - 1)];
    if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds: expected distinct seeds, actual "${values.seeds}"`);
    const resamples = intFlag('resamples', values.resamples, 1000, 1, 1_000_000);
    let halfLifeHours: number | undefined;
    if (values['half-life-hours'] !== undefined) {
      halfLifeHours = Number(values['half-life-hours']);
      if (!(Number.isFinite(halfLifeHours) && halfLifeHours > 0)) {
        throw new UsageError(`--half-life-hours: expected a number > 0, actual "${values['half-life-hours']}"`);
      }
    }
    if (values['test-day'] !== undefined && values['test-start'] !== undefined) {
      throw new UsageError('expected --test-day or --test-start, actual both');
    }

    const { store, name } = await loadStore(values.data, values.format);
    const split: EvalSplit =
      values['test-start'] !== undefined ? splitAtTime(store, parseTestStart(values['test-start'])) : splitByDay(store, values['test-day']);
    const cases = buildTestCases(store, split, { catalogue });
    if (cases.count === 0) {
      throw new RecGymError(ErrorCode.NO_TEST_CASES, `${name}: expected test cases (test-window events of users with a training event), actual none`);
    }
    const agentNames = baseline !== undefined && !names.includes(baseline) ? [...names, baseline] : names;
    const progress = createProgress(io);
    const runs = await evaluate({
      store,
      split,
      cases,
      protocol: protocol.name,
      agents: agentNames,
      baseline,
      catalogue,
      filter,
      k,
      seeds,
      resamples,
      agentOptions: { unweighted: values.unweighted ?? false, halfLifeHours },
      onProgress: (label, done, total) => progress.update(label, done, total),
    });
    progress.finish();
    const report = buildReport(runs, { data: name, catalogue, split, baseline, singleAgent: values.agent !== undefined });
    io.stdout(values.json ? `${reportJson(report)}\n` : formatReport(report));
    return 0;
  },
};
