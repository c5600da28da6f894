import type { Rng } from '../../core/rng.js';
import type { ShopperModel } from '../../sim/shopper-model.js';
import { ShopperSessions } from '../../sim/shopper-sessions.js';
import type { ActedItem, Arena, ShopperState, UserDriver } from './arena.js';

/**
 * The simulated side of the arena (the simulator's user driver): `count` shoppers of a fitted
 * model (a preset or a `sim.json`) in concurrent sessions, each shown the arena's slates on the
 * same path as a person, responding through the user model; their events are stored flagged
 * simulated. Every draw comes from `rng`.
 */
export class SimulatedShoppers implements UserDriver {
  readonly kind = 'simulated';
  readonly #arena: Arena;
  readonly #model: ShopperModel;
  readonly #sessions: ShopperSessions;
  readonly #rng: Rng;
  readonly #isActive: Uint8Array;
  readonly #shoppers: Int32Array;
  readonly #shown: Int32Array;
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(arena: Arena, model: ShopperModel, count: number, rng: Rng) {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`SimulatedShoppers: expected count to be an integer >= 1, actual ${count}`);
    if (model.shoppers.length === 0) throw new RangeError('SimulatedShoppers: expected a model with shoppers, actual none');
    this.#arena = arena;
    this.#model = model;
    this.#sessions = new ShopperSessions(model, count, arena.slateSize);
    this.#rng = rng;
    this.#isActive = new Uint8Array(count);
    this.#shoppers = new Int32Array(count);
    this.#shown = new Int32Array(arena.slateSize);
  }

  get count(): number {
    return this.#sessions.numSlots;
  }

  /** One step of slot `slot`: a slate shown, the shopper's response stored; a shopper who leaves is replaced by a new session at the next step. */
  async step(slot: number): Promise<void> {
    const sessions = this.#sessions;
    if (this.#isActive[slot] === 0) {
      const user = this.#model.shoppers[this.#rng.nextInt(this.#model.shoppers.length)];
      sessions.start(slot, user, this.#rng);
      this.#shoppers[slot] = this.#arena.db.simulatedShopper(this.#model.store.userIds.rawOf(user));
      this.#isActive[slot] = 1;
    }
    const state: ShopperState = { shopper: this.#shoppers[slot], kind: this.kind, log: sessions.log, row: sessions.rows[slot], time: sessions.clocks[slot] };
    const slate = await this.#arena.show(state);
    const shown = this.#shown;
    slate.items.forEach((item, k) => {
      shown[k] = item.index;
    });
    const hasLeft = sessions.respond(slot, shown, 0, slate.items.length, this.#rng);
    const log = sessions.log;
    const end = log.end(sessions.rows[slot]);
    const acted: ActedItem[] = [];
    for (let p = end - sessions.stepEvents[slot]; p < end; p++) acted.push({ index: log.items[p], behavior: log.behaviors[p] });
    this.#arena.record(state, slate.impression, acted);
    if (hasLeft) this.#isActive[slot] = 0;
  }

  /** Runs every slot in its own loop, a step every `paceMs` (0: as fast as the arena answers), until {@link stop}; a failed step stops its slot and goes to `onError`. */
  start(paceMs: number, onError: (error: unknown) => void): void {
    if (this.#running) return;
    this.#running = true;
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    this.#loops = Array.from({ length: this.count }, async (_, slot) => {
      try {
        while (this.#running) {
          await this.step(slot);
          await sleep(paceMs);
        }
      } catch (error) {
        onError(error);
      }
    });
  }

  /** Stops the loops after their current step. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    this.#loops = [];
  }
}
