import { describe, expect, it } from 'vitest';
import type { BehaviorCode } from '../../src/data/behavior.js';
import type { EventSink } from '../../src/data/event-store.js';
import { parseDay } from '../../src/data/split.js';
import { generateShopperLog, poisson } from '../../src/sim/shopper-log.js';
import { createRng } from '../../src/core/rng.js';

/** Records every appended event as flat numbers. */
class RecordingSink implements EventSink {
  readonly rows: number[][] = [];
  append(user: number, item: number, category: number, behavior: BehaviorCode, time: number): void {
    this.rows.push([user, item, category, behavior, time]);
  }
}

function record(options: Parameters<typeof generateShopperLog>[0]) {
  const sink = new RecordingSink();
  const summary = generateShopperLog(options, sink);
  return { rows: sink.rows, summary };
}

const SMALL = { users: 300, days: 10, items: 800, categories: 20, seed: 5 };

describe('generateShopperLog', () => {
  it('gives the same events for the same seed and different events for another seed', () => {
    const a = record(SMALL);
    const b = record(SMALL);
    const c = record({ ...SMALL, seed: 6 });
    expect(a.rows.length).toBeGreaterThan(1000);
    expect(b.rows).toEqual(a.rows);
    expect(b.summary).toEqual(a.summary);
    expect(c.rows).not.toEqual(a.rows);
  });

  it('keeps the first shoppers of a population when more shoppers are added', () => {
    const few = record({ ...SMALL, users: 20 }).rows;
    const many = record({ ...SMALL, users: 40 }).rows;
    expect(many.slice(0, few.length)).toEqual(few);
  });

  it('summarises what it appended', () => {
    const { rows, summary } = record(SMALL);
    expect(summary.events).toBe(rows.length);
    expect(summary.users).toBe(new Set(rows.map((r) => r[0])).size);
    expect(summary.items).toBe(new Set(rows.map((r) => r[1])).size);
    expect(summary.categories).toBe(new Set(rows.map((r) => r[2])).size);
    const b = summary.behaviors;
    expect(b.click + b.favorite + b.cart + b.purchase).toBe(rows.length);
    expect(b.purchase).toBe(rows.filter((r) => r[3] === 4).length);
    expect(summary.firstTime).toBe(Math.min(...rows.map((r) => r[4])));
    expect(summary.lastTime).toBe(Math.max(...rows.map((r) => r[4])));
  });

  it('keeps every event inside the requested days and each shopper in time order', () => {
    const { rows } = record({ ...SMALL, start: '2015-02-27', days: 3 });
    const first = parseDay('2015-02-27') * 86_400;
    for (let i = 0; i < rows.length; i++) {
      const [user, , , behavior, time] = rows[i];
      expect(time).toBeGreaterThanOrEqual(first);
      expect(time).toBeLessThan(first + 3 * 86_400);
      expect([1, 2, 3, 4]).toContain(behavior);
      if (i > 0 && rows[i - 1][0] === user) expect(time).toBeGreaterThanOrEqual(rows[i - 1][4]);
    }
  });

  it('gives every item one category', () => {
    const { rows } = record(SMALL);
    const categoryOf = new Map<number, number>();
    for (const [, item, category] of rows) {
      expect(categoryOf.get(item) ?? category).toBe(category);
      categoryOf.set(item, category);
    }
  });

  it('follows a funnel with roughly Taobao proportions', () => {
    const { summary } = record({ ...SMALL, users: 1500, days: 31 });
    const share = (n: number) => n / summary.events;
    expect(share(summary.behaviors.click)).toBeGreaterThan(0.87);
    expect(share(summary.behaviors.click)).toBeLessThan(0.92);
    expect(Math.abs(share(summary.behaviors.cart) - 0.055)).toBeLessThan(0.01);
    expect(Math.abs(share(summary.behaviors.favorite) - 0.029)).toBeLessThan(0.007);
    expect(Math.abs(share(summary.behaviors.purchase) - 0.02)).toBeLessThan(0.006);
  });

  it('precedes every favourite, cart and purchase by a click on the item within the hour', () => {
    const { rows } = record(SMALL);
    const lastClick = new Map<string, number>();
    for (const [user, item, , behavior, time] of rows) {
      const key = `${user}:${item}`;
      if (behavior === 1) lastClick.set(key, time);
      else {
        const clicked = lastClick.get(key);
        expect(clicked).toBeDefined();
        expect(time - (clicked as number)).toBeLessThan(3600);
      }
    }
  });

  it('is quiet at night and busiest in the evening', () => {
    const { rows } = record({ ...SMALL, users: 1000 });
    const hours = new Array(24).fill(0);
    for (const row of rows) hours[Math.floor(row[4] / 3600) % 24]++;
    const night = hours[2] + hours[3] + hours[4] + hours[5];
    const evening = hours[19] + hours[20] + hours[21] + hours[22];
    expect(evening).toBeGreaterThan(4 * night);
    expect(hours.indexOf(Math.max(...hours))).toBeGreaterThanOrEqual(19);
  });

  it('adds new items to the catalogue over time', () => {
    const { rows } = record(SMALL);
    const firstDayOf = new Map<number, number>();
    for (const [, item, , , time] of rows) {
      const day = Math.floor(time / 86_400);
      if (!firstDayOf.has(item) || (firstDayOf.get(item) as number) > day) firstDayOf.set(item, day);
    }
    const days = [...firstDayOf.values()];
    const lastDay = Math.max(...days);
    expect(days.filter((d) => d === lastDay).length).toBeGreaterThan(10);
  });

  it('rejects bad options with a RecGymError', () => {
    expect(() => generateShopperLog({ users: -1 }, new RecordingSink())).toThrow(/users/);
  });
});

describe('poisson', () => {
  it('has the requested mean for small and large means', () => {
    const rng = createRng(2);
    for (const mean of [0.6, 4, 50]) {
      let sum = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) sum += poisson(mean, rng);
      expect(Math.abs(sum / n - mean)).toBeLessThan(0.05 * mean);
    }
    expect(poisson(0, rng)).toBe(0);
  });
});
