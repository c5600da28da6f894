import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/server/rate-limit.js';

describe('RateLimiter', () => {
  describe('#admit', () => {
    it('admits a burst of one second of messages, then one every 1 / rate seconds; a refused message costs nothing', () => {
      const limiter = new RateLimiter({ messagesPerSec: 4 }, 0);
      expect([1, 2, 3, 4, 5].map(() => limiter.admit(10, 0))).toEqual([0, 0, 0, 0, 250]);
      expect(limiter.admit(10, 100)).toBe(150);
      expect(limiter.admit(10, 249)).toBeCloseTo(1, 9);
      expect(limiter.admit(10, 250)).toBe(0);
      expect(limiter.admit(10, 250)).toBe(250);
      // a long pause refills to the burst, no more
      expect([1, 2, 3, 4, 5].map(() => limiter.admit(10, 60_000))).toEqual([0, 0, 0, 0, 250]);
    });

    it('limits bytes, lets a frame over a second of bytes pass on a full bucket and makes the next ones wait for the debt', () => {
      const limiter = new RateLimiter({ bytesPerSec: 1000 }, 0);
      expect(limiter.admit(600, 0)).toBe(0);
      expect(limiter.admit(600, 0)).toBe(200);
      expect(limiter.admit(600, 200)).toBe(0);
      expect(limiter.admit(3000, 200)).toBe(1000);
      expect(limiter.admit(3000, 1200)).toBe(0);
      expect(limiter.admit(1, 1200)).toBe(2001);
    });

    it('waits for the slower of both buckets', () => {
      const limiter = new RateLimiter({ messagesPerSec: 100, bytesPerSec: 100 }, 0);
      expect(limiter.admit(100, 0)).toBe(0);
      expect(limiter.admit(1, 0)).toBe(10);
    });

    it('refuses rates that are not positive numbers', () => {
      expect(() => new RateLimiter({ messagesPerSec: 0 }, 0)).toThrow('RateLimiter: expected messagesPerSec > 0, actual 0');
      expect(() => new RateLimiter({ bytesPerSec: Number.NaN }, 0)).toThrow('RateLimiter: expected bytesPerSec > 0, actual NaN');
      expect(RateLimiter.isLimited({})).toBe(false);
    });
  });
});
