import { ErrorCode, RecGymError } from '../core/errors.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import { StateBatch } from '../data/state-batch.js';

/** Train and test windows (a `DaySplit` from `splitByDay`, or `splitAtTime` for `--test-start`). */
export interface EvalSplit {
  readonly train: TimeWindow;
  readonly test: TimeWindow;
}

/** Which items make up the catalogue: items of training events, or of all kept (train + test window) events. */
export type CatalogueMode = 'train' | 'all';

/** `--cases` filters. */
export type CaseFilter = 'all' | 'cold' | 'warm' | 'seen' | 'repeat' | 'discovery';

/** The five kinds of test case, reported whatever the filter. */
export const CASE_KINDS = ['cold', 'warm', 'seen', 'repeat', 'discovery'] as const;

/** Bit in `TestCases.flags`: the positive is outside the catalogue. */
export const COLD = 1;
/** Bit in `TestCases.flags`: warm, and the user touched the positive earlier. */
export const SEEN = 2;
/** Bit in `TestCases.flags`: warm, and the positive equals the user's previous item. */
export const REPEAT = 4;

/**
 * Test cases: every test-window event of a user with at least one training event, in store order
 * (user, time, file order). Case `i` predicts the event at store position `positions[i]` from the
 * state `userOffsets[users[i]] .. positions[i] - 1` (the user's whole history before it).
 */
export interface TestCases {
  readonly count: number;
  readonly split: EvalSplit;
  readonly catalogueMode: CatalogueMode;
  /** Dense store user per case. */
  readonly users: Int32Array;
  /** Store position of the positive per case (the evaluator's; agents get `states`). */
  readonly positions: Int32Array;
  /**
   * What the agent sees per case: the user's events before the positive, requested at the time of
   * the last of them or the test window's start, whichever is later (never the positive's time).
   */
  readonly states: StateBatch;
  /** Positive item per case. */
  readonly items: Int32Array;
  /** Behaviour of the positive per case. */
  readonly behaviors: Uint8Array;
  /** COLD / SEEN / REPEAT bits per case; warm = not COLD, discovery = warm and not SEEN. */
  readonly flags: Uint8Array;
  /** Index of the case's user among the test users (0 .. numUsers - 1), in store user order. */
  readonly userIndex: Int32Array;
  /** Number of test users (users with at least one case). */
  readonly numUsers: number;
  /** Catalogue item ids, ascending. */
  readonly catalogue: Int32Array;
  /** 1 for catalogue items, per store item. */
  readonly inCatalogue: Uint8Array;
}

/** Counts of each kind of case and the number of test users. */
export interface CaseCounts {
  readonly total: number;
  readonly cold: number;
  readonly warm: number;
  readonly seen: number;
  readonly repeat: number;
  readonly discovery: number;
  readonly users: number;
}

const TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?$/;

/** Parses a UTC time `YYYY-MM-DDTHH:MM[:SS][Z]` to unix seconds; a RecGymError names the bad value. */
export function parseTestStart(text: string): number {
  const m = TIME_PATTERN.exec(text);
  const ms = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] === undefined ? 0 : +m[6]) : NaN;
  const valid =
    m !== null &&
    !Number.isNaN(ms) &&
    new Date(ms).toISOString().slice(0, 19) === `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}`;
  if (!valid) throw new RecGymError(ErrorCode.BAD_OPTION, `test start: expected a UTC time YYYY-MM-DDTHH:MM, actual "${text}"`);
  return ms / 1000;
}

export { splitAtTime } from '../data/split.js';

/** Builds the test cases of `split` and classifies each positive as cold / seen / repeat / discovery. */
export function buildTestCases(store: EventStore, split: EvalSplit, options: { catalogue?: CatalogueMode } = {}): TestCases {
  const catalogueMode = options.catalogue ?? 'train';
  if (catalogueMode !== 'train' && catalogueMode !== 'all') {
    throw new RecGymError(ErrorCode.BAD_OPTION, `catalogue: expected train or all, actual "${String(catalogueMode)}"`);
  }
  const { items, times, behaviors, userOffsets, numUsers, numItems } = store;
  const { train, test } = split;
  const inCatalogue = new Uint8Array(numItems);
  for (let p = 0; p < store.length; p++) {
    const t = times[p];
    if ((t >= train.start && t < train.end) || (catalogueMode === 'all' && t >= test.start && t < test.end)) {
      inCatalogue[items[p]] = 1;
    }
  }
  const caseUsers: number[] = [];
  const casePositions: number[] = [];
  const caseFlags: number[] = [];
  const caseUserIndex: number[] = [];
  const seenBy = new Int32Array(numItems).fill(-1);
  let testUsers = 0;
  for (let u = 0; u < numUsers; u++) {
    const start = userOffsets[u];
    const end = userOffsets[u + 1];
    let hasTraining = false;
    let hasCase = false;
    for (let p = start; p < end; p++) {
      const t = times[p];
      if (t >= train.start && t < train.end) hasTraining = true;
      if (t >= test.start && t < test.end && hasTraining) {
        const item = items[p];
        let flags = 0;
        if (!inCatalogue[item]) flags = COLD;
        else {
          if (seenBy[item] === u) flags |= SEEN;
          if (p > start && items[p - 1] === item) flags |= REPEAT;
        }
        caseUsers.push(u);
        casePositions.push(p);
        caseFlags.push(flags);
        caseUserIndex.push(testUsers);
        hasCase = true;
      }
      seenBy[items[p]] = u;
    }
    if (hasCase) testUsers++;
  }
  const positions = Int32Array.from(casePositions);
  const catalogue: number[] = [];
  for (let i = 0; i < numItems; i++) if (inCatalogue[i]) catalogue.push(i);
  return {
    count: positions.length,
    split: { train: { ...train }, test: { ...test } },
    catalogueMode,
    users: Int32Array.from(caseUsers),
    positions,
    states: StateBatch.before(store, Int32Array.from(caseUsers), positions, test.start),
    items: positions.map((p) => items[p]),
    behaviors: Uint8Array.from(casePositions, (p) => behaviors[p]),
    flags: Uint8Array.from(caseFlags),
    userIndex: Int32Array.from(caseUserIndex),
    numUsers: testUsers,
    catalogue: Int32Array.from(catalogue),
    inCatalogue,
  };
}

/** True when case flags `flags` belong to `filter`. */
export function caseMatches(flags: number, filter: CaseFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'cold':
      return (flags & COLD) !== 0;
    case 'warm':
      return (flags & COLD) === 0;
    case 'seen':
      return (flags & SEEN) !== 0;
    case 'repeat':
      return (flags & REPEAT) !== 0;
    case 'discovery':
      return (flags & (COLD | SEEN)) === 0;
    default:
      throw new RecGymError(ErrorCode.BAD_OPTION, `cases: expected all, cold, warm, seen, repeat or discovery, actual "${String(filter)}"`);
  }
}

/** 1 per case in `filter`, else 0. */
export function caseMask(cases: TestCases, filter: CaseFilter): Uint8Array {
  const mask = new Uint8Array(cases.count);
  for (let i = 0; i < cases.count; i++) mask[i] = caseMatches(cases.flags[i], filter) ? 1 : 0;
  return mask;
}

/** Counts of the five kinds and the test users, over all cases (or those with `mask[i] === 1`). */
export function countCases(cases: TestCases, mask?: Uint8Array): CaseCounts {
  let total = 0;
  let cold = 0;
  let seen = 0;
  let repeat = 0;
  const users = new Set<number>();
  for (let i = 0; i < cases.count; i++) {
    if (mask && !mask[i]) continue;
    const f = cases.flags[i];
    total++;
    users.add(cases.userIndex[i]);
    if (f & COLD) cold++;
    if (f & SEEN) seen++;
    if (f & REPEAT) repeat++;
  }
  const warm = total - cold;
  return { total, cold, warm, seen, repeat, discovery: warm - seen, users: users.size };
}

/** Shares of the test cases of `split` (for `recgym data stats`). */
export interface CaseShares {
  /** Number of test cases and test users. */
  readonly cases: number;
  readonly users: number;
  /** Fractions of all test cases (cold + seen + discovery = 1; repeat is part of seen). */
  readonly cold: number;
  readonly warm: number;
  readonly seen: number;
  readonly repeat: number;
  readonly discovery: number;
  /** Re-consumption among warm positives: seen / warm. */
  readonly seenOfWarm: number;
}

/** The test window's cold / seen / repeat / discovery shares (0 when there are no cases). */
export function caseShares(store: EventStore, split: EvalSplit, options: { catalogue?: CatalogueMode } = {}): CaseShares {
  const c = countCases(buildTestCases(store, split, options));
  const share = (n: number, of: number): number => (of === 0 ? 0 : n / of);
  return {
    cases: c.total,
    users: c.users,
    cold: share(c.cold, c.total),
    warm: share(c.warm, c.total),
    seen: share(c.seen, c.total),
    repeat: share(c.repeat, c.total),
    discovery: share(c.discovery, c.total),
    seenOfWarm: share(c.seen, c.warm),
  };
}
