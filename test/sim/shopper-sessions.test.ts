import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { splitByDay } from '../../src/data/split.js';
import { defaultEventStore } from '../../src/env/registry.js';
import { fitSimulator } from '../../src/sim/fit-simulator.js';
import { applyPreset } from '../../src/sim/presets.js';
import { ShopperModel } from '../../src/sim/shopper-model.js';
import { ShopperSessions } from '../../src/sim/shopper-sessions.js';

const store = defaultEventStore();
const fitted = fitSimulator(store, splitByDay(store).train);
const model = new ShopperModel(fitted, store);
const user = model.shoppers[0];

/** The item of the support `user` has the highest affinity for, other than `except` and the items of `sessions`' slot 0 row (no repeat bonus). */
function favouriteOf(u: number, except: number, sessions?: ShopperSessions): number {
  const seen = new Set<number>();
  if (sessions) {
    const { log } = sessions;
    const row = sessions.rows[0];
    for (let p = log.userOffsets[row]; p < log.end(row); p++) seen.add(log.items[p]);
  }
  let best = -1;
  for (let x = 0; x < model.numItems; x++) {
    if (model.inSupport[x] === 1 && x !== except && !seen.has(x) && (best < 0 || model.affinity(u, x) > model.affinity(u, best))) best = x;
  }
  return best;
}

describe('ShopperSessions', () => {
  describe('#expectedReward', () => {
    it("matches respond's mean reward for a favourite, an unrelated and the organic item (fixed seed, many draws)", () => {
      const rewards = [0, 0.1, 0.3, 0.5, 0.8];
      const sessions = new ShopperSessions(model, 1, 1);
      const draws = createRng('expected-reward');
      const fresh = () => sessions.start(0, user, createRng('expected-reward:start'), 1_500_000_000);
      fresh();
      const items = [favouriteOf(user, sessions.organicItems[0], sessions), model.shoppers.length % 50, sessions.organicItems[0]];
      for (const item of items) {
        fresh();
        const expected = sessions.expectedReward(0, item, rewards);
        let total = 0;
        const n = 40_000;
        for (let t = 0; t < n; t++) {
          fresh();
          sessions.respond(0, Int32Array.of(item), 0, 1, draws);
          if (sessions.chosen[0] === 0) total += rewards[sessions.depths[0]];
        }
        expect(Math.abs(total / n - expected), `item ${item}`).toBeLessThan(0.01);
        expect(expected).toBeGreaterThan(0);
      }
    });
  });

  describe('#respond', () => {
    it('gives the same responses for the same seed and other ones for another seed', () => {
      const run = (seed: number) => {
        const sessions = new ShopperSessions(model, 2, 3);
        const rng = createRng(seed);
        const trace: number[] = [];
        const shown = Int32Array.from([model.shoppers[1], 5, 9, 11, 40, 77]);
        for (let slot = 0; slot < 2; slot++) sessions.start(slot, model.shoppers[slot], rng);
        for (let t = 0; t < 200; t++) {
          const slot = t % 2;
          if (sessions.respond(slot, shown, slot * 3, 3, rng)) sessions.start(slot, model.shoppers[(t * 7) % model.shoppers.length], rng);
          trace.push(sessions.chosen[slot], sessions.actedItems[slot], sessions.depths[slot], sessions.clocks[slot], sessions.patience[slot]);
        }
        return trace;
      };
      expect(run(3)).toEqual(run(3));
      expect(run(3)).not.toEqual(run(4));
    });

    it('chooses a shown favourite item far more often than a shown random item (fixed seed, many draws)', () => {
      const rng = createRng(11);
      const sessions = new ShopperSessions(model, 1, 1);
      const rate = (pick: () => number) => {
        let chosen = 0;
        for (let t = 0; t < 2000; t++) {
          sessions.start(0, user, rng);
          sessions.respond(0, Int32Array.of(pick()), 0, 1, rng);
          if (sessions.chosen[0] === 0) chosen++;
        }
        return chosen / 2000;
      };
      const favourite = favouriteOf(user, -1);
      const favouriteRate = rate(() => favourite);
      const randomRate = rate(() => model.shoppers.length + rng.nextInt(model.numItems - model.shoppers.length));
      expect(favouriteRate).toBeGreaterThan(0.5);
      expect(randomRate).toBeLessThan(0.2);
      expect(favouriteRate).toBeGreaterThan(randomRate + 0.3);
    });
  });

  describe('#choiceProbabilities', () => {
    it('sums to one over the shown items and the organic option, each in [0, 1]', () => {
      const sessions = new ShopperSessions(model, 1, 8);
      const rng = createRng(5);
      sessions.start(0, user, rng);
      const out = new Float64Array(9);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: model.numItems - 1 }), { minLength: 0, maxLength: 8 }), (items) => {
          sessions.choiceProbabilities(0, Int32Array.from(items), 0, items.length, out);
          let total = 0;
          for (let k = 0; k <= items.length; k++) {
            expect(out[k]).toBeGreaterThanOrEqual(0);
            expect(out[k]).toBeLessThanOrEqual(1);
            total += out[k];
          }
          expect(total).toBeCloseTo(1, 12);
        }),
      );
    });

    it('gives the organic item probability 1 when it is shown (the logged next item is accepted when shown)', () => {
      const sessions = new ShopperSessions(model, 1, 3);
      sessions.start(0, user, createRng(1));
      const out = new Float64Array(4);
      sessions.choiceProbabilities(0, Int32Array.of(favouriteOf(user, sessions.organicItems[0]), sessions.organicItems[0], 3), 0, 3, out);
      expect(Array.from(out)).toEqual([0, 1, 0, 0]);
    });
  });

  describe('boredom and satiation', () => {
    it('adds boredomPerClick to the acted category, decays it by boredomDecay per step, and lowers the utility', () => {
      const b = fitted.behaviour;
      const sessions = new ShopperSessions(model, 1, 1);
      const rng = createRng(2);
      sessions.start(0, user, rng);
      const item = favouriteOf(user, sessions.organicItems[0], sessions);
      const category = model.itemCategory[item];
      const before = sessions.utility(0, item, 0);
      expect(sessions.boredom(0, category)).toBe(0);
      let steps = 0;
      do {
        sessions.start(0, user, rng);
        sessions.respond(0, Int32Array.of(item), 0, 1, rng);
        steps++;
      } while ((sessions.chosen[0] !== 0 || sessions.depths[0] === 4) && steps < 100);
      expect(sessions.boredom(0, category)).toBeCloseTo(b.boredomPerClick, 12);
      // Now seen (the repeat bonus) and bored with its category.
      expect(sessions.utility(0, item, 0)).toBeCloseTo(before + b.repeatBonus - b.boredomWeight * b.boredomPerClick, 9);
      // One more step on another category: the boredom decays by one factor.
      const other = favouriteOf(user, item);
      const otherCategory = model.itemCategory[other];
      sessions.respond(0, Int32Array.of(other), 0, 1, rng);
      const acted = model.itemCategory[sessions.actedItems[0]];
      const expected = b.boredomPerClick * b.boredomDecay + (acted === category ? b.boredomPerClick + (sessions.depths[0] === 4 ? b.satiationPerPurchase : 0) : 0);
      expect(sessions.boredom(0, category)).toBeCloseTo(expected, 12);
      expect(otherCategory).toBeGreaterThanOrEqual(0);
    });

    it('satiates a bought item: it loses boughtPenalty of utility for the rest of the session', () => {
      const sessions = new ShopperSessions(model, 1, 1);
      const rng = createRng(9);
      let found = false;
      for (let t = 0; t < 20_000 && !found; t++) {
        sessions.start(0, model.shoppers[t % model.shoppers.length], rng);
        const item = favouriteOf(sessions.users[0], sessions.organicItems[0], sessions);
        const before = sessions.utility(0, item, 0);
        sessions.respond(0, Int32Array.of(item), 0, 1, rng);
        if (sessions.chosen[0] === 0 && sessions.depths[0] === 4) {
          const b = fitted.behaviour;
          const boredom = b.boredomWeight * (b.boredomPerClick + b.satiationPerPurchase);
          expect(sessions.utility(0, item, 0)).toBeCloseTo(before - boredom - b.boughtPenalty + b.repeatBonus, 9);
          found = true;
        }
      }
      expect(found).toBe(true);
    });
  });

  describe('patience', () => {
    it('falls by patienceCost (1 − shown chance) when the shopper browses on their own, rises by patienceRefund when they choose, and the shopper leaves at 0', () => {
      const b = fitted.behaviour;
      const sessions = new ShopperSessions(model, 1, 1);
      const rng = createRng(4);
      sessions.start(0, user, rng);
      const poor = Int32Array.of(model.numItems - 1);
      let patience = 1;
      let left = false;
      for (let t = 0; t < 100 && !left; t++) {
        left = sessions.respond(0, poor, 0, 1, rng);
        if (sessions.chosen[0] === 0) patience = Math.min(1, patience - b.patienceCost * (1 - sessions.shownChances[0]) + b.patienceRefund);
        else patience -= b.patienceCost * (1 - sessions.shownChances[0]);
        expect(sessions.patience[0]).toBeCloseTo(patience, 12);
        if (patience <= 0) expect(left).toBe(true);
      }
      expect(left).toBe(true);
    });

    it('falls by boredomPatienceCost times the boredom of the shown item\'s category besides, measured before the step\'s own click', () => {
      const bored = new ShopperModel(applyPreset(fitted, 'easily-bored'), store);
      const b = bored.behaviour;
      expect(b.boredomPatienceCost).toBeGreaterThan(0);
      const sessions = new ShopperSessions(bored, 1, 1);
      const rng = createRng(5);
      sessions.start(0, user, rng);
      let patience = 1;
      let costly = 0;
      for (let t = 0; t < 40; t++) {
        // The item just acted on again (after the first step): its category was clicked a step ago.
        const shown = Int32Array.of(t === 0 ? sessions.organicItems[0] : sessions.actedItems[0]);
        const boredom = sessions.boredom(0, bored.itemCategory[shown[0]]);
        if (boredom > 0) costly++;
        const left = sessions.respond(0, shown, 0, 1, rng);
        patience -= b.patienceCost * (1 - sessions.shownChances[0]) + b.boredomPatienceCost * boredom;
        if (sessions.chosen[0] === 0) patience = Math.min(1, patience + b.patienceRefund);
        expect(sessions.patience[0]).toBeCloseTo(patience, 12);
        if (left) break;
      }
      expect(costly).toBeGreaterThan(0);
    });

    it('leaves of their own accord at leaveScale / mean clicks per step (0: only when patience runs out)', () => {
      const never = new ShopperModel({ ...fitted, behaviour: { ...fitted.behaviour, leaveScale: 0 } }, store);
      const sessions = new ShopperSessions(never, 1, 1);
      const rng = createRng(6);
      sessions.start(0, user, rng);
      for (let t = 0; t < 300; t++) expect(sessions.respond(0, Int32Array.of(sessions.organicItems[0]), 0, 1, rng)).toBe(false);
      const quarter = new ShopperModel({ ...fitted, behaviour: { ...fitted.behaviour, leaveScale: 0.25 } }, store);
      expect(quarter.leaveRate).toBeCloseTo(0.25 / fitted.session.meanClicks, 12);
      const half = new ShopperSessions(quarter, 1, 1);
      let leaves = 0;
      const steps = 20_000;
      half.start(0, user, rng);
      for (let t = 0; t < steps; t++) {
        if (half.respond(0, Int32Array.of(half.organicItems[0]), 0, 1, rng)) {
          leaves++;
          half.start(0, user, rng);
        }
      }
      // Showing the organic item never runs patience out in the fitted default (no boredom cost): leaving is the per-step chance alone.
      expect(leaves / steps).toBeGreaterThan(quarter.leaveRate * 0.85);
      expect(leaves / steps).toBeLessThan(quarter.leaveRate * 1.15);
    });

    it('costs nothing when nothing is shown', () => {
      const sessions = new ShopperSessions(model, 1, 1);
      const rng = createRng(4);
      sessions.start(0, user, rng);
      sessions.respond(0, new Int32Array(0), 0, 0, rng);
      expect(sessions.patience[0]).toBe(1);
      expect(sessions.chosen[0]).toBe(-1);
    });

    it('sets a return chance above the fitted rate after a satisfying session and below it after a poor one', () => {
      const sessions = new ShopperSessions(model, 1, 1);
      const rng = createRng(8);
      const base = fitted.session.returnRate;
      sessions.start(0, user, rng);
      while (!sessions.respond(0, Int32Array.of(sessions.organicItems[0]), 0, 1, rng));
      expect(sessions.returnChances[0]).toBeGreaterThan(base);
      sessions.start(0, user, rng);
      while (!sessions.respond(0, Int32Array.of(model.numItems - 1), 0, 1, rng));
      expect(sessions.returnChances[0]).toBeLessThan(base);
    });
  });
});

describe('ShopperSessions rows', () => {
  /** The events of request (row, length) as [item, behavior, time] triples, newest first. */
  const eventsOf = (sessions: ShopperSessions, row: number, length: number) => {
    const { log } = sessions;
    const out: number[] = [];
    for (let p = log.userOffsets[row] + length - 1; p >= log.userOffsets[row]; p--) out.push(log.items[p], log.behaviors[p], log.times[p]);
    return out;
  };

  it('keeps a past state readable for retainedRows later sessions', () => {
    const retained = 40;
    const sessions = new ShopperSessions(model, 2, 1, retained);
    const rng = createRng(5);
    sessions.start(0, model.shoppers[0], rng);
    sessions.start(1, model.shoppers[1], rng);
    sessions.respond(0, Int32Array.of(3), 0, 1, rng);
    const row = sessions.rows[0];
    const length = sessions.log.rowLengths[row];
    const before = eventsOf(sessions, row, length);
    let started = 0;
    for (let t = 0; started < retained; t++) {
      const slot = t % 2;
      if (sessions.respond(slot, Int32Array.of(7), 0, 1, rng)) {
        sessions.start(slot, model.shoppers[(t * 5) % model.shoppers.length], rng);
        started++;
      }
    }
    expect(eventsOf(sessions, row, length)).toEqual(before);
  });

  it('continues a full row in a fresh one, leaving the full row as it was', () => {
    const sessions = new ShopperSessions(model, 1, 1, 4);
    const rng = createRng(9);
    sessions.start(0, user, rng);
    const first = sessions.rows[0];
    const capacity = sessions.log.capacity;
    let snapshot: number[] = [];
    let snapshotLength = 0;
    for (let t = 0; t < 400 && sessions.rows[0] === first; t++) {
      snapshotLength = sessions.log.rowLengths[first];
      snapshot = eventsOf(sessions, first, snapshotLength);
      sessions.patience[0] = 1;
      sessions.respond(0, Int32Array.of(favouriteOf(user, -1)), 0, 1, rng);
      if (sessions.rows[0] === first) continue;
      // The step that overflowed: the old row holds what it held, the new one starts with its newest half.
      expect(eventsOf(sessions, first, snapshotLength)).toEqual(snapshot);
      const next = sessions.rows[0];
      expect(sessions.log.rowLengths[next]).toBeGreaterThan(capacity >> 1);
      expect(sessions.log.items[sessions.clickPositions[0]]).toBe(sessions.actedItems[0]);
      expect(sessions.log.behaviors[sessions.clickPositions[0]]).toBe(1);
    }
    expect(sessions.rows[0]).not.toBe(first);
  });
});
