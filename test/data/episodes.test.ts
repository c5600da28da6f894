import { describe, expect, it } from 'vitest';
import { EventStoreBuilder } from '../../src/data/event-store.js';
import { buildEpisodes, type Episodes } from '../../src/data/episodes.js';

const H = 3600;

// User 1 (dense 0) at hours 0, 1, 2, 10, 11, 30 -> positions 0..5; user 2 (dense 1) at 5 -> 6;
// user 3 (dense 2) at 20, 21 -> 7, 8.
function store() {
  const builder = new EventStoreBuilder();
  const rows: Array<[number, number]> = [[1, 0], [1, 1], [1, 2], [1, 10], [1, 11], [1, 30], [2, 5], [3, 20], [3, 21]];
  rows.forEach(([user, hour], i) => builder.append(user, i, 0, 1, hour * H));
  return builder.build();
}

function rows(e: Episodes): number[][] {
  return Array.from({ length: e.count }, (_, k) => [e.user[k], e.start[k], e.end[k], e.cutByWindow[k]]);
}

const DAY1 = { start: 0, end: 24 * H };

describe('buildEpisodes', () => {
  it('starts a new episode after a gap and skips the first event of each user (minHistory 1)', () => {
    const episodes = buildEpisodes(store(), { window: DAY1, gapSeconds: 3 * H });
    expect(rows(episodes)).toEqual([
      [0, 1, 3, 0],
      [0, 3, 5, 0],
      [2, 8, 9, 0],
    ]);
    expect(episodes.steps).toBe(5);
  });

  it('marks an episode cut by the window edge when the user goes on without a gap', () => {
    expect(rows(buildEpisodes(store(), { window: DAY1 }))).toEqual([
      [0, 1, 5, 1],
      [2, 8, 9, 0],
    ]);
  });

  it('with minHistory 0 every event in the window is a step', () => {
    const episodes = buildEpisodes(store(), { window: DAY1, minHistory: 0 });
    expect(rows(episodes)).toEqual([
      [0, 0, 5, 1],
      [1, 6, 7, 0],
      [2, 7, 9, 0],
    ]);
    expect(episodes.steps).toBe(8);
  });

  it('counts history from before the window: a later window starts at the first event inside it', () => {
    expect(rows(buildEpisodes(store(), { window: { start: 10 * H, end: 24 * H }, gapSeconds: 3 * H }))).toEqual([
      [0, 3, 5, 0],
      [2, 8, 9, 0],
    ]);
  });

  it('rejects a gap <= 0 and a negative or fractional minHistory', () => {
    expect(() => buildEpisodes(store(), { window: DAY1, gapSeconds: 0 })).toThrowError(new RangeError('expected gapSeconds > 0, actual 0'));
    expect(() => buildEpisodes(store(), { window: DAY1, minHistory: -1 })).toThrow(RangeError);
    expect(() => buildEpisodes(store(), { window: DAY1, minHistory: 0.5 })).toThrow(RangeError);
  });
});
