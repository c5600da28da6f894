import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArenaDb } from '../../../src/server/arena/db.js';
import { startArenaProcess } from './arena-process.js';
import { WebClient } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-arena-fault-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recgym arena under kill -9', () => {
  it('keeps every acknowledged event and a sound db when killed during a stream of events', async () => {
    const db = join(dir, 'fault.db');
    const args = ['--db', db, '--simulated', '8', '--pace-ms', '0', '--user-rate', '100000'];
    const first = await startArenaProcess(args);
    const acknowledged: number[] = [];
    try {
      const web = new WebClient(first.url);
      expect((await web.register('olga', 'olga-password')).status).toBe(303);
      const csrf = await web.token('/');
      const stream = (async () => {
        for (;;) {
          const slate = (await (await web.request('/api/slate')).json()) as { impression: number; items: Array<{ itemId: number }> };
          for (const item of slate.items.slice(0, 3)) {
            const ack = await web.event(slate.impression, item.itemId, 1, csrf);
            if (ack.status === 200) acknowledged.push(((await ack.json()) as { eventId: number }).eventId);
          }
        }
      })().catch(() => undefined);
      while (acknowledged.length < 60) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await first.stop('SIGKILL')).toBeNull();
      await stream;
    } finally {
      await first.stop('SIGKILL');
    }
    const after = new ArenaDb(db);
    try {
      expect(after.integrityCheck()).toBe('ok');
      const stored = new Set(after.connection.prepare('SELECT id FROM events').pluck().all() as number[]);
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      expect(after.counts().events).toBeGreaterThan(acknowledged.length);
    } finally {
      after.close();
    }
    // The arena starts again on the db it left and continues its figures.
    const second = await startArenaProcess(args);
    try {
      const web = new WebClient(second.url);
      expect((await web.login('olga', 'olga-password')).status).toBe(303);
      const figures = (await (await web.request('/api/figures')).json()) as { human: { events: number } };
      expect(figures.human.events).toBeGreaterThanOrEqual(acknowledged.length);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
