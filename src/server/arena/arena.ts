import { createRng, fork, type Rng } from '../../core/rng.js';
import { isBehaviorCode } from '../../data/behavior.js';
import type { EventStore } from '../../data/event-store.js';
import type { SessionLog } from '../../data/session-log.js';
import { DEFAULT_REWARDS, type RewardTable } from '../../env/rewards.js';
import type { ArenaDb, NewEvent, ShopperKind } from './db.js';
import { Health } from './health.js';
import { teamDraft } from './interleave.js';
import { type Policy, rankWithDeadline } from './policy.js';
import { type PairResult, pairwise, type Rating, ratingsWithCi } from './stats.js';
import { ImpressionTally, KindAggregate, type PolicyRates } from './tallies.js';

/** Options of {@link Arena}. */
export interface ArenaOptions {
  readonly db: ArenaDb;
  readonly store: EventStore;
  /** The competing policies (at least two). */
  readonly policies: readonly Policy[];
  /** Replaces a policy that misses its deadline, for that impression. */
  readonly control: Policy;
  /** The interleaving's draws and the policies drawn per impression. */
  readonly rng: Rng;
  readonly slateSize?: number;
  /** Policies interleaved per impression (at most those competing): 2 is team-draft interleaving, more is multileaving. */
  readonly teamsPerImpression?: number;
  readonly deadlineMs?: number;
  readonly rewards?: RewardTable;
  /** The training epoch the reward table is read at. */
  readonly trainingEpoch?: number;
  /** Bootstrap resamples of the ratings' intervals (seeded by `figuresSeed`). */
  readonly resamples?: number;
  readonly figuresSeed?: number;
  /** Wall clock (ms) of stored impressions and events. */
  readonly nowMs?: () => number;
  /** Impressions kept in memory for crediting later events (older ones are read back from the db when acted on). */
  readonly liveImpressions?: number;
}

/** A shopper about to be shown a slate: their db id and kind, their history (row `row` of `log`) and their clock (unix seconds). */
export interface ShopperState {
  readonly shopper: number;
  readonly kind: ShopperKind;
  readonly log: SessionLog;
  readonly row: number;
  readonly time: number;
}

/**
 * A user driver: what brings one kind of shopper to the arena (the browser's people:
 * `HumanShoppers`; the simulator's shoppers: `SimulatedShoppers`). Both go through
 * {@link Arena.show} and {@link Arena.record} with a {@link ShopperState}, so their impressions are
 * made and credited the same way, and their figures are kept apart by `kind`.
 */
export interface UserDriver {
  readonly kind: ShopperKind;
}

/** A shown slate: the impression's id and its items with their teams. */
export interface ShownSlate {
  readonly impression: number;
  readonly items: ReadonlyArray<{ readonly index: number; readonly itemId: number; readonly category: number; readonly team: string; readonly propensity: number }>;
}

/** A behaviour to record: on the store's item index `index`. */
export interface ActedItem {
  readonly index: number;
  readonly behavior: number;
}

/** The arena's figures for one kind of shopper. */
export interface KindFigures {
  readonly impressions: number;
  readonly events: number;
  readonly pairs: readonly PairResult[];
  readonly ratings: readonly Rating[];
  readonly rates: readonly PolicyRates[];
}

/** Every figure of the arena, humans and simulated shoppers apart. */
export interface ArenaFigures {
  readonly policies: readonly string[];
  readonly human: KindFigures;
  readonly simulated: KindFigures;
}

const DEFAULTS = { slateSize: 10, teamsPerImpression: 2, deadlineMs: 100, trainingEpoch: 0, resamples: 200, figuresSeed: 0, liveImpressions: 100_000 };

/** Impressions read back per query when the arena rebuilds its figures. */
const REBUILD_CHUNK = 20_000;

/**
 * The arena: serves slates that interleave the policies (each request under its deadline, the
 * control policy standing in for a miss), stores each impression with its teams and propensities
 * and each event with the team that showed its item, and keeps the figures (interleaving win rates,
 * Bradley–Terry ratings, rates and rewards per policy), human and simulated shoppers apart.
 */
export class Arena {
  readonly db: ArenaDb;
  readonly store: EventStore;
  readonly health = new Health();
  readonly #policies: Policy[];
  /** Every policy name that ever had a team, in order of first appearance (the figures keep departed policies). */
  readonly #names = new Set<string>();
  readonly #o: typeof DEFAULTS & ArenaOptions;
  readonly #rng: Rng;
  /** The newest impressions, oldest first (insertion order), for crediting their events. */
  readonly #tallies = new Map<number, ImpressionTally>();
  readonly #aggregates = { human: new KindAggregate(), simulated: new KindAggregate() };
  readonly #events = { human: 0, simulated: 0 };
  #figures: ArenaFigures | undefined;
  #figuresVersion = -1;
  #figuresAtMs = Number.NEGATIVE_INFINITY;
  #version = 0;

  /** @param {number} [options.slateSize=10] @param {number} [options.teamsPerImpression=2] @param {number} [options.deadlineMs=100] @param {number} [options.resamples=200] */
  constructor(options: ArenaOptions) {
    this.#o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & ArenaOptions;
    const o = this.#o;
    if (o.policies.length < 2) throw new RangeError(`Arena: expected at least 2 policies, actual ${o.policies.length}`);
    const names = new Set(o.policies.map((p) => p.name));
    if (names.size !== o.policies.length) throw new RangeError(`Arena: expected distinct policy names, actual ${o.policies.map((p) => p.name).join(', ')}`);
    for (const [name, min] of [['slateSize', 1], ['teamsPerImpression', 2], ['deadlineMs', 1], ['resamples', 0], ['liveImpressions', 1]] as const) {
      if (!Number.isSafeInteger(o[name]) || o[name] < min) throw new RangeError(`Arena: expected ${name} to be an integer >= ${min}, actual ${o[name]}`);
    }
    this.db = o.db;
    this.store = o.store;
    this.#policies = [...o.policies];
    for (const p of o.policies) this.#names.add(p.name);
    this.#rng = o.rng;
    this.#rebuild();
  }

  /** The policies competing now. */
  get policies(): readonly Policy[] {
    return this.#policies;
  }

  /** Enters a policy (an external agent that registered); a taken name is a RangeError. */
  addPolicy(policy: Policy): void {
    if (this.#policies.some((p) => p.name === policy.name)) throw new RangeError(`policy name: expected a free name, actual "${policy.name}" is competing`);
    this.#policies.push(policy);
    this.#names.add(policy.name);
    this.#version++;
  }

  /** Withdraws a policy (its connection ended); its figures stay. */
  removePolicy(name: string): void {
    const at = this.#policies.findIndex((p) => p.name === name);
    if (at >= 0) this.#policies.splice(at, 1);
    this.#version++;
  }

  get slateSize(): number {
    return this.#o.slateSize;
  }

  get deadlineMs(): number {
    return this.#o.deadlineMs;
  }

  nowMs(): number {
    return this.#o.nowMs ? this.#o.nowMs() : Date.now();
  }

  /** Rebuilds the figures from the db, a chunk of impressions at a time (a restarted arena continues them). */
  #rebuild(): void {
    const last = this.db.lastImpressionId();
    for (let from = 1; from <= last; from += REBUILD_CHUNK) {
      const chunk = new Map<number, ImpressionTally>();
      for (const m of this.db.impressions(from, from + REBUILD_CHUNK)) {
        const t = this.#tallyOf(m);
        chunk.set(m.id, t);
        this.#aggregates[t.kind].add(t);
        for (const o of m.outcomes) this.health.policyRequest(o.policy, o.isMissed);
      }
      for (const e of this.db.impressionEvents(from, from + REBUILD_CHUNK)) {
        const t = chunk.get(e.impression);
        const position = t?.positionOf(e.item) ?? -1;
        if (t && position >= 0) this.#aggregates[t.kind].act(t, position, e.behavior);
      }
      for (const [id, t] of chunk) this.#keep(id, t);
    }
    Object.assign(this.#events, this.db.eventCounts());
  }

  #tallyOf(m: ReturnType<ArenaDb['impressions']>[number]): ImpressionTally {
    const policies = m.outcomes.map((o) => o.policy);
    for (const p of policies) this.#names.add(p);
    const teams = m.items.map((s) => policies.indexOf(s.team));
    return new ImpressionTally(m.kind, m.shopper, policies, teams, m.items.map((s) => s.item));
  }

  /** Keeps a tally in memory, forgetting the oldest beyond `liveImpressions`. */
  #keep(id: number, t: ImpressionTally): void {
    this.#tallies.set(id, t);
    if (this.#tallies.size > this.#o.liveImpressions) this.#tallies.delete(this.#tallies.keys().next().value as number);
  }

  /** The tally of impression `id`: in memory, or read back from the db with the behaviours on it so far. */
  #tally(id: number): ImpressionTally | undefined {
    const live = this.#tallies.get(id);
    if (live) return live;
    const [m] = this.db.impressions(id, id + 1);
    if (!m) return undefined;
    const t = this.#tallyOf(m);
    for (const e of this.db.impressionEvents(id, id + 1)) {
      const position = t.positionOf(e.item);
      if (position >= 0) t.act(position, e.behavior);
    }
    this.#keep(id, t);
    return t;
  }

  /** The policies of the next impression: `teamsPerImpression` drawn uniformly without replacement. */
  #drawPolicies(): Policy[] {
    const pool = [...this.#policies];
    const out: Policy[] = [];
    for (let k = 0, n = Math.min(this.#o.teamsPerImpression, pool.length); k < n; k++) out.push(pool.splice(this.#rng.nextInt(pool.length), 1)[0]);
    return out;
  }

  /** Asks the drawn policies (each under the deadline), interleaves their rankings and stores the impression; returns it. */
  async show(state: ShopperState): Promise<ShownSlate> {
    const started = performance.now();
    const request = { log: state.log, row: state.row, time: state.time, size: this.#o.slateSize, kind: state.kind };
    const drawn = this.#drawPolicies();
    const answers = await Promise.all(drawn.map((p) => rankWithDeadline(p, this.#o.control, request, this.#o.deadlineMs)));
    const slate = teamDraft(
      answers.map((a) => a.ranking),
      this.#o.slateSize,
      this.#rng,
    );
    const { store } = this;
    const items = slate.items.map((index, position) => ({
      index,
      itemId: store.itemIds.rawOf(index),
      category: store.categoryIds.rawOf(store.itemCategory[index]),
      team: drawn[slate.teams[position]].name,
      propensity: slate.propensities[position],
    }));
    const outcomes = drawn.map((p, i) => ({ policy: p.name, latencyMs: answers[i].latencyMs, isMissed: answers[i].isMissed }));
    const impression = this.db.addImpression({
      shopper: state.shopper,
      timeMs: this.nowMs(),
      items: items.map(({ itemId, category, team, propensity }) => ({ item: itemId, category, team, propensity })),
      outcomes,
    });
    const tally = new ImpressionTally(
      state.kind,
      state.shopper,
      drawn.map((p) => p.name),
      slate.teams,
      items.map((i) => i.itemId),
    );
    this.#keep(impression, tally);
    this.#aggregates[state.kind].add(tally);
    for (const o of outcomes) this.health.policyRequest(o.policy, o.isMissed);
    this.health.latency(performance.now() - started);
    this.#version++;
    return { impression, items };
  }

  /** The stored impression `id` when it was shown to `shopper`, else undefined. */
  impressionOf(id: number, shopper: number): ImpressionTally | undefined {
    const t = this.#tally(id);
    return t && t.shopper === shopper ? t : undefined;
  }

  /**
   * Stores the shopper's behaviours (one transaction: committed when this returns), each credited
   * to the team that showed its item in `impression` (null: not shown there), and updates the
   * figures. Returns the events' ids. A behaviour outside 1..4 or an item outside the store is a RangeError.
   */
  record(state: ShopperState, impression: number | null, acted: readonly ActedItem[]): number[] {
    const { store } = this;
    const tally = impression === null ? undefined : this.#tally(impression);
    if (impression !== null && (!tally || tally.shopper !== state.shopper)) throw new RangeError(`record: expected an impression shown to shopper ${state.shopper}, actual ${impression}`);
    const timeMs = this.nowMs();
    const events: NewEvent[] = acted.map(({ index, behavior }) => {
      if (!isBehaviorCode(behavior)) throw new RangeError(`record: expected a behaviour 1..4, actual ${behavior}`);
      if (!Number.isInteger(index) || index < 0 || index >= store.numItems) throw new RangeError(`record: expected an item index 0 .. ${store.numItems - 1}, actual ${index}`);
      const item = store.itemIds.rawOf(index);
      const position = tally ? tally.positionOf(item) : -1;
      return {
        shopper: state.shopper,
        impression,
        item,
        category: store.categoryIds.rawOf(store.itemCategory[index]),
        behavior,
        team: tally && position >= 0 ? tally.policies[tally.teams[position]] : null,
        timeMs,
      };
    });
    const ids = this.db.addEvents(events);
    for (const e of events) {
      const position = tally ? tally.positionOf(e.item) : -1;
      if (tally && position >= 0) this.#aggregates[state.kind].act(tally, position, e.behavior);
    }
    this.#events[state.kind] += events.length;
    this.#version++;
    return ids;
  }

  /** The figures, recomputed when something changed since the last call and at most once per `maxAgeMs`. */
  figures(maxAgeMs = 0): ArenaFigures {
    const now = performance.now();
    if (this.#figures && (this.#figuresVersion === this.#version || now - this.#figuresAtMs < maxAgeMs)) return this.#figures;
    this.#figuresAtMs = now;
    const names = [...this.#names];
    const of = (kind: ShopperKind): KindFigures => {
      const aggregate = this.#aggregates[kind];
      const { groups, counts } = aggregate.outcomes();
      return {
        impressions: aggregate.impressions,
        events: this.#events[kind],
        pairs: pairwise(groups, names, counts),
        ratings: ratingsWithCi(groups, names, fork(createRng(this.#o.figuresSeed), kind), this.#o.resamples, counts),
        rates: aggregate.rates(names, this.#o.rewards ?? DEFAULT_REWARDS, this.#o.trainingEpoch),
      };
    };
    this.#figures = { policies: names, human: of('human'), simulated: of('simulated') };
    this.#figuresVersion = this.#version;
    return this.#figures;
  }
}
