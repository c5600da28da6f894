import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/data/event-store.js';
import { createDefaultEventStore, DEFAULT_GENERATOR_CONFIG } from '../../src/sim/default-data.js';

const DAY = 86_400;

/**
 * Issue 8's test-day breakdown, computed independently: test cases are the last day's events of
 * users with an event before it; warm = item occurs before the last day; seen = the user touched the
 * item earlier; repeat = the item equals the user's previous item; discovery = warm and not seen.
 * `tasteHits` counts discovery positives whose category is among the user's 3 most frequent
 * training categories.
 */
function testDayShares(store: EventStore) {
  const testStart = Math.floor(store.maxTime / DAY) * DAY;
  const trainItems = new Set<number>();
  for (let i = 0; i < store.length; i++) if (store.times[i] < testStart) trainItems.add(store.items[i]);
  let cases = 0;
  let warm = 0;
  let seen = 0;
  let repeat = 0;
  let tasteHits = 0;
  for (let u = 0; u < store.numUsers; u++) {
    const start = store.userOffsets[u];
    const end = store.userOffsets[u + 1];
    if (store.times[start] >= testStart) continue;
    const touched = new Set<number>();
    const categoryCounts = new Map<number, number>();
    for (let i = start; i < end; i++) {
      const item = store.items[i];
      if (store.times[i] >= testStart) {
        cases++;
        if (trainItems.has(item)) {
          warm++;
          if (touched.has(item)) seen++;
          else {
            const top = [...categoryCounts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c]) => c);
            if (top.includes(store.categories[i])) tasteHits++;
          }
          if (i > start && store.items[i - 1] === item) repeat++;
        }
      } else {
        categoryCounts.set(store.categories[i], (categoryCounts.get(store.categories[i]) ?? 0) + 1);
      }
      touched.add(item);
    }
  }
  return {
    cases,
    warm: warm / cases,
    seen: seen / warm,
    repeat: repeat / warm,
    discovery: (warm - seen) / warm,
    tasteOfDiscovery: tasteHits / (warm - seen),
  };
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('createDefaultEventStore', () => {
  const store = createDefaultEventStore();

  it('has the default size: ~1,500 users, 31 days, a few thousand items, 50-100 categories', () => {
    expect(store.numUsers).toBeGreaterThanOrEqual(1000);
    expect(store.numUsers).toBeLessThanOrEqual(2000);
    expect(store.numItems).toBeGreaterThanOrEqual(2000);
    expect(store.numItems).toBeLessThanOrEqual(5000);
    expect(store.numCategories).toBeGreaterThanOrEqual(50);
    expect(store.numCategories).toBeLessThanOrEqual(100);
    expect(store.length).toBeGreaterThanOrEqual(100_000);
    expect(store.length).toBeLessThanOrEqual(300_000);
  });

  it('covers 2014-11-18 to 2014-12-18', () => {
    expect(new Date(store.minTime * 1000).toISOString().slice(0, 10)).toBe('2014-11-18');
    expect(new Date(store.maxTime * 1000).toISOString().slice(0, 10)).toBe('2014-12-18');
    expect(DEFAULT_GENERATOR_CONFIG.days).toBe(31);
  });

  it('is deterministic, and the seed changes it', () => {
    const again = createDefaultEventStore();
    expect(again.length).toBe(store.length);
    expect(sameBytes(again.items, store.items)).toBe(true);
    expect(sameBytes(again.users, store.users)).toBe(true);
    expect(sameBytes(again.times, store.times)).toBe(true);
    expect(sameBytes(again.behaviors, store.behaviors)).toBe(true);
    const other = createDefaultEventStore({ seed: 1 });
    expect(sameBytes(other.times, store.times)).toBe(false);
  });

  it('applies overrides', () => {
    const small = createDefaultEventStore({ users: 50, days: 3, start: '2020-01-01' });
    expect(small.numUsers).toBeLessThanOrEqual(50);
    expect(new Date(small.minTime * 1000).toISOString().slice(0, 10)).toBe('2020-01-01');
    expect(new Date(small.maxTime * 1000).toISOString().slice(0, 10) <= '2020-01-03').toBe(true);
  });

  it('shows test-day re-consumption and discovery like the real logs (issue 8)', () => {
    const shares = testDayShares(store);
    expect(shares.cases).toBeGreaterThan(2000);
    expect(shares.warm).toBeGreaterThan(0.5);
    expect(shares.warm).toBeLessThan(0.85);
    expect(shares.seen).toBeGreaterThan(0.64);
    expect(shares.seen).toBeLessThan(0.88);
    expect(shares.repeat).toBeGreaterThan(0.15);
    expect(shares.repeat).toBeLessThan(shares.seen);
    // Discovery follows persistent tastes: most of it lands in the user's top training categories.
    expect(shares.tasteOfDiscovery).toBeGreaterThan(0.5);
    console.log(`default data test-day shares: ${JSON.stringify(shares)}`);
  });

  it('keeps the same shares under other seeds', () => {
    for (const seed of [1, 2]) {
      const shares = testDayShares(createDefaultEventStore({ seed }));
      expect(shares.warm).toBeGreaterThan(0.5);
      expect(shares.warm).toBeLessThan(0.85);
      expect(shares.seen).toBeGreaterThan(0.64);
      expect(shares.seen).toBeLessThan(0.88);
    }
  });
});
