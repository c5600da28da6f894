import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode, RecGymError } from '../../core/errors.js';
import type { ArenaDb, Role, UserRow } from './db.js';
import { DUMMY_HASH, hashPassword, PASSWORD_LENGTH, verifyPassword } from './password.js';
import { LoginThrottle, type ThrottleOptions } from './throttle.js';

/** The cookie that carries a login session's token. */
export const SESSION_COOKIE = 'recgym_session';
/** The cookie of the double-submit CSRF token of forms shown before login. */
export const FORM_COOKIE = 'recgym_form';

/** User names: 3 to 32 letters, digits, `_`, `-`, `.`. */
const NAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;

/** A logged-in request's user and its session's CSRF token. */
export interface SessionUser {
  readonly user: Omit<UserRow, 'passwordHash'>;
  readonly csrf: string;
  readonly tokenHash: string;
}

/** The outcome of a login: a session, wrong credentials, or a throttled key. */
export type LoginResult =
  | { readonly ok: true; readonly token: string; readonly session: SessionUser }
  | { readonly ok: false; readonly reason: 'wrong' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAfterMs: number };

/** A token from the system's CSPRNG (security tokens are never drawn from the seeded Rng). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** True when the two tokens are equal (constant time for equal lengths); an absent one never matches. */
export function sameToken(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks a user name and password for registration; throws BAD_OPTION naming the field. */
export function checkCredentials(name: string, password: string): void {
  if (!NAME_PATTERN.test(name)) throw new RecGymError(ErrorCode.BAD_OPTION, `name: expected 3 to 32 letters, digits, "_", "-" or ".", actual ${name.length} characters`);
  if (password.length < PASSWORD_LENGTH.min || password.length > PASSWORD_LENGTH.max) {
    throw new RecGymError(ErrorCode.BAD_OPTION, `password: expected ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters, actual ${password.length}`);
  }
}

/**
 * Users and login sessions over the arena db: scrypt password hashes, logins throttled per user
 * name and per remote address, session tokens stored only as their SHA-256, one CSRF token per session.
 */
export class Auth {
  readonly #db: ArenaDb;
  readonly #throttle: LoginThrottle;
  readonly #sessionMs: number;

  /** @param {number} [options.sessionMs=7 days] how long a login session lives */
  constructor(db: ArenaDb, options: { sessionMs?: number; throttle?: ThrottleOptions } = {}) {
    this.#db = db;
    this.#throttle = new LoginThrottle(options.throttle);
    this.#sessionMs = options.sessionMs ?? 7 * 24 * 3600_000;
    if (!Number.isSafeInteger(this.#sessionMs) || this.#sessionMs < 1000) throw new RangeError(`Auth: expected sessionMs >= 1000, actual ${this.#sessionMs}`);
  }

  get sessionMs(): number {
    return this.#sessionMs;
  }

  /** Adds a user (name and password checked, password hashed); a taken name is BAD_OPTION. */
  async register(name: string, password: string, role: Role, nowMs: number): Promise<Omit<UserRow, 'passwordHash'>> {
    checkCredentials(name, password);
    const hash = await hashPassword(password);
    const { passwordHash: _, ...user } = this.#db.createUser(name, hash, role, nowMs);
    return user;
  }

  /** Checks the password (the same work for unknown names) unless the name or the address is throttled; a success opens a session. */
  async login(name: string, password: string, remote: string, nowMs: number): Promise<LoginResult> {
    const keys = [`user:${name}`, `addr:${remote}`];
    const retryAfterMs = Math.max(...keys.map((k) => this.#throttle.retryAfterMs(k, nowMs)));
    if (retryAfterMs > 0) return { ok: false, reason: 'throttled', retryAfterMs };
    const user = this.#db.userByName(name);
    const isMatch = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !isMatch) {
      for (const k of keys) this.#throttle.fail(k, nowMs);
      return { ok: false, reason: 'wrong' };
    }
    for (const k of keys) this.#throttle.succeed(k);
    const token = newToken();
    const csrf = newToken();
    const hash = tokenHash(token);
    this.#db.createSession(hash, user.id, csrf, nowMs, nowMs + this.#sessionMs);
    return { ok: true, token, session: { user: { id: user.id, name: user.name, role: user.role, createdMs: user.createdMs }, csrf, tokenHash: hash } };
  }

  /** The live session of a cookie's token, or undefined. */
  session(token: string | undefined, nowMs: number): SessionUser | undefined {
    if (token === undefined || token.length === 0 || token.length > 128) return undefined;
    const hash = tokenHash(token);
    const found = this.#db.session(hash, nowMs);
    if (!found) return undefined;
    const user = this.#db.userById(found.userId);
    if (!user) return undefined;
    return { user: { id: user.id, name: user.name, role: user.role, createdMs: user.createdMs }, csrf: found.csrf, tokenHash: hash };
  }

  logout(session: SessionUser): void {
    this.#db.deleteSession(session.tokenHash);
  }
}

/** The cookies of a `cookie` header (first value of each name). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/** A `set-cookie` value: httpOnly, SameSite=Strict, path /, `Secure` when asked; `maxAgeS` 0 clears it. */
export function cookie(name: string, value: string, maxAgeS: number, isSecure: boolean): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${isSecure ? '; Secure' : ''}`;
}
