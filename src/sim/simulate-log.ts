import type { BehaviorCode } from '../data/behavior.js';
import { SECONDS_PER_DAY, type EventSink } from '../data/event-store.js';
import { poisson } from './shopper-log.js';
import type { Draws, ShopperModel } from './shopper-model.js';
import { ShopperSessions } from './shopper-sessions.js';

/** What {@link simulateOrganicLog} wrote. */
export interface SimulatedLogSummary {
  readonly events: number;
  readonly sessions: number;
}

const EMPTY = new Int32Array(0);
/** Tries of a zero-truncated Poisson draw before settling on one session. */
const MAX_TRUNCATED_TRIES = 64;

/** Options of {@link simulateOrganicLog}. */
export interface OrganicLogOptions {
  /**
   * Which (dense user, day index) pairs have sessions: when given, an inactive pair has none and an
   * active one a Poisson number at the fitted rate conditioned on at least one (zero-truncated);
   * by default every shopper has a plain Poisson number every day.
   */
  readonly isActive?: (user: number, day: number) => boolean;
}

/**
 * Writes `days` days of the fitted shoppers browsing on their own (nothing recommended) into `sink`
 * with the store's raw ids, from the first day after the training window: each shopper has a
 * Poisson number of sessions a day (the fitted rate), each run by {@link ShopperSessions} until the
 * shopper leaves. Sessions of a day are written one after another; a shopper's events are in time
 * order. For checking that a fit recovers what generated the log, and (with `isActive`) for
 * simulating the users of a held-out window on the days they came (the fidelity report card).
 */
export function simulateOrganicLog(model: ShopperModel, days: number, draws: Draws, sink: EventSink, options: OrganicLogOptions = {}): SimulatedLogSummary {
  const { isActive } = options;
  const sessions = new ShopperSessions(model, 1, 1);
  const { store } = model;
  const log = sessions.log;
  const firstDay = Math.ceil(model.model.trainWindow.end / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  const rate = model.model.session.sessionsPerUserDay;
  let events = 0;
  let count = 0;
  for (const user of model.shoppers) {
    const userRaw = store.userIds.rawOf(user);
    let clock = 0;
    for (let day = 0; day < days; day++) {
      const dayStart = firstDay + day * SECONDS_PER_DAY;
      let planned = 0;
      if (!isActive) planned = poisson(rate, draws);
      else if (isActive(user, day)) {
        for (let tries = 0; planned === 0 && tries < MAX_TRUNCATED_TRIES; tries++) planned = poisson(rate, draws);
        planned = Math.max(1, planned);
      }
      for (const start of sessionStarts(sessions, planned, dayStart, draws)) {
        sessions.start(0, user, draws, Math.max(start, clock + model.model.session.gapSeconds + 1));
        count++;
        let hasLeft = false;
        while (!hasLeft) {
          hasLeft = sessions.respond(0, EMPTY, 0, 0, draws);
          events += writeStepEvents(sessions, 0, userRaw, sink);
        }
        clock = log.times[log.end(sessions.rows[0]) - 1];
      }
    }
  }
  return { events, sessions: count };
}

/** `count` session starts on the day starting at `dayStart`, drawn from the fitted hour profile, in time order. */
export function sessionStarts(sessions: ShopperSessions, count: number, dayStart: number, draws: Draws): number[] {
  const starts: number[] = [];
  for (let s = count; s > 0; s--) starts.push(sessions.drawStartTime(draws, dayStart));
  return starts.sort((a, b) => a - b);
}

/** Appends the events the last step of `slot` added to its row (the click and its funnel) to `sink` with the store's raw ids and user `userRaw`; returns how many. */
export function writeStepEvents(sessions: ShopperSessions, slot: number, userRaw: number, sink: EventSink): number {
  const { log } = sessions;
  const { store } = sessions.model;
  const end = log.end(sessions.rows[slot]);
  for (let p = end - sessions.stepEvents[slot]; p < end; p++) {
    sink.append(userRaw, store.itemIds.rawOf(log.items[p]), store.categoryIds.rawOf(log.categories[p]), log.behaviors[p] as BehaviorCode, log.times[p]);
  }
  return sessions.stepEvents[slot];
}
