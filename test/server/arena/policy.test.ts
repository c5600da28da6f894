import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { SessionLog } from '../../../src/data/session-log.js';
import { Health } from '../../../src/server/arena/health.js';
import { type Policy, type RankRequest, rankWithDeadline, topItems } from '../../../src/server/arena/policy.js';
import { fixture } from './helpers.js';

describe('topItems', () => {
  it('returns the best items in order, NaN last, ties broken by the seeded key', () => {
    const scores = Float64Array.of(0.1, 0.9, Number.NaN, 0.5, 0.9, 0.3);
    const first = topItems(scores, 3, createRng(1));
    expect(first.slice(2)).toEqual([3]);
    expect([...first.slice(0, 2)].sort()).toEqual([1, 4]);
    expect(topItems(scores, 3, createRng(1))).toEqual(first);
    const orders = new Set(Array.from({ length: 20 }, (_, seed) => topItems(scores, 2, createRng(seed)).join(',')));
    expect(orders).toEqual(new Set(['1,4', '4,1']));
    expect(topItems(scores, 10, createRng(0))).toHaveLength(6);
    expect(topItems(scores, 10, createRng(0))[5]).toBe(2);
  });
});

describe('rankWithDeadline', () => {
  const control: Policy = { name: 'control', origin: 'built-in', rank: async () => [7, 8] };
  async function request(): Promise<RankRequest> {
    const { store } = await fixture();
    return { log: new SessionLog(store, 1, 4), row: 0, time: 0, size: 2, kind: 'human' };
  }

  it("keeps an answer in time, and takes the control's for a late or failed one", async () => {
    const fast: Policy = { name: 'fast', origin: 'built-in', rank: async () => [1, 2] };
    const slow: Policy = { name: 'slow', origin: 'external', rank: () => new Promise((resolve) => setTimeout(() => resolve([3, 4]), 200)) };
    const failing: Policy = { name: 'failing', origin: 'external', rank: async () => Promise.reject(new Error('boom')) };
    const r = await request();
    expect(await rankWithDeadline(fast, control, r, 50)).toMatchObject({ ranking: [1, 2], isMissed: false });
    const late = await rankWithDeadline(slow, control, r, 20);
    expect(late).toMatchObject({ ranking: [7, 8], isMissed: true });
    expect(late.latencyMs).toBeGreaterThanOrEqual(19);
    expect(await rankWithDeadline(failing, control, r, 50)).toMatchObject({ ranking: [7, 8], isMissed: true });
  });

  it('counts a synchronous policy that took longer than the deadline as a miss', async () => {
    let clock = 0;
    const blocking: Policy = {
      name: 'blocking',
      origin: 'built-in',
      rank: async () => {
        clock += 150;
        return [1, 2];
      },
    };
    expect(await rankWithDeadline(blocking, control, await request(), 100, () => clock)).toEqual({ ranking: [7, 8], latencyMs: 150, isMissed: true });
  });
});

describe('Health', () => {
  it('gives messages/s over the last full seconds, the nearest-rank p99 and misses per policy', () => {
    const health = new Health(2, 100);
    for (let k = 0; k < 6; k++) health.message(1000 + k * 100);
    for (let k = 0; k < 4; k++) health.message(2000 + k * 100);
    expect(health.messagesPerSecond(3000)).toBe(5);
    expect(health.messagesPerSecond(10_000)).toBe(0);
    expect(health.p99Ms()).toBeNull();
    for (let ms = 1; ms <= 100; ms++) health.latency(ms);
    expect(health.p99Ms()).toBe(99);
    health.policyRequest('a', false);
    health.policyRequest('a', true);
    expect(health.deadlineMisses()).toEqual([{ policy: 'a', requests: 2, misses: 1 }]);
  });
});
