import type { Rng } from '../core/rng.js';
import { Behavior, type BehaviorCode } from '../data/behavior.js';
import { SECONDS_PER_DAY, type EventSink } from '../data/event-store.js';
import { parseGeneratorConfig, type GeneratorOptions } from './generator-config.js';
import { FUNNEL_FAVORITE, FUNNEL_PURCHASE, Shopper, ShopperPopulation } from './shopper-population.js';

/** What {@link generateShopperLog} wrote. */
export interface GenerateSummary {
  events: number;
  /** Shoppers with at least one event. */
  users: number;
  /** Distinct items with at least one event. */
  items: number;
  /** Distinct categories with at least one event. */
  categories: number;
  behaviors: { click: number; favorite: number; cart: number; purchase: number };
  /** Earliest and latest event time (unix seconds, UTC); 0 when there are no events. */
  firstTime: number;
  lastTime: number;
}

const MAX_SESSIONS_PER_DAY = 64;
const SESSION_GAP_SECONDS = 600;
const MEAN_BROWSE_GAP_SECONDS = 75;
const MIN_BROWSE_GAP_SECONDS = 5;
const MAX_FUNNEL_GAP_SECONDS = 60;

/**
 * Generates the population's log into `sink`, shopper by shopper, each shopper's events in time
 * order. Each day a shopper has a Poisson number of sessions starting at hours drawn from the
 * daily cycle; a session browses a geometric number of items (see `ShopperPopulation.chooseItem`),
 * each a click possibly followed by favourite / cart / purchase events on the same item.
 * Deterministic in `config.seed`; allocates nothing per event.
 */
export function generateShopperLog(options: GeneratorOptions, sink: EventSink): GenerateSummary {
  const slices = shopperLogSlices(options, sink);
  for (;;) {
    const slice = slices.next();
    if (slice.done) return slice.value;
  }
}

/**
 * {@link generateShopperLog} in slices: yields the number of shoppers written after every
 * `usersPerSlice` of them, so that a caller can let its event loop run (signals, progress) between
 * slices, and returns the summary. The events are the same as in one go.
 */
export function* shopperLogSlices(options: GeneratorOptions, sink: EventSink, usersPerSlice = 1000): Generator<number, GenerateSummary> {
  if (!Number.isInteger(usersPerSlice) || usersPerSlice < 1) throw new RangeError(`expected usersPerSlice an integer >= 1, actual ${usersPerSlice}`);
  const config = parseGeneratorConfig(options);
  const population = new ShopperPopulation(config);
  const catalogue = population.catalogue;
  const itemRawIds = catalogue.itemRawIds;
  const categoryRawIds = catalogue.categoryRawIds;
  const itemCategory = catalogue.itemCategory;
  const hourTable = population.hourTable;
  const numDays = config.days;
  const stopProbability = 1 / config.itemsPerSession;
  const logKeep = stopProbability >= 1 ? 0 : Math.log(1 - stopProbability);
  const itemSeen = new Uint8Array(catalogue.numItems);
  const categorySeen = new Uint8Array(catalogue.numCategories);
  const starts = new Int32Array(MAX_SESSIONS_PER_DAY);
  const behaviorCounts = [0, 0, 0, 0, 0];
  const shopper = new Shopper();
  let events = 0;
  let users = 0;
  let items = 0;
  let categories = 0;
  let firstTime = Infinity;
  let lastTime = -Infinity;

  for (let u = 0; u < config.users; u++) {
    const rng = population.shopperRng(u);
    population.sampleShopper(u, rng, shopper);
    const userRaw = shopper.rawId;
    const eventsBefore = events;
    const emit = (item: number, behavior: BehaviorCode, time: number): void => {
      const category = itemCategory[item];
      sink.append(userRaw, itemRawIds[item], categoryRawIds[category], behavior, time);
      behaviorCounts[behavior]++;
      events++;
      if (itemSeen[item] === 0) {
        itemSeen[item] = 1;
        items++;
      }
      if (categorySeen[category] === 0) {
        categorySeen[category] = 1;
        categories++;
      }
      if (time < firstTime) firstTime = time;
      if (time > lastTime) lastTime = time;
    };
    for (let day = 0; day < numDays; day++) {
      const sessions = Math.min(MAX_SESSIONS_PER_DAY, poisson(shopper.sessionsPerDay, rng));
      if (sessions === 0) continue;
      const dayStart = population.dayStart(day);
      const dayEnd = dayStart + SECONDS_PER_DAY;
      for (let s = 0; s < sessions; s++) starts[s] = dayStart + hourTable.sample(rng) * 3600 + rng.nextInt(3600);
      insertionSort(starts, sessions);
      let time = -Infinity;
      sessionLoop: for (let s = 0; s < sessions; s++) {
        time = Math.max(starts[s], time + SESSION_GAP_SECONDS);
        if (time >= dayEnd) break;
        const browses = logKeep === 0 ? 1 : 1 + Math.floor(Math.log(1 - rng.next()) / logKeep);
        for (let b = 0; b < browses; b++) {
          const item = population.chooseItem(shopper, day, rng);
          emit(item, Behavior.click, time);
          shopper.observe(item);
          const response = population.respondAfterClick(shopper, item, rng);
          if (response !== 0) {
            for (let bit = FUNNEL_FAVORITE, behavior: BehaviorCode = Behavior.favorite; bit <= FUNNEL_PURCHASE; bit <<= 1) {
              if ((response & bit) !== 0) {
                time += 1 + rng.nextInt(MAX_FUNNEL_GAP_SECONDS);
                if (time >= dayEnd) break sessionLoop;
                emit(item, behavior, time);
              }
              behavior = (behavior + 1) as BehaviorCode;
            }
          }
          time += MIN_BROWSE_GAP_SECONDS + Math.floor(-Math.log(1 - rng.next()) * MEAN_BROWSE_GAP_SECONDS);
          if (time >= dayEnd) break sessionLoop;
        }
      }
    }
    if (events > eventsBefore) users++;
    if ((u + 1) % usersPerSlice === 0) yield u + 1;
  }
  return {
    events,
    users,
    items,
    categories,
    behaviors: { click: behaviorCounts[1], favorite: behaviorCounts[2], cart: behaviorCounts[3], purchase: behaviorCounts[4] },
    firstTime: events > 0 ? firstTime : 0,
    lastTime: events > 0 ? lastTime : 0,
  };
}

/** A Poisson draw with mean `mean` (Knuth's product method; normal approximation above 30). */
export function poisson(mean: number, rng: Pick<Rng, 'next'>): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const u = 1 - rng.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let product = rng.next();
  while (product > limit) {
    k++;
    product *= rng.next();
  }
  return k;
}

function insertionSort(values: Int32Array, length: number): void {
  for (let i = 1; i < length; i++) {
    const v = values[i];
    let j = i - 1;
    while (j >= 0 && values[j] > v) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = v;
  }
}
