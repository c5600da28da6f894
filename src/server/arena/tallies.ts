import { BEHAVIOR_NAMES } from '../../data/behavior.js';
import { type RewardTable, rewardLookup } from '../../env/rewards.js';
import type { ShopperKind } from './db.js';
import type { ImpressionOutcome } from './stats.js';

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

/** Per policy, the share of its shown items clicked, favourited, carted and bought, and the mean reward under `rewards` at `trainingEpoch`. */
export function policyRates(impressions: Iterable<ImpressionTally>, policies: readonly string[], rewards: RewardTable, trainingEpoch: number): PolicyRates[] {
  const lookup = rewardLookup(rewards, trainingEpoch);
  const index = new Map(policies.map((p, i) => [p, i]));
  const shown = new Float64Array(policies.length);
  const counts = policies.map(() => new Float64Array(5));
  const reward = new Float64Array(policies.length);
  for (const t of impressions) {
    for (let position = 0; position < t.items.length; position++) {
      const p = index.get(t.policies[t.teams[position]]);
      if (p === undefined) continue;
      shown[p]++;
      const mask = t.acted[position];
      for (let b = 1; b < BEHAVIOR_NAMES.length; b++) {
        if ((mask & (1 << b)) === 0) continue;
        counts[p][b]++;
        reward[p] += lookup[b];
      }
    }
  }
  return policies.map((policy, p) => {
    const rate = (b: number) => (shown[p] > 0 ? counts[p][b] / shown[p] : 0);
    return { policy, shown: shown[p], clickRate: rate(1), favoriteRate: rate(2), cartRate: rate(3), purchaseRate: rate(4), meanReward: shown[p] > 0 ? reward[p] / shown[p] : 0 };
  });
}
