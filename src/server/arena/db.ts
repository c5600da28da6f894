import Database from 'better-sqlite3';
import { ErrorCode, RecGymError } from '../../core/errors.js';

/** A role of a registered user. */
export type Role = 'user' | 'admin';

/** Who a shopper of the arena is: a registered person in the browser, or a simulated shopper. */
export type ShopperKind = 'human' | 'simulated';

/** A registered user as stored. */
export interface UserRow {
  readonly id: number;
  readonly name: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly createdMs: number;
}

/** One shown item of an impression: its position, the policy (team) that put it there and the chance it had of being there. */
export interface ShownItem {
  /** The store's raw item id. */
  readonly item: number;
  readonly category: number;
  readonly team: string;
  readonly propensity: number;
}

/** What each policy of an impression did: answered in time, or missed its deadline (its control took its place). */
export interface PolicyOutcome {
  readonly policy: string;
  readonly latencyMs: number;
  readonly isMissed: boolean;
}

/** An impression to store. */
export interface NewImpression {
  readonly shopper: number;
  readonly timeMs: number;
  readonly items: readonly ShownItem[];
  readonly outcomes: readonly PolicyOutcome[];
}

/** An event to store: a behaviour on an item, credited to the team that showed it (null: not from a slate). */
export interface NewEvent {
  readonly shopper: number;
  readonly impression: number | null;
  readonly item: number;
  readonly category: number;
  readonly behavior: number;
  readonly team: string | null;
  readonly timeMs: number;
}

/** An event as exported: shopper, raw item, category, behaviour, time. */
export interface EventRow {
  readonly id: number;
  readonly shopper: number;
  readonly kind: ShopperKind;
  readonly item: number;
  readonly category: number;
  readonly behavior: number;
  readonly timeMs: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'admin')),
  created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS shoppers (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('human', 'simulated')),
  user_id INTEGER UNIQUE REFERENCES users(id),
  sim_user INTEGER,
  UNIQUE (kind, sim_user)
);
CREATE TABLE IF NOT EXISTS impressions (
  id INTEGER PRIMARY KEY,
  shopper_id INTEGER NOT NULL REFERENCES shoppers(id),
  time_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS impression_items (
  impression_id INTEGER NOT NULL REFERENCES impressions(id),
  position INTEGER NOT NULL,
  item INTEGER NOT NULL,
  category INTEGER NOT NULL,
  team TEXT NOT NULL,
  propensity REAL NOT NULL,
  PRIMARY KEY (impression_id, position)
);
CREATE TABLE IF NOT EXISTS impression_policies (
  impression_id INTEGER NOT NULL REFERENCES impressions(id),
  policy TEXT NOT NULL,
  latency_ms REAL NOT NULL,
  missed INTEGER NOT NULL,
  PRIMARY KEY (impression_id, policy)
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  shopper_id INTEGER NOT NULL REFERENCES shoppers(id),
  impression_id INTEGER REFERENCES impressions(id),
  item INTEGER NOT NULL,
  category INTEGER NOT NULL,
  behavior INTEGER NOT NULL CHECK (behavior BETWEEN 1 AND 4),
  team TEXT,
  time_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_shopper ON events (shopper_id, id);
CREATE INDEX IF NOT EXISTS events_by_impression ON events (impression_id);
`;

/** The schema's version, kept in `meta`; a db of another version is refused. */
export const ARENA_SCHEMA_VERSION = '1';

/**
 * The arena's SQLite database (better-sqlite3, WAL): users and their login sessions, shoppers
 * (human or simulated), impressions with each shown item's team and propensity, and events. Every
 * write is one transaction that has committed when the method returns, so a caller acknowledges
 * only stored events. `synchronous = NORMAL`: a committed transaction survives the process being
 * killed; a power cut may lose the last ones (`FULL` with `durability: 'power'`).
 */
export class ArenaDb {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #insertImpression: Database.Statement;
  readonly #insertItem: Database.Statement;
  readonly #insertOutcome: Database.Statement;
  readonly #insertEvent: Database.Statement;
  readonly #storeImpression: (impression: NewImpression) => number;
  readonly #storeEvents: (events: readonly NewEvent[]) => number[];

  /** Opens (or creates) the db at `path` (`:memory:` for a private one). */
  constructor(path: string, options: { durability?: 'process' | 'power' } = {}) {
    this.path = path;
    try {
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${options.durability === 'power' ? 'FULL' : 'NORMAL'}`);
      this.#db.pragma('foreign_keys = ON');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.exec(SCHEMA);
    } catch (error) {
      throw new RecGymError(ErrorCode.BAD_OPTION, `--db ${path}: expected a writable SQLite database, actual ${(error as Error).message}`, { cause: error });
    }
    const version = this.#db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('schema') as string | undefined;
    if (version === undefined) this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', ARENA_SCHEMA_VERSION);
    else if (version !== ARENA_SCHEMA_VERSION) {
      this.#db.close();
      throw new RecGymError(ErrorCode.BAD_OPTION, `--db ${path}: expected arena schema ${ARENA_SCHEMA_VERSION}, actual ${version}`);
    }
    this.#insertImpression = this.#db.prepare('INSERT INTO impressions (shopper_id, time_ms) VALUES (?, ?)');
    this.#insertItem = this.#db.prepare('INSERT INTO impression_items (impression_id, position, item, category, team, propensity) VALUES (?, ?, ?, ?, ?, ?)');
    this.#insertOutcome = this.#db.prepare('INSERT INTO impression_policies (impression_id, policy, latency_ms, missed) VALUES (?, ?, ?, ?)');
    this.#insertEvent = this.#db.prepare('INSERT INTO events (shopper_id, impression_id, item, category, behavior, team, time_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#storeImpression = this.#db.transaction((impression: NewImpression) => {
      const id = Number(this.#insertImpression.run(impression.shopper, impression.timeMs).lastInsertRowid);
      impression.items.forEach((shown, position) => this.#insertItem.run(id, position, shown.item, shown.category, shown.team, shown.propensity));
      for (const o of impression.outcomes) this.#insertOutcome.run(id, o.policy, o.latencyMs, o.isMissed ? 1 : 0);
      return id;
    });
    this.#storeEvents = this.#db.transaction((events: readonly NewEvent[]) =>
      events.map((e) => Number(this.#insertEvent.run(e.shopper, e.impression, e.item, e.category, e.behavior, e.team, e.timeMs).lastInsertRowid)),
    );
  }

  /** The underlying connection, for the arena's read-only queries. */
  get connection(): Database.Database {
    return this.#db;
  }

  /** Adds a user; a taken name is BAD_OPTION. */
  createUser(name: string, passwordHash: string, role: Role, createdMs: number): UserRow {
    try {
      const id = Number(this.#db.prepare('INSERT INTO users (name, password_hash, role, created_ms) VALUES (?, ?, ?, ?)').run(name, passwordHash, role, createdMs).lastInsertRowid);
      return { id, name, passwordHash, role, createdMs };
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new RecGymError(ErrorCode.BAD_OPTION, `user name: expected a free name, actual "${name}" is taken`);
      throw error;
    }
  }

  userByName(name: string): UserRow | undefined {
    return toUser(this.#db.prepare('SELECT * FROM users WHERE name = ?').get(name));
  }

  userById(id: number): UserRow | undefined {
    return toUser(this.#db.prepare('SELECT * FROM users WHERE id = ?').get(id));
  }

  /** Every user, oldest first (without password hashes). */
  users(): Array<Omit<UserRow, 'passwordHash'>> {
    return (this.#db.prepare('SELECT id, name, role, created_ms FROM users ORDER BY id').all() as Array<Record<string, unknown>>).map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      role: r.role as Role,
      createdMs: Number(r.created_ms),
    }));
  }

  setRole(userId: number, role: Role): void {
    this.#db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, userId);
  }

  /** Stores a login session under the hash of its token. */
  createSession(tokenHash: string, userId: number, csrf: string, createdMs: number, expiresMs: number): void {
    this.#db.prepare('INSERT INTO sessions (token_hash, user_id, csrf, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)').run(tokenHash, userId, csrf, createdMs, expiresMs);
  }

  /** The live session with this token hash and its user, or undefined (unknown or expired). */
  session(tokenHash: string, nowMs: number): { userId: number; csrf: string; expiresMs: number } | undefined {
    const row = this.#db.prepare('SELECT user_id, csrf, expires_ms FROM sessions WHERE token_hash = ? AND expires_ms > ?').get(tokenHash, nowMs) as
      | Record<string, unknown>
      | undefined;
    return row && { userId: Number(row.user_id), csrf: String(row.csrf), expiresMs: Number(row.expires_ms) };
  }

  deleteSession(tokenHash: string): void {
    this.#db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  /** Live login sessions per user (for the admin page). */
  liveSessions(nowMs: number): Array<{ userId: number; name: string; createdMs: number; expiresMs: number }> {
    return (
      this.#db
        .prepare('SELECT s.user_id, u.name, s.created_ms, s.expires_ms FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.expires_ms > ? ORDER BY s.created_ms')
        .all(nowMs) as Array<Record<string, unknown>>
    ).map((r) => ({ userId: Number(r.user_id), name: String(r.name), createdMs: Number(r.created_ms), expiresMs: Number(r.expires_ms) }));
  }

  /** The shopper of a registered user, created on first use. */
  humanShopper(userId: number): number {
    const found = this.#db.prepare("SELECT id FROM shoppers WHERE kind = 'human' AND user_id = ?").pluck().get(userId);
    if (found !== undefined) return Number(found);
    return Number(this.#db.prepare("INSERT INTO shoppers (kind, user_id) VALUES ('human', ?)").run(userId).lastInsertRowid);
  }

  /** The shopper of a simulated user (the store's raw user id), created on first use. */
  simulatedShopper(simUser: number): number {
    const found = this.#db.prepare("SELECT id FROM shoppers WHERE kind = 'simulated' AND sim_user = ?").pluck().get(simUser);
    if (found !== undefined) return Number(found);
    return Number(this.#db.prepare("INSERT INTO shoppers (kind, sim_user) VALUES ('simulated', ?)").run(simUser).lastInsertRowid);
  }

  shopperKind(shopper: number): ShopperKind | undefined {
    return this.#db.prepare('SELECT kind FROM shoppers WHERE id = ?').pluck().get(shopper) as ShopperKind | undefined;
  }

  /** Stores an impression with its items and policy outcomes in one transaction; returns its id. */
  addImpression(impression: NewImpression): number {
    return this.#storeImpression(impression);
  }

  /** The shown items of an impression, by position (empty for an unknown one). */
  impressionItems(impression: number): Array<ShownItem & { shopper: number }> {
    return (
      this.#db
        .prepare('SELECT i.item, i.category, i.team, i.propensity, m.shopper_id FROM impression_items i JOIN impressions m ON m.id = i.impression_id WHERE i.impression_id = ? ORDER BY i.position')
        .all(impression) as Array<Record<string, unknown>>
    ).map((r) => ({ item: Number(r.item), category: Number(r.category), team: String(r.team), propensity: Number(r.propensity), shopper: Number(r.shopper_id) }));
  }

  /** Stores events in one transaction; when this returns they are committed. Returns their ids. */
  addEvents(events: readonly NewEvent[]): number[] {
    return this.#storeEvents(events);
  }

  /** A shopper's latest `limit` events, oldest first. */
  recentEvents(shopper: number, limit: number): Array<{ item: number; behavior: number; timeMs: number }> {
    const rows = this.#db.prepare('SELECT item, behavior, time_ms FROM events WHERE shopper_id = ? ORDER BY id DESC LIMIT ?').all(shopper, limit) as Array<Record<string, unknown>>;
    return rows.reverse().map((r) => ({ item: Number(r.item), behavior: Number(r.behavior), timeMs: Number(r.time_ms) }));
  }

  /** Every event in id order, optionally of one kind of shopper (what `recgym export` writes). */
  *events(kind?: ShopperKind): Generator<EventRow> {
    const sql =
      'SELECT e.id, e.shopper_id, s.kind, e.item, e.category, e.behavior, e.time_ms FROM events e JOIN shoppers s ON s.id = e.shopper_id' +
      (kind === undefined ? '' : ' WHERE s.kind = ?') +
      ' ORDER BY e.id';
    const statement = this.#db.prepare(sql);
    for (const r of (kind === undefined ? statement.iterate() : statement.iterate(kind)) as Iterable<Record<string, unknown>>) {
      yield { id: Number(r.id), shopper: Number(r.shopper_id), kind: r.kind as ShopperKind, item: Number(r.item), category: Number(r.category), behavior: Number(r.behavior), timeMs: Number(r.time_ms) };
    }
  }

  /** The impressions with ids in [fromId, toId), with their kind of shopper, items (by position) and policies' outcomes, in id order (rebuilding the arena's tallies). */
  impressions(fromId = 0, toId = Number.MAX_SAFE_INTEGER): Array<{ id: number; shopper: number; kind: ShopperKind; items: ShownItem[]; outcomes: PolicyOutcome[] }> {
    const byId = new Map<number, { id: number; shopper: number; kind: ShopperKind; items: ShownItem[]; outcomes: PolicyOutcome[] }>();
    const range = 'impression_id >= ? AND impression_id < ?';
    for (const r of this.#db
      .prepare('SELECT m.id, m.shopper_id, s.kind FROM impressions m JOIN shoppers s ON s.id = m.shopper_id WHERE m.id >= ? AND m.id < ? ORDER BY m.id')
      .iterate(fromId, toId) as Iterable<Record<string, unknown>>) {
      byId.set(Number(r.id), { id: Number(r.id), shopper: Number(r.shopper_id), kind: r.kind as ShopperKind, items: [], outcomes: [] });
    }
    for (const r of this.#db.prepare(`SELECT * FROM impression_items WHERE ${range} ORDER BY impression_id, position`).iterate(fromId, toId) as Iterable<Record<string, unknown>>) {
      byId.get(Number(r.impression_id))?.items.push({ item: Number(r.item), category: Number(r.category), team: String(r.team), propensity: Number(r.propensity) });
    }
    for (const r of this.#db.prepare(`SELECT * FROM impression_policies WHERE ${range} ORDER BY impression_id, rowid`).iterate(fromId, toId) as Iterable<Record<string, unknown>>) {
      byId.get(Number(r.impression_id))?.outcomes.push({ policy: String(r.policy), latencyMs: Number(r.latency_ms), isMissed: Number(r.missed) === 1 });
    }
    return [...byId.values()];
  }

  /** The largest impression id (0 before any). */
  lastImpressionId(): number {
    return Number(this.#db.prepare('SELECT COALESCE(MAX(id), 0) FROM impressions').pluck().get());
  }

  /** The events of the impressions with ids in [fromId, toId): (impression, raw item, behaviour), in id order. */
  impressionEvents(fromId = 0, toId = Number.MAX_SAFE_INTEGER): Array<{ impression: number; item: number; behavior: number }> {
    return (
      this.#db.prepare('SELECT impression_id, item, behavior FROM events WHERE impression_id >= ? AND impression_id < ? ORDER BY id').all(fromId, toId) as Array<Record<string, unknown>>
    ).map((r) => ({ impression: Number(r.impression_id), item: Number(r.item), behavior: Number(r.behavior) }));
  }

  /** Events per kind of shopper. */
  eventCounts(): Record<ShopperKind, number> {
    const counts = { human: 0, simulated: 0 };
    for (const r of this.#db.prepare('SELECT s.kind, COUNT(*) AS n FROM events e JOIN shoppers s ON s.id = e.shopper_id GROUP BY s.kind').all() as Array<Record<string, unknown>>) {
      counts[r.kind as ShopperKind] = Number(r.n);
    }
    return counts;
  }

  /** Counts of the main tables. */
  counts(): { users: number; shoppers: number; impressions: number; events: number } {
    const count = (table: string) => Number(this.#db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get());
    return { users: count('users'), shoppers: count('shoppers'), impressions: count('impressions'), events: count('events') };
  }

  /** `PRAGMA integrity_check`'s answer ("ok" when sound). */
  integrityCheck(): string {
    return (this.#db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
  }

  /** Closes the connection (safe twice). */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function toUser(row: unknown): UserRow | undefined {
  if (row === undefined) return undefined;
  const r = row as Record<string, unknown>;
  return { id: Number(r.id), name: String(r.name), passwordHash: String(r.password_hash), role: r.role as Role, createdMs: Number(r.created_ms) };
}
