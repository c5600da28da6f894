import type { EventStore } from './event-store.js';
import type { TimeWindow } from './split.js';

/** Options of {@link buildEpisodes}. */
export interface EpisodeOptions {
  /** Only events whose time lies in this window are steps of an episode. */
  readonly window: TimeWindow;
  /** A pause longer than this (seconds) between two events of a user starts a new episode; none by default. */
  readonly gapSeconds?: number;
  /** Events with fewer earlier events of the same user than this are not steps (default 1). */
  readonly minHistory?: number;
}

/**
 * Episodes as ranges of store positions: episode `e` steps through the events at positions
 * `start[e]` .. `end[e] - 1`, all of user `user[e]`. `cutByWindow[e]` is 1 when the user's
 * logged activity goes on past the window without a gap (the episode is truncated, not terminated).
 */
export interface Episodes {
  readonly count: number;
  readonly user: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly cutByWindow: Uint8Array;
  /** Total number of steps (sum of end - start). */
  readonly steps: number;
}

/** Cuts each user's events inside the window into episodes; O(events). */
export function buildEpisodes(store: EventStore, options: EpisodeOptions): Episodes {
  const { window } = options;
  const gap = options.gapSeconds ?? Infinity;
  const minHistory = options.minHistory ?? 1;
  if (!(gap > 0)) throw new RangeError(`expected gapSeconds > 0, actual ${gap}`);
  if (!Number.isInteger(minHistory) || minHistory < 0) {
    throw new RangeError(`expected minHistory to be an integer >= 0, actual ${minHistory}`);
  }
  const { times, userOffsets } = store;
  const user: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const cut: number[] = [];
  let steps = 0;
  for (let u = 0; u < store.numUsers; u++) {
    const userStart = userOffsets[u];
    const userEnd = userOffsets[u + 1];
    let a = userStart;
    while (a < userEnd && times[a] < window.start) a++;
    let b = a;
    while (b < userEnd && times[b] < window.end) b++;
    let sessionStart = a;
    for (let p = a; p <= b; p++) {
      const isBoundary = p === b || (p > a && times[p] - times[p - 1] > gap);
      if (!isBoundary) continue;
      const first = Math.max(sessionStart, userStart + minHistory);
      if (first < p) {
        user.push(u);
        start.push(first);
        end.push(p);
        cut.push(p === b && b < userEnd && times[b] - times[b - 1] <= gap ? 1 : 0);
        steps += p - first;
      }
      sessionStart = p;
    }
  }
  return {
    count: user.length,
    user: Int32Array.from(user),
    start: Int32Array.from(start),
    end: Int32Array.from(end),
    cutByWindow: Uint8Array.from(cut),
    steps,
  };
}
