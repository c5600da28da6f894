import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/server/arena/policy.js';
import { fixture, testArena, WebClient } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-arena-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('arena over HTTP', () => {
  it('registers, logs in, shows a slate, acknowledges a committed event and credits its team', async () => {
    const { arena, lines } = await testArena();
    try {
      const web = new WebClient(arena.httpUrl);
      const registered = await web.register('alice', 'alice-password');
      expect(registered.status).toBe(303);
      expect(web.cookies.has('recgym_session')).toBe(true);
      const csrf = await web.token('/');
      const slate = (await (await web.request('/api/slate')).json()) as { impression: number; items: Array<{ itemId: number; team?: string }> };
      expect(slate.items).toHaveLength(10);
      expect(slate.items[0].team).toBeUndefined();
      expect((await web.event(slate.impression, slate.items[2].itemId, 1)).status).toBe(403);
      expect((await web.event(slate.impression, slate.items[2].itemId, 1, 'forged')).status).toBe(403);
      expect((await web.event(slate.impression, 999_999_999, 1, csrf)).status).toBe(400);
      expect((await web.event(slate.impression, slate.items[2].itemId, 7, csrf)).status).toBe(400);
      const ack = await web.event(slate.impression, slate.items[2].itemId, 1, csrf);
      expect(ack.status).toBe(200);
      const { eventId } = (await ack.json()) as { eventId: number };
      // Acknowledged means committed: the row is in the db.
      expect(arena.arena.db.connection.prepare('SELECT team FROM events WHERE id = ?').pluck().get(eventId)).toEqual(
        arena.arena.db.impressionItems(slate.impression)[2].team,
      );
      const figures = (await (await web.request('/api/figures')).json()) as { human: { impressions: number; events: number; pairs: Array<{ winsA: number; winsB: number }> }; simulated: { impressions: number } };
      expect(figures.human).toMatchObject({ impressions: 1, events: 1 });
      expect(figures.human.pairs[0].winsA + figures.human.pairs[0].winsB).toBe(1);
      expect(figures.simulated.impressions).toBe(0);
      expect((await web.request('/api/slate', { method: 'POST' })).status).toBe(405);
      expect((await web.request('/api/event')).status).toBe(405);
      expect((await web.request('/nowhere')).status).toBe(404);
      // Another user cannot act on alice's impression.
      const bob = new WebClient(arena.httpUrl);
      await bob.register('bob', 'bob-password');
      expect((await bob.event(slate.impression, slate.items[2].itemId, 1, await bob.token('/'))).status).toBe(400);
      const text = JSON.stringify(lines);
      expect(text).not.toContain('alice-password');
      expect(text).not.toContain(web.cookies.get('recgym_session'));
      expect(text).not.toContain(csrf);
    } finally {
      await arena.close();
    }
  });

  it('credits an event on an impression no longer held in memory (read back from the db)', async () => {
    const { arena } = await testArena({ liveImpressions: 1 });
    try {
      const web = new WebClient(arena.httpUrl);
      await web.register('jack', 'jack-password');
      const csrf = await web.token('/');
      const first = (await (await web.request('/api/slate')).json()) as { impression: number; items: Array<{ itemId: number }> };
      await web.request('/api/slate');
      await web.request('/api/slate');
      expect((await web.event(first.impression, first.items[0].itemId, 1, csrf)).status).toBe(200);
      expect((await web.event(first.impression, first.items[0].itemId, 3, csrf)).status).toBe(200);
      const figures = arena.arena.figures();
      expect(figures.human.impressions).toBe(3);
      expect(figures.human.pairs[0].winsA + figures.human.pairs[0].winsB).toBe(1);
      const team = arena.arena.db.impressionItems(first.impression)[0].team;
      const rates = figures.human.rates.find((r) => r.policy === team);
      expect(rates?.shown).toBeGreaterThan(0);
      expect(rates?.clickRate).toBeCloseTo(1 / (rates?.shown ?? 1), 12);
      expect(rates?.cartRate).toBeCloseTo(1 / (rates?.shown ?? 1), 12);
    } finally {
      await arena.close();
    }
  });

  it('throttles failed logins with 429 and Retry-After', async () => {
    const { arena } = await testArena({ throttle: { maxFailures: 3, lockMs: 60_000 } });
    try {
      const web = new WebClient(arena.httpUrl);
      await web.register('carol', 'carol-password');
      const other = new WebClient(arena.httpUrl);
      for (let k = 0; k < 3; k++) expect((await other.login('carol', 'wrong-password')).status).toBe(401);
      const locked = await other.login('carol', 'carol-password');
      expect(locked.status).toBe(429);
      expect(locked.headers.get('retry-after')).toBe('60');
      expect(other.cookies.has('recgym_session')).toBe(false);
    } finally {
      await arena.close();
    }
  });

  it('limits the slates and events of one user per second with 429 and Retry-After', async () => {
    const { arena } = await testArena({ userRequestsPerSec: 2 });
    try {
      const web = new WebClient(arena.httpUrl);
      await web.register('ivan', 'ivan-password');
      const statuses = [];
      for (let k = 0; k < 3; k++) statuses.push((await web.request('/api/slate')).status);
      expect(statuses).toEqual([200, 200, 429]);
      const refused = await web.request('/api/slate');
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(((await refused.json()) as { message: string }).message).toMatch(/^rate: expected at most 2 slates and events a second, actual more/);
    } finally {
      await arena.close();
    }
  });

  it('refuses forms without the form token and posts from another origin', async () => {
    const { arena } = await testArena();
    try {
      const web = new WebClient(arena.httpUrl);
      await web.token('/');
      expect((await web.form('/register', { csrf: 'nope', name: 'dave', password: 'dave-password' })).status).toBe(403);
      const foreign = await web.request('/register', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
        body: new URLSearchParams({ csrf: await web.token('/'), name: 'dave', password: 'dave-password' }).toString(),
      });
      expect(foreign.status).toBe(403);
      expect(arena.arena.db.userByName('dave')).toBeUndefined();
    } finally {
      await arena.close();
    }
  });

  it('refuses the admin routes to visitors (401) and users (403), serves them to admins', async () => {
    const { arena, lines } = await testArena();
    try {
      await arena.auth.register('root', 'root-password', 'admin', 0);
      const visitor = new WebClient(arena.httpUrl);
      expect((await visitor.request('/admin')).status).toBe(401);
      expect((await visitor.request('/api/admin')).status).toBe(401);
      const user = new WebClient(arena.httpUrl);
      await user.register('erin', 'erin-password');
      expect((await user.request('/admin')).status).toBe(403);
      expect((await user.request('/api/admin')).status).toBe(403);
      const admin = new WebClient(arena.httpUrl);
      expect((await admin.login('root', 'root-password')).status).toBe(303);
      const page = await admin.request('/admin');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<td>erin</td>');
      expect(html).not.toContain('scrypt$');
      const data = (await (await admin.request('/api/admin')).json()) as { users: unknown[]; health: { connections: number } };
      expect(data.users).toHaveLength(2);
      expect(JSON.stringify(data)).not.toContain('scrypt$');
      expect(JSON.stringify(lines)).not.toContain('root-password');
    } finally {
      await arena.close();
    }
  });

  it('replaces a policy that misses its deadline by the control policy and counts the miss', async () => {
    const { policies } = await fixture();
    const slow: Policy = {
      name: 'slow',
      origin: 'built-in',
      rank: (request) => new Promise((resolve) => setTimeout(() => resolve(policies[1].rank(request)), 150)),
    };
    const { arena } = await testArena({ policies: [policies[0], slow], deadlineMs: 30 });
    try {
      const web = new WebClient(arena.httpUrl);
      await web.register('frank', 'frank-password');
      const slate = (await (await web.request('/api/slate')).json()) as { impression: number; items: unknown[] };
      expect(slate.items).toHaveLength(10);
      const outcomes = arena.arena.db.impressions()[0].outcomes;
      expect(outcomes.find((o) => o.policy === 'slow')).toMatchObject({ isMissed: true });
      expect(outcomes.find((o) => o.policy === 'popularity')).toMatchObject({ isMissed: false });
      expect(arena.arena.health.deadlineMisses().find((m) => m.policy === 'slow')).toEqual({ policy: 'slow', requests: 1, misses: 1 });
    } finally {
      await arena.close();
    }
  });

  it('keeps users, events and figures across a restart on the same db', async () => {
    const db = join(dir, 'restart.db');
    const first = await testArena({ db });
    const web = new WebClient(first.arena.httpUrl);
    await web.register('gina', 'gina-password');
    const csrf = await web.token('/');
    const slate = (await (await web.request('/api/slate')).json()) as { impression: number; items: Array<{ itemId: number }> };
    expect((await web.event(slate.impression, slate.items[0].itemId, 4, csrf)).status).toBe(200);
    const before = first.arena.arena.figures();
    await first.arena.close();
    const second = await testArena({ db });
    try {
      const again = new WebClient(second.arena.httpUrl);
      expect((await again.login('gina', 'gina-password')).status).toBe(303);
      const after = second.arena.arena.figures();
      expect(after.human.impressions).toBe(1);
      expect(after.human.events).toBe(1);
      expect(after.human.pairs).toEqual(before.human.pairs);
      expect(after.human.rates).toEqual(before.human.rates);
      expect(second.arena.arena.db.integrityCheck()).toBe('ok');
    } finally {
      await second.arena.close();
    }
  });
});

describe('external policies over the protocol (1.2)', () => {
  it('registers a websocket client as a policy that answers recommend requests; a late answer is a miss; leaving withdraws it', async () => {
    const { openClient } = await import('../helpers.js');
    const { PROTOCOL_VERSION } = await import('../../../src/server/protocol.js');
    const { arena } = await testArena({ deadlineMs: 200, teamsPerImpression: 3 });
    const agent = await openClient(arena.server.url);
    try {
      expect(await agent.request({ type: 'hello', protocol: PROTOCOL_VERSION })).toMatchObject({ type: 'welcome' });
      expect(await agent.request({ type: 'registerPolicy', name: 'popularity' })).toMatchObject({ type: 'error', code: 'RECGYM_ERR_POLICY_REFUSED' });
      expect(await agent.request({ type: 'registerPolicy', name: 'remote' })).toMatchObject({ type: 'policyRegistered', name: 'remote', deadlineMs: 200, slateSize: 10 });
      expect(await agent.request({ type: 'registerPolicy', name: 'again' })).toMatchObject({ type: 'error', code: 'RECGYM_ERR_POLICY_REFUSED' });
      expect(arena.arena.policies.map((p) => p.name)).toEqual(['popularity', 'recent', 'remote']);
      const web = new WebClient(arena.httpUrl);
      await web.register('hana', 'hana-password');
      // The remote agent always ranks the same two items (raw ids of the data).
      const wanted = [arena.arena.store.itemIds.rawOf(5), arena.arena.store.itemIds.rawOf(6)];
      const slatePromise = web.request('/api/slate');
      const recommend = (await agent.next()) as unknown as { type: string; id: null; requestId: string; shopperKind: string; size: number; history: unknown[] };
      expect(recommend).toMatchObject({ type: 'recommend', id: null, shopperKind: 'human', size: 10, history: [] });
      expect(await agent.request({ type: 'recommendation', requestId: recommend.requestId, items: wanted })).toMatchObject({ type: 'recommendationAccepted', isLate: false });
      const slate = (await (await slatePromise).json()) as { impression: number; items: Array<{ itemId: number }> };
      const remoteItems = arena.arena.db.impressionItems(slate.impression).filter((i) => i.team === 'remote').map((i) => i.item);
      expect(remoteItems.length).toBeGreaterThan(0);
      for (const item of remoteItems) expect(wanted).toContain(item);
      expect(await agent.request({ type: 'recommendation', requestId: 'nope', items: [] })).toMatchObject({ type: 'error', code: 'RECGYM_ERR_POLICY_REFUSED' });
      // An answer after the deadline: the control stood in, the miss is counted.
      const late = web.request('/api/slate');
      const second = (await agent.next()) as unknown as { requestId: string };
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await agent.request({ type: 'recommendation', requestId: second.requestId, items: wanted })).toMatchObject({ type: 'recommendationAccepted', isLate: true });
      await late;
      expect(arena.arena.health.deadlineMisses().find((m) => m.policy === 'remote')).toEqual({ policy: 'remote', requests: 2, misses: 1 });
      await agent.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(arena.arena.policies.map((p) => p.name)).toEqual(['popularity', 'recent']);
      expect(arena.arena.figures().policies).toContain('remote');
    } finally {
      await arena.close();
    }
  });
});
