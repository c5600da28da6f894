import { Behavior } from '../data/behavior.js';
import { SECONDS_PER_DAY } from '../data/event-store.js';
import { SessionLog } from '../data/session-log.js';
import type { Draws, ShopperModel } from './shopper-model.js';

/** Events a session-log row holds: the user's logged tail (up to half of it) and the session. */
const ROW_CAPACITY = 128;
/** Recent events a shown item is looked up in for the repeat bonus. */
const REPEAT_WINDOW = 16;
/** Recent events an organic revisit draws from. */
const REVISIT_WINDOW = 50;
/** Items a session remembers having bought (the oldest is forgotten first). */
const BOUGHT_MEMORY = 8;
const MAX_FUNNEL_GAP_SECONDS = 60;
const MAX_RATE = 0.95;

/**
 * The shoppers of `numSlots` concurrent sessions, on typed arrays (slot-indexed), and their
 * responses: the user model of `docs/simulator.md`. A session starts from a fitted user with their
 * logged history (copied into a row of `log`), at an hour drawn from the hour profile of the day
 * after the training window; each step the shopper sees a slate (one item in candidates mode) and
 * chooses one shown item or browses on their own (the organic item drawn before the step from the
 * next-item model); the acted item goes down the funnel (click → favourite / cart → purchase) with
 * rates that grow with affinity; boredom and satiation build up per category and decay per step;
 * patience falls with poor slates; the shopper leaves when it is used up or, each step, with the
 * fitted chance of ending a session. Every draw comes from the caller's seeded `draws`.
 */
export class ShopperSessions {
  readonly model: ShopperModel;
  readonly numSlots: number;
  /**
   * The sessions' rows, taken from a ring in order of use (a session start, or a full row continued
   * in a fresh one): a row is rewritten only after every other row of the ring was taken, so an
   * ended session's final view, and `retainedRows` more past rows, stay readable.
   */
  readonly log: SessionLog;
  /** Dense user (of the store) per slot. */
  readonly users: Int32Array;
  /** The log row the slot's session writes. */
  readonly rows: Int32Array;
  /** The slot's clock: the time of its latest event, or the session start (unix seconds). */
  readonly clocks: Int32Array;
  /** Patience left, 1 at the start; the shopper leaves at 0. */
  readonly patience: Float64Array;
  /** Steps taken and steps where a shown item was chosen. */
  readonly steps: Int32Array;
  readonly accepted: Int32Array;
  /** The item the shopper would browse next on their own (drawn once per state). */
  readonly organicItems: Int32Array;
  /** Last step: index of the chosen shown item (-1: the organic option), the acted item, its deepest behaviour (1..4), the chance any shown item had, where its click went in the log. */
  readonly chosen: Int32Array;
  readonly actedItems: Int32Array;
  readonly depths: Uint8Array;
  readonly shownChances: Float64Array;
  readonly clickPositions: Int32Array;
  /** Chance of coming back the next day, set by the step where the shopper left (from the session's satisfaction), 0 after other steps. */
  readonly returnChances: Float64Array;
  /** Events the last step appended to the slot's row (its newest ones): the click and its funnel. */
  readonly stepEvents: Uint8Array;
  readonly #sessionDay: number;
  readonly #previousCategory: Int32Array;
  readonly #serial: Int32Array;
  #nextSerial = 1;
  readonly #boredom: Float64Array;
  readonly #boredomStep: Int32Array;
  readonly #boredomOwner: Int32Array;
  readonly #bought: Int32Array;
  readonly #boughtCount: Int32Array;
  readonly #weights: Float64Array;
  #nextRow = 0;

  /**
   * `retainedRows`: rows kept readable besides the live and just-ended ones. A learner that keeps
   * past states (a replay buffer of N transitions) passes N: every row it took holds at least one step.
   */
  constructor(model: ShopperModel, numSlots: number, maxShown: number, retainedRows = 0) {
    if (!Number.isInteger(numSlots) || numSlots < 1) throw new RangeError(`expected numSlots to be an integer >= 1, actual ${numSlots}`);
    if (!Number.isInteger(maxShown) || maxShown < 1) throw new RangeError(`expected maxShown to be an integer >= 1, actual ${maxShown}`);
    if (!Number.isInteger(retainedRows) || retainedRows < 0) throw new RangeError(`expected retainedRows to be an integer >= 0, actual ${retainedRows}`);
    this.model = model;
    this.numSlots = numSlots;
    this.log = new SessionLog(model.store, 2 * numSlots + 1 + retainedRows, ROW_CAPACITY);
    this.users = new Int32Array(numSlots);
    this.rows = new Int32Array(numSlots);
    this.clocks = new Int32Array(numSlots);
    this.patience = new Float64Array(numSlots);
    this.steps = new Int32Array(numSlots);
    this.accepted = new Int32Array(numSlots);
    this.organicItems = new Int32Array(numSlots);
    this.chosen = new Int32Array(numSlots);
    this.actedItems = new Int32Array(numSlots);
    this.depths = new Uint8Array(numSlots);
    this.shownChances = new Float64Array(numSlots);
    this.clickPositions = new Int32Array(numSlots);
    this.returnChances = new Float64Array(numSlots);
    this.stepEvents = new Uint8Array(numSlots);
    this.#sessionDay = Math.ceil(model.model.trainWindow.end / SECONDS_PER_DAY) * SECONDS_PER_DAY;
    this.#previousCategory = new Int32Array(numSlots);
    this.#serial = new Int32Array(numSlots);
    const cells = numSlots * model.numCategories;
    this.#boredom = new Float64Array(cells);
    this.#boredomStep = new Int32Array(cells);
    this.#boredomOwner = new Int32Array(cells);
    this.#bought = new Int32Array(numSlots * BOUGHT_MEMORY);
    this.#boughtCount = new Int32Array(numSlots);
    this.#weights = new Float64Array(maxShown + 1);
    this.restart();
  }

  /** A session start on the day starting at `dayStart` (default: the first day after the training window), at an hour drawn from the fitted profile and a uniform second in it. */
  drawStartTime(draws: Draws, dayStart = this.#sessionDay): number {
    return dayStart + this.model.sampleHour(draws) * 3600 + Math.floor(draws.next() * 3600);
  }

  /** Rewinds the row ring, so that the next sessions write the same rows as after construction (seeded runs repeat exactly). */
  restart(): void {
    this.rows.fill(-1);
    this.returnChances.fill(0);
    this.#nextRow = 0;
  }

  /** The next row of the ring, emptied. */
  #takeRow(): number {
    const row = this.#nextRow;
    this.#nextRow = row + 1 === this.log.numUsers ? 0 : row + 1;
    this.log.clear(row);
    return row;
  }

  /** Appends an event to the slot's row; a full row continues in a fresh one that starts with its newest half (the full row stays as it was, for the states that read it). */
  #append(slot: number, item: number, behavior: number, time: number): void {
    const log = this.log;
    let row = this.rows[slot];
    if (log.rowLengths[row] === log.capacity) {
      const full = row;
      row = this.#takeRow();
      log.copyRow(full, row, log.capacity >> 1);
      this.rows[slot] = row;
    }
    log.append(row, item, behavior, time);
  }

  /**
   * Starts `user`'s session in `slot` at `startTime` (default {@link drawStartTime}): their logged
   * history in a fresh row, full patience, no boredom, the first organic item.
   */
  start(slot: number, user: number, draws: Draws, startTime = this.drawStartTime(draws)): void {
    const model = this.model;
    const row = this.#takeRow();
    this.rows[slot] = row;
    const log = this.log;
    log.copyFromStore(row, model.store.userOffsets[user], model.historyEnds[user]);
    this.users[slot] = user;
    this.clocks[slot] = startTime;
    this.patience[slot] = 1;
    this.steps[slot] = 0;
    this.accepted[slot] = 0;
    this.#previousCategory[slot] = -1;
    this.#serial[slot] = this.#nextSerial++;
    this.#boughtCount[slot] = 0;
    this.organicItems[slot] = this.#drawOrganic(slot, -1, draws);
  }

  /**
   * Writes P(shown item k is chosen) to `out[k]` for k < count and P(organic) to `out[count]`
   * (summing to 1): the organic item itself shown is chosen for sure (the logged next item is what
   * the user accepts when shown); otherwise a multinomial logit with the organic option at utility 0.
   */
  choiceProbabilities(slot: number, shown: Int32Array, offset: number, count: number, out: Float64Array): void {
    const organic = this.organicItems[slot];
    for (let k = 0; k < count; k++) {
      if (shown[offset + k] === organic) {
        out.fill(0, 0, count + 1);
        out[k] = 1;
        return;
      }
    }
    let total = 1;
    for (let k = 0; k < count; k++) total += out[k] = Math.exp(this.utility(slot, shown[offset + k], k));
    for (let k = 0; k < count; k++) out[k] /= total;
    out[count] = 1 / total;
  }

  /**
   * Expected reward of showing `item` alone to the slot's shopper now (what {@link respond} would
   * pay on average): the chance they take it ({@link choiceProbabilities} with one shown item) times
   * the expected reward of its deepest behaviour down the funnel; `rewards` is indexed by behaviour
   * code (1 click .. 4 purchase, as `rewardLookup` writes it). Draws nothing.
   */
  expectedReward(slot: number, item: number, rewards: ArrayLike<number>): number {
    const model = this.model;
    const taken = item === this.organicItems[slot] ? 1 : 1 / (1 + Math.exp(-this.utility(slot, item, 0)));
    const category = model.itemCategory[item];
    const factor = model.funnelFactor(this.users[slot], item);
    const favorite = Math.min(MAX_RATE, model.favoriteRate[category] * factor);
    const cart = Math.min(MAX_RATE, model.cartRate[category] * factor);
    const afterCart = model.purchaseAfterCartRate[category];
    const direct = Math.min(MAX_RATE, model.directPurchaseRate[category] * factor);
    const purchase = cart * afterCart + (1 - cart) * direct;
    const cartOnly = cart * (1 - afterCart);
    const favoriteOnly = favorite * (1 - cart) * (1 - direct);
    const clickOnly = (1 - favorite) * (1 - cart) * (1 - direct);
    return taken * (purchase * rewards[Behavior.purchase] + cartOnly * rewards[Behavior.cart] + favoriteOnly * rewards[Behavior.favorite] + clickOnly * rewards[Behavior.click]);
  }

  /**
   * Utility of showing `item` at position `position` to the slot's shopper:
   * β (affinity − mean affinity) + repeat bonus (seen recently) − position decay · position
   * − boredom weight · boredom of its category − the bought penalty (bought in this session).
   */
  utility(slot: number, item: number, position: number): number {
    const model = this.model;
    const b = model.behaviour;
    let u = b.choiceSharpness * (model.affinity(this.users[slot], item) - model.model.meanAffinity) - b.positionDecay * position;
    u -= b.boredomWeight * this.boredom(slot, model.itemCategory[item]);
    const log = this.log;
    const row = this.rows[slot];
    const end = log.end(row);
    for (let p = Math.max(log.userOffsets[row], end - REPEAT_WINDOW); p < end; p++) {
      if (log.items[p] === item) {
        u += b.repeatBonus;
        break;
      }
    }
    const base = slot * BOUGHT_MEMORY;
    for (let k = 0, n = Math.min(this.#boughtCount[slot], BOUGHT_MEMORY); k < n; k++) {
      if (this.#bought[base + k] === item) {
        u -= b.boughtPenalty;
        break;
      }
    }
    return u;
  }

  /** The slot's current boredom with `category`: each step multiplies it by boredomDecay, then adds that step's clicks and purchases in the category. */
  boredom(slot: number, category: number): number {
    const cell = slot * this.model.numCategories + category;
    if (this.#boredomOwner[cell] !== this.#serial[slot]) return 0;
    const elapsed = this.steps[slot] - this.#boredomStep[cell];
    return this.#boredom[cell] * this.model.behaviour.boredomDecay ** elapsed;
  }

  /**
   * The shopper's response to `shown[offset .. offset + count)`: chooses, acts (click and funnel,
   * appended to the log), updates boredom, satiation and patience, advances the clock, decides
   * whether they leave, and draws their next organic item. Writes `chosen`, `actedItems`,
   * `depths`, `shownChances`, `clickPositions` (and `returnChances` when they leave); returns true
   * when the shopper left.
   */
  respond(slot: number, shown: Int32Array, offset: number, count: number, draws: Draws): boolean {
    const model = this.model;
    const b = model.behaviour;
    const weights = this.#weights;
    if (count >= weights.length) throw new RangeError(`expected at most ${weights.length - 1} shown items (maxShown), actual ${count}`);
    this.choiceProbabilities(slot, shown, offset, count, weights);
    let r = draws.next();
    let chosen = -1;
    for (let k = 0; k < count; k++) {
      r -= weights[k];
      if (r < 0) {
        chosen = k;
        break;
      }
    }
    const shownChance = 1 - weights[count];
    const shownBoredom = b.boredomPatienceCost > 0 && count > 0 ? this.#meanBoredom(slot, shown, offset, count) : 0;
    const item = chosen >= 0 ? shown[offset + chosen] : this.organicItems[slot];
    const category = model.itemCategory[item];
    const user = this.users[slot];
    const factor = model.funnelFactor(user, item);
    let time = this.clocks[slot];
    this.#append(slot, item, Behavior.click, time);
    let depth: number = Behavior.click;
    let appended = 1;
    if (draws.next() < Math.min(MAX_RATE, model.favoriteRate[category] * factor)) {
      time += 1 + Math.floor(draws.next() * MAX_FUNNEL_GAP_SECONDS);
      this.#append(slot, item, Behavior.favorite, time);
      depth = Behavior.favorite;
      appended++;
    }
    let isPurchase: boolean;
    if (draws.next() < Math.min(MAX_RATE, model.cartRate[category] * factor)) {
      time += 1 + Math.floor(draws.next() * MAX_FUNNEL_GAP_SECONDS);
      this.#append(slot, item, Behavior.cart, time);
      depth = Behavior.cart;
      appended++;
      isPurchase = draws.next() < model.purchaseAfterCartRate[category];
    } else {
      isPurchase = draws.next() < Math.min(MAX_RATE, model.directPurchaseRate[category] * factor);
    }
    if (isPurchase) {
      time += 1 + Math.floor(draws.next() * MAX_FUNNEL_GAP_SECONDS);
      this.#append(slot, item, Behavior.purchase, time);
      depth = Behavior.purchase;
      appended++;
      this.#bought[slot * BOUGHT_MEMORY + (this.#boughtCount[slot]++ % BOUGHT_MEMORY)] = item;
    }
    this.clickPositions[slot] = this.log.end(this.rows[slot]) - appended;
    this.steps[slot]++;
    this.#addBoredom(slot, category, b.boredomPerClick + (isPurchase ? b.satiationPerPurchase : 0));
    if (chosen >= 0) this.accepted[slot]++;
    // Nothing shown (a shopper left to browse alone) costs no patience.
    let patience = count > 0 ? this.patience[slot] - b.patienceCost * (1 - shownChance) - b.boredomPatienceCost * shownBoredom : this.patience[slot];
    if (chosen >= 0) patience = Math.min(1, patience + b.patienceRefund);
    this.patience[slot] = patience;
    this.clocks[slot] = time + 1 + Math.floor(-Math.log(1 - draws.next()) * model.model.session.meanClickGapSeconds);
    this.chosen[slot] = chosen;
    this.actedItems[slot] = item;
    this.depths[slot] = depth;
    this.stepEvents[slot] = appended;
    this.shownChances[slot] = shownChance;
    this.#previousCategory[slot] = category;
    const hasLeft = patience <= 0 || draws.next() < model.leaveRate;
    this.returnChances[slot] = hasLeft ? this.#returnChance(slot) : 0;
    this.organicItems[slot] = this.#drawOrganic(slot, item, draws);
    return hasLeft;
  }

  /** Chance of a session the next day: the fitted return rate, its log-odds moved by returnSlope · (share of steps that chose a shown item − 1/2). */
  #returnChance(slot: number): number {
    const base = Math.min(0.99, Math.max(0.01, this.model.model.session.returnRate));
    const satisfaction = this.steps[slot] > 0 ? this.accepted[slot] / this.steps[slot] : 0;
    const logit = Math.log(base / (1 - base)) + this.model.behaviour.returnSlope * (satisfaction - 0.5);
    return 1 / (1 + Math.exp(-logit));
  }

  /** Mean boredom of the shown items' categories. */
  #meanBoredom(slot: number, shown: Int32Array, offset: number, count: number): number {
    const category = this.model.itemCategory;
    let sum = 0;
    for (let k = 0; k < count; k++) sum += this.boredom(slot, category[shown[offset + k]]);
    return sum / count;
  }

  #addBoredom(slot: number, category: number, amount: number): void {
    const cell = slot * this.model.numCategories + category;
    const current = this.boredom(slot, category);
    this.#boredom[cell] = current + amount;
    this.#boredomStep[cell] = this.steps[slot];
    this.#boredomOwner[cell] = this.#serial[slot];
  }

  /**
   * The next-item model: the previous item again (repeat share), an item of the recent history
   * (revisit share, recent ones likelier), else a category by α θ_u + (1 − α) T(· | previous
   * category) and an item of it by popularity.
   */
  #drawOrganic(slot: number, previous: number, draws: Draws): number {
    const model = this.model;
    const { repeat, revisit } = model.model.repeat;
    const u = draws.next();
    if (previous >= 0 && u < repeat) return previous;
    const log = this.log;
    const row = this.rows[slot];
    const length = log.rowLengths[row];
    if (length > 0 && u < repeat + revisit) {
      // An item of the recent history other than the previous one (a few tries, else a new item as below).
      const window = Math.min(length, REVISIT_WINDOW);
      for (let tries = 0; tries < 4; tries++) {
        const item = log.items[log.end(row) - 1 - Math.floor(draws.next() * window)];
        if (item !== previous) return item;
      }
    }
    const user = this.users[slot];
    let category = -1;
    if (draws.next() >= model.model.tasteMix) category = model.sampleTransition(this.#previousCategory[slot], draws);
    if (category < 0) category = model.sampleTasteCategory(user, draws);
    return model.sampleItemIn(category, draws);
  }
}
