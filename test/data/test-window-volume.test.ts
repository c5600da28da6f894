import { describe, expect, it } from 'vitest';
import { EventStoreBuilder } from '../../src/data/event-store.js';
import { testWindowVolume } from '../../src/data/test-window-volume.js';

const DAY = 86_400;
const D0 = Date.UTC(2014, 11, 10) / 1000;

/** `perDay[d]` events on day D0 + d, spread over the day's hours. */
function store(perDay: number[]) {
  const builder = new EventStoreBuilder();
  perDay.forEach((count, d) => {
    for (let i = 0; i < count; i++) builder.append(i % 7, i % 11, 0, 1, D0 + d * DAY + (i % 24) * 3600);
  });
  return builder.build();
}

describe('testWindowVolume', () => {
  it('finds a thin outlier day and the last typical day before it', () => {
    const s = store([100, 100, 100, 0, 0, 1]);
    const v = testWindowVolume(s, { start: D0 + 5 * DAY, end: D0 + 6 * DAY });
    expect(v).toEqual({ events: 1, typicalEvents: 301 / 4, daysWithEvents: 4, lastTypicalDay: D0 / DAY + 2, isThin: true });
  });

  it('does not call a normal last day thin, however long the log', () => {
    const s = store(Array.from({ length: 140 }, () => 50));
    expect(testWindowVolume(s, { start: D0 + 139 * DAY, end: D0 + 140 * DAY }).isThin).toBe(false);
  });

  it('scales the typical volume to a window shorter than a day', () => {
    const s = store([240, 240]);
    const v = testWindowVolume(s, { start: D0 + DAY + 22 * 3600, end: D0 + 2 * DAY });
    expect([v.events, v.typicalEvents, v.isThin]).toEqual([20, 20, false]);
    expect(testWindowVolume(s, { start: D0 + DAY + 1800, end: D0 + DAY + 3600 }).isThin).toBe(true);
  });
});
