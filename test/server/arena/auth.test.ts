import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isRecGymError } from '../../../src/core/errors.js';
import { Auth, cookie, parseCookies, sameToken } from '../../../src/server/arena/auth.js';
import { ArenaDb } from '../../../src/server/arena/db.js';
import { hashPassword, verifyPassword } from '../../../src/server/arena/password.js';
import { LoginThrottle } from '../../../src/server/arena/throttle.js';
import { runCli } from '../../helpers/collecting-io.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'recgym-arena-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('password', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
  });

  it('never matches a malformed hash', async () => {
    for (const bad of ['', 'plain', 'scrypt$x$8$1$aa$bb', 'scrypt$16384$8$1$AAAA$AA', 'bcrypt$16384$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      expect(await verifyPassword('anything', bad)).toBe(false);
    }
  });
});

describe('LoginThrottle', () => {
  it('locks a key after maxFailures within the window, doubling per further failure', () => {
    const t = new LoginThrottle({ maxFailures: 3, windowMs: 1000, lockMs: 100, maxLockMs: 1000 });
    t.fail('k', 0);
    t.fail('k', 1);
    expect(t.retryAfterMs('k', 2)).toBe(0);
    t.fail('k', 2);
    expect(t.retryAfterMs('k', 2)).toBe(100);
    t.fail('k', 102);
    expect(t.retryAfterMs('k', 102)).toBe(200);
    expect(t.retryAfterMs('other', 102)).toBe(0);
    t.succeed('k');
    expect(t.retryAfterMs('k', 103)).toBe(0);
  });

  it('refuses bad options', () => {
    expect(() => new LoginThrottle({ maxFailures: 0 })).toThrow('expected maxFailures to be an integer >= 1, actual 0');
  });
});

describe('Auth', () => {
  it('registers, logs in, finds the session by its cookie token, logs out', async () => {
    const db = new ArenaDb(':memory:');
    const auth = new Auth(db);
    const user = await auth.register('alice', 'password1', 'user', 1000);
    expect(user).toEqual({ id: 1, name: 'alice', role: 'user', createdMs: 1000 });
    const login = await auth.login('alice', 'password1', '127.0.0.1', 2000);
    if (!login.ok) throw new Error('expected a login');
    expect(auth.session(login.token, 3000)?.user.name).toBe('alice');
    expect(auth.session(login.token, 2000 + auth.sessionMs)).toBeUndefined();
    expect(auth.session(`${login.token}x`, 3000)).toBeUndefined();
    // The db holds the token's hash, never the token.
    expect(JSON.stringify(db.connection.prepare('SELECT * FROM sessions').all())).not.toContain(login.token);
    auth.logout(login.session);
    expect(auth.session(login.token, 3000)).toBeUndefined();
    db.close();
  });

  it('refuses taken names and bad credentials with the field named', async () => {
    const auth = new Auth(new ArenaDb(':memory:'));
    await auth.register('alice', 'password1', 'user', 0);
    await expect(auth.register('alice', 'password2', 'user', 0)).rejects.toThrow('user name: expected a free name, actual "alice" is taken');
    await expect(auth.register('a', 'password2', 'user', 0)).rejects.toThrow(/^name: expected 3 to 32/);
    await expect(auth.register('bob', 'short', 'user', 0)).rejects.toThrow('password: expected 8 to 256 characters, actual 5');
    await auth.register('bob', 'password2', 'user', 0).catch((e) => expect(isRecGymError(e)).toBe(true));
  });

  it('throttles failed logins per name, even for the right password', async () => {
    const auth = new Auth(new ArenaDb(':memory:'), { throttle: { maxFailures: 2, lockMs: 60_000 } });
    await auth.register('alice', 'password1', 'user', 0);
    expect(await auth.login('alice', 'wrong-one', 'a', 0)).toEqual({ ok: false, reason: 'wrong' });
    expect(await auth.login('alice', 'wrong-two', 'c', 0)).toEqual({ ok: false, reason: 'wrong' });
    expect(await auth.login('alice', 'password1', 'b', 1)).toEqual({ ok: false, reason: 'throttled', retryAfterMs: 59_999 });
    expect((await auth.login('alice', 'password1', 'b', 60_001)).ok).toBe(true);
    // Per address too: two failures from one address lock it for every name.
    await auth.login('x1', 'wrong-one', 'd', 0);
    await auth.login('x2', 'wrong-one', 'd', 0);
    expect(await auth.login('alice', 'password1', 'd', 1)).toMatchObject({ ok: false, reason: 'throttled' });
  });
});

describe('cookies and tokens', () => {
  it('parses a cookie header and writes httpOnly SameSite cookies', () => {
    expect([...parseCookies('a=1; b = 2;c=x=y; a=3')]).toEqual([['a', '1'], ['b', '2'], ['c', 'x=y']]);
    expect(cookie('s', 'v', 60, false)).toBe('s=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60');
    expect(cookie('s', 'v', 60, true)).toContain('; Secure');
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('abc', 'ab')).toBe(false);
    expect(sameToken('abc', undefined)).toBe(false);
  });
});

describe('ArenaDb', () => {
  it('is in WAL mode, stores impressions and events, and keeps them across a reopen', () => {
    const path = join(tempDir(), 'arena.db');
    const db = new ArenaDb(path);
    expect(db.connection.pragma('journal_mode', { simple: true })).toBe('wal');
    const shopper = db.simulatedShopper(42);
    expect(db.simulatedShopper(42)).toBe(shopper);
    const impression = db.addImpression({
      shopper,
      timeMs: 5,
      items: [
        { item: 7, category: 1, team: 'a', propensity: 0.5 },
        { item: 8, category: 2, team: 'b', propensity: 0.25 },
      ],
      outcomes: [
        { policy: 'a', latencyMs: 1, isMissed: false },
        { policy: 'b', latencyMs: 101, isMissed: true },
      ],
    });
    expect(db.addEvents([{ shopper, impression, item: 8, category: 2, behavior: 1, team: 'b', timeMs: 6 }])).toEqual([1]);
    db.close();
    const again = new ArenaDb(path);
    expect(again.impressionItems(impression)).toEqual([
      { item: 7, category: 1, team: 'a', propensity: 0.5, shopper },
      { item: 8, category: 2, team: 'b', propensity: 0.25, shopper },
    ]);
    expect([...again.events()]).toEqual([{ id: 1, shopper, kind: 'simulated', item: 8, category: 2, behavior: 1, timeMs: 6 }]);
    expect(again.integrityCheck()).toBe('ok');
    again.close();
    again.close();
  });

  it('refuses an event of a behaviour outside 1..4 and a file that is not a database', () => {
    const db = new ArenaDb(':memory:');
    const shopper = db.simulatedShopper(1);
    expect(() => db.addEvents([{ shopper, impression: null, item: 1, category: 1, behavior: 5, team: null, timeMs: 0 }])).toThrow(/CHECK constraint/);
    expect(db.counts().events).toBe(0);
    const path = join(tempDir(), 'not.db');
    writeFileSync(path, 'this is not sqlite at all, just some text that is long enough to be read');
    expect(() => new ArenaDb(path)).toThrow(/^--db .*not\.db: expected a writable SQLite database, actual/);
  });
});

describe('recgym admin create', () => {
  it('creates an admin, promotes an existing user given their password, refuses a wrong one', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'arena.db');
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'admin-password\n');
    const created = await runCli(['admin', 'create', '--db', dbPath, '--name', 'root', '--password-file', pw]);
    expect(created).toMatchObject({ code: 0, stdout: `admin root created (id 1) in ${dbPath}\n` });
    const db = new ArenaDb(dbPath);
    await new Auth(db).register('carol', 'carol-password', 'user', 0);
    db.close();
    writeFileSync(pw, 'wrong-password\n');
    const refused = await runCli(['admin', 'create', '--db', dbPath, '--name', 'carol', '--password-file', pw]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the user exists; expected their password');
    writeFileSync(pw, 'carol-password\n');
    expect((await runCli(['admin', 'create', '--db', dbPath, '--name', 'carol', '--password-file', pw])).stdout).toBe('user carol (id 2) is now an admin\n');
    const missing = await runCli(['admin', 'create', '--db', dbPath, '--name', 'x']);
    expect(missing.code).toBe(2);
  });
});
