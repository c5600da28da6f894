import { SessionLog } from '../../data/session-log.js';
import type { EventStore } from '../../data/event-store.js';
import type { ActedItem, Arena, ShopperState, ShownSlate, UserDriver } from './arena.js';

/** Events of a shopper's history kept for the policies (the newest). */
const ROW_CAPACITY = 128;

/**
 * The human side of the arena (the browser's user driver): each registered user's recent events
 * in a row of a session log the policies read, loaded from the db when the user comes back
 * (least recently active users give up their rows first).
 */
export class HumanShoppers implements UserDriver {
  readonly kind = 'human';
  readonly #arena: Arena;
  readonly #store: EventStore;
  readonly #log: SessionLog;
  /** Row per shopper, most recently used last. */
  readonly #rows = new Map<number, number>();

  /** @param {number} [rows=1024] users whose history is held at once */
  constructor(arena: Arena, rows = 1024) {
    this.#arena = arena;
    this.#store = arena.store;
    this.#log = new SessionLog(arena.store, rows, ROW_CAPACITY);
  }

  /** The state of registered user `userId` (their shopper created on first use). */
  state(userId: number): ShopperState {
    const shopper = this.#arena.db.humanShopper(userId);
    let row = this.#rows.get(shopper);
    if (row === undefined) {
      row = this.#rows.size < this.#log.numUsers ? this.#rows.size : this.#evict();
      this.#log.clear(row);
      for (const e of this.#arena.db.recentEvents(shopper, ROW_CAPACITY)) {
        const index = this.#store.itemIds.get(e.item);
        if (index >= 0) this.#log.append(row, index, e.behavior, Math.floor(e.timeMs / 1000));
      }
    } else this.#rows.delete(shopper);
    this.#rows.set(shopper, row);
    return { shopper, kind: this.kind, log: this.#log, row, time: Math.floor(this.#arena.nowMs() / 1000) };
  }

  #evict(): number {
    const [shopper, row] = this.#rows.entries().next().value as [number, number];
    this.#rows.delete(shopper);
    return row;
  }

  /** A slate for the user. */
  show(userId: number): Promise<ShownSlate> {
    return this.#arena.show(this.state(userId));
  }

  /** Stores the user's behaviour on a raw item id shown in `impression` (committed when this returns) and adds it to their history; returns the event's id. */
  act(userId: number, impression: number, itemId: number, behavior: number): number {
    const state = this.state(userId);
    const tally = this.#arena.impressionOf(impression, state.shopper);
    if (!tally) throw new RangeError(`impression: expected one shown to you, actual ${impression}`);
    if (tally.positionOf(itemId) < 0) throw new RangeError(`item: expected an item of impression ${impression}, actual ${itemId}`);
    const index = this.#store.itemIds.get(itemId);
    const acted: ActedItem = { index, behavior };
    const [id] = this.#arena.record(state, impression, [acted]);
    this.#log.append(state.row, index, behavior, state.time);
    return id;
  }
}
