import { type RewardTable, rewardLookup } from '../../env/rewards.js';
import type { ShopperKind } from './db.js';
import { type ImpressionOutcome, outcomeKey } from './stats.js';

/** An impression as the arena's figures see it: its teams' policies, each position's team and item, and the behaviours on each position (bit b for behaviour b). */
export class ImpressionTally implements ImpressionOutcome {
  readonly kind: ShopperKind;
  readonly shopper: number;
  /** The policies with a team, in team order. */
  readonly policies: readonly string[];
  /** Team index per position. */
  readonly teams: Int8Array;
  /** Raw item id per position. */
  readonly items: readonly number[];
  readonly acted: Uint8Array;
  readonly credit: number[];

  constructor(kind: ShopperKind, shopper: number, policies: readonly string[], teams: ArrayLike<number>, items: readonly number[]) {
    this.kind = kind;
    this.shopper = shopper;
    this.policies = policies;
    this.teams = Int8Array.from(teams);
    this.items = items;
    this.acted = new Uint8Array(items.length);
    this.credit = new Array<number>(policies.length).fill(0);
  }

  /** The position of a raw item, or -1 when it was not shown. */
  positionOf(item: number): number {
    return this.items.indexOf(item);
  }

  /** Records a behaviour on the item at `position`; the first behaviour on it credits its team. */
  act(position: number, behavior: number): void {
    if (this.acted[position] === 0) this.credit[this.teams[position]]++;
    this.acted[position] |= 1 << behavior;
  }
}

/** A policy's rates over the items it put in front of one kind of shopper. */
export interface PolicyRates {
  readonly policy: string;
  readonly shown: number;
  readonly clickRate: number;
  readonly favoriteRate: number;
  readonly cartRate: number;
  readonly purchaseRate: number;
  /** Mean reward per shown item: the behaviours on it paid by the reward table at the arena's training epoch. */
  readonly meanReward: number;
}

/**
 * One kind of shopper's figures kept up to date as impressions and behaviours arrive: impressions
 * grouped by outcome (what the win rates and ratings read) and per policy its shown items and the
 * behaviours on them, so that the figures cost O(groups + policies), not O(impressions).
 */
export class KindAggregate {
  impressions = 0;
  readonly #groups = new Map<string, { outcome: ImpressionOutcome; count: number }>();
  readonly #shown = new Map<string, number>();
  readonly #behaviors = new Map<string, Float64Array>();

  #count(outcome: ImpressionOutcome, delta: number): void {
    const key = outcomeKey(outcome);
    const group = this.#groups.get(key);
    if (group) {
      group.count += delta;
      if (group.count === 0) this.#groups.delete(key);
    } else this.#groups.set(key, { outcome: { policies: outcome.policies, credit: [...outcome.credit] }, count: delta });
  }

  /** Counts a new impression (no behaviour yet). */
  add(t: ImpressionTally): void {
    this.impressions++;
    this.#count(t, 1);
    for (let position = 0; position < t.items.length; position++) {
      const policy = t.policies[t.teams[position]];
      this.#shown.set(policy, (this.#shown.get(policy) ?? 0) + 1);
    }
  }

  /** Records a behaviour on the item at `position` of `t` (through {@link ImpressionTally.act}). */
  act(t: ImpressionTally, position: number, behavior: number): void {
    const isNewBehavior = (t.acted[position] & (1 << behavior)) === 0;
    const isFirst = t.acted[position] === 0;
    if (isFirst) this.#count(t, -1);
    t.act(position, behavior);
    if (isFirst) this.#count(t, 1);
    if (!isNewBehavior) return;
    const policy = t.policies[t.teams[position]];
    let counts = this.#behaviors.get(policy);
    if (!counts) this.#behaviors.set(policy, (counts = new Float64Array(5)));
    counts[behavior]++;
  }

  /** The outcome groups and how many impressions each stands for. */
  outcomes(): { groups: ImpressionOutcome[]; counts: number[] } {
    const values = [...this.#groups.values()];
    return { groups: values.map((g) => g.outcome), counts: values.map((g) => g.count) };
  }

  /** Per policy, the share of its shown items clicked, favourited, carted and bought, and the mean reward per shown item under `rewards` at `trainingEpoch`. */
  rates(policies: readonly string[], rewards: RewardTable, trainingEpoch: number): PolicyRates[] {
    const lookup = rewardLookup(rewards, trainingEpoch);
    return policies.map((policy) => {
      const shown = this.#shown.get(policy) ?? 0;
      const counts = this.#behaviors.get(policy) ?? new Float64Array(5);
      const rate = (b: number) => (shown > 0 ? counts[b] / shown : 0);
      let reward = 0;
      for (let b = 1; b < 5; b++) reward += counts[b] * lookup[b];
      return { policy, shown, clickRate: rate(1), favoriteRate: rate(2), cartRate: rate(3), purchaseRate: rate(4), meanReward: shown > 0 ? reward / shown : 0 };
    });
  }
}
