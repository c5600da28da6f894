import { Behavior } from '../data/behavior.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';

/** What the fidelity report card compares between a real and a simulated log, over one window. */
export interface LogProfile {
  /** Clicks per session (a session: a user's events without a pause longer than the gap). */
  readonly sessionLengths: Float64Array;
  /** Events per user with events in the window. */
  readonly eventsPerUser: Float64Array;
  /** Seconds between consecutive events of a session. */
  readonly gapsSeconds: Float64Array;
  /** Entropy (bits) of each user's categories in the window. */
  readonly categoryEntropies: Float64Array;
  /** Events per behaviour: click, favourite, cart, purchase. */
  readonly behaviourCounts: Float64Array;
  /** Clicks on an item the user had clicked before (anywhere earlier in the log), and the other clicks. */
  readonly repeatCounts: Float64Array;
  /** Session starts per UTC hour (sessions, not events: a session's events share its hour). */
  readonly hourCounts: Float64Array;
}

/** The {@link LogProfile} of `store`'s events inside `window`; a pause longer than `sessionGapSeconds` starts a session. */
export function logProfile(store: EventStore, window: TimeWindow, sessionGapSeconds: number): LogProfile {
  const { numUsers, numCategories, numItems, userOffsets, items, categories, behaviors, times } = store;
  const sessionLengths: number[] = [];
  const eventsPerUser: number[] = [];
  const gaps: number[] = [];
  const entropies: number[] = [];
  const behaviourCounts = new Float64Array(4);
  const repeatCounts = new Float64Array(2);
  const hourCounts = new Float64Array(24);
  const categoryCounts = new Float64Array(numCategories);
  const clickedBy = new Int32Array(numItems).fill(-1);
  for (let u = 0; u < numUsers; u++) {
    const touched: number[] = [];
    let events = 0;
    let clicks = 0;
    let previous = -1;
    for (let p = userOffsets[u]; p < userOffsets[u + 1]; p++) {
      const time = times[p];
      const behavior = behaviors[p];
      if (time >= window.end) break;
      if (time < window.start) {
        if (behavior === Behavior.click) clickedBy[items[p]] = u;
        continue;
      }
      events++;
      if (previous >= 0 && time - times[previous] <= sessionGapSeconds) {
        gaps.push(time - times[previous]);
      } else {
        if (previous >= 0) sessionLengths.push(clicks);
        clicks = 0;
        hourCounts[((Math.floor(time / 3600) % 24) + 24) % 24]++;
      }
      previous = p;
      behaviourCounts[behavior - 1]++;
      if (categoryCounts[categories[p]]++ === 0) touched.push(categories[p]);
      if (behavior === Behavior.click) {
        clicks++;
        repeatCounts[clickedBy[items[p]] === u ? 0 : 1]++;
        clickedBy[items[p]] = u;
      }
    }
    if (events === 0) continue;
    sessionLengths.push(clicks);
    eventsPerUser.push(events);
    let entropy = 0;
    for (const c of touched) {
      const share = categoryCounts[c] / events;
      entropy -= share * Math.log2(share);
      categoryCounts[c] = 0;
    }
    entropies.push(entropy);
  }
  return {
    sessionLengths: Float64Array.from(sessionLengths),
    eventsPerUser: Float64Array.from(eventsPerUser),
    gapsSeconds: Float64Array.from(gaps),
    categoryEntropies: Float64Array.from(entropies),
    behaviourCounts,
    repeatCounts,
    hourCounts,
  };
}
