import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isRecGymError } from '../../core/errors.js';
import type { Arena } from './arena.js';
import { type Auth, cookie, FORM_COOKIE, newToken, parseCookies, SESSION_COOKIE, type SessionUser, sameToken } from './auth.js';
import type { HumanShoppers } from './humans.js';
import { adminBody, arenaBody, kindSection, loginForms, page, shopBody } from './pages.js';
import { RateLimiter } from '../rate-limit.js';
import { STATIC_FILES } from './static.js';

/** Bytes a request body may have. */
const MAX_BODY_BYTES = 16 * 1024;
/** The figures are recomputed at most this often. */
const FIGURES_MAX_AGE_MS = 1000;

/** What the arena's HTTP handler serves from. */
export interface ArenaHttpOptions {
  readonly arena: Arena;
  readonly auth: Auth;
  readonly humans: HumanShoppers;
  readonly logger: Logger;
  /** Adds `Secure` to cookies (behind HTTPS). */
  readonly isSecure?: boolean;
  /** Open websocket connections (the admin page's health). */
  readonly connections: () => number;
  /** Slates and events one user may ask for per second (a second's burst); more get 429 (default 20). */
  readonly userRequestsPerSec?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, headers);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `body: expected at most ${MAX_BODY_BYTES} bytes, actual more`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) throw new HttpError(415, 'body: expected a form (application/x-www-form-urlencoded)');
  return new URLSearchParams(await readBody(req));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'body: expected application/json');
  let value: unknown;
  try {
    value = JSON.parse(await readBody(req));
  } catch {
    throw new HttpError(400, 'body: expected JSON, actual text that does not parse');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'body: expected a JSON object');
  return value as Record<string, unknown>;
}

function intField(body: Record<string, unknown>, name: string): number {
  const v = body[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new HttpError(400, `${name}: expected an integer, actual ${typeof v}`);
  return v;
}

/**
 * The arena's pages and API on the server's HTTP side: the shop (log in, register, the slate, events
 * acknowledged after commit), the arena's figures, the admin page (admins only). Every POST carries
 * its CSRF token (a form field or `x-csrf-token`: the session's; before login, the double-submit
 * form cookie's) and, when the browser sends one, an Origin of this host. Logs name the method,
 * path and status, never a cookie, token or password.
 */
export function createArenaHandler(o: ArenaHttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { arena, auth, humans, logger } = o;
  const isSecure = o.isSecure ?? false;
  const sessionOf = (req: IncomingMessage): SessionUser | undefined => auth.session(parseCookies(req.headers.cookie).get(SESSION_COOKIE), arena.nowMs());
  const limits = new Map<number, RateLimiter>();
  const userRate = o.userRequestsPerSec ?? 20;

  /** Admits one slate or event of the user, or refuses it with 429 and Retry-After. */
  function admit(userId: number): void {
    const now = performance.now();
    let limiter = limits.get(userId);
    if (!limiter) limits.set(userId, (limiter = new RateLimiter({ messagesPerSec: userRate }, now)));
    const waitMs = limiter.admit(0, now);
    if (waitMs > 0) throw new HttpError(429, `rate: expected at most ${userRate} slates and events a second, actual more (retry in ${Math.ceil(waitMs)} ms)`, { 'retry-after': String(Math.ceil(waitMs / 1000)) });
  }

  function checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw new HttpError(403, 'origin: expected this site, actual a malformed origin');
    }
    if (host !== req.headers.host) throw new HttpError(403, 'origin: expected this site, actual another one');
  }

  function checkFormToken(req: IncomingMessage, form: URLSearchParams, session: SessionUser | undefined): void {
    const expected = session?.csrf ?? parseCookies(req.headers.cookie).get(FORM_COOKIE);
    if (expected === undefined || !sameToken(expected, form.get('csrf') ?? undefined)) throw new HttpError(403, 'csrf: expected the form token of this page, actual another or none');
  }

  function shopPage(req: IncomingMessage, res: ServerResponse, status = 200, message?: string): void {
    const session = sessionOf(req);
    if (session) {
      send(res, status, 'text/html; charset=utf-8', page('shop', shopBody(), { user: session.user, csrf: session.csrf, script: 'shop.js' }));
      return;
    }
    const formToken = parseCookies(req.headers.cookie).get(FORM_COOKIE) ?? newToken();
    send(res, status, 'text/html; charset=utf-8', page('shop', loginForms(formToken, message)), { 'set-cookie': cookie(FORM_COOKIE, formToken, 3600, isSecure) });
  }

  async function logIn(req: IncomingMessage, res: ServerResponse, name: string, password: string): Promise<void> {
    const result = await auth.login(name, password, req.socket.remoteAddress ?? 'unknown', arena.nowMs());
    if (result.ok) {
      res.writeHead(303, { ...SECURITY_HEADERS, location: '/', 'set-cookie': cookie(SESSION_COOKIE, result.token, Math.floor(auth.sessionMs / 1000), isSecure) });
      res.end();
      logger.info({ user: result.session.user.id }, 'login');
      return;
    }
    if (result.reason === 'throttled') {
      res.setHeader('retry-after', String(Math.ceil(result.retryAfterMs / 1000)));
      shopPage(req, res, 429, `too many failed logins: try again in ${Math.ceil(result.retryAfterMs / 1000)} s`);
      logger.warn('login throttled');
      return;
    }
    shopPage(req, res, 401, 'wrong name or password');
    logger.info('login refused');
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'GET' && path.startsWith('/static/')) {
      const file = STATIC_FILES.get(path.slice('/static/'.length));
      if (!file) throw new HttpError(404, `${path}: no such file`);
      send(res, 200, file.type, file.body);
      return;
    }
    if (method === 'GET' && path === '/') return shopPage(req, res);
    if (method === 'GET' && path === '/arena') {
      const session = sessionOf(req);
      send(res, 200, 'text/html; charset=utf-8', page('arena', arenaBody(arena.figures(FIGURES_MAX_AGE_MS)), { user: session?.user, csrf: session?.csrf, script: 'arena.js' }));
      return;
    }
    if (method === 'GET' && path === '/arena/figures') {
      const f = arena.figures(FIGURES_MAX_AGE_MS);
      send(res, 200, 'text/html; charset=utf-8', kindSection('human', f.human) + kindSection('simulated', f.simulated));
      return;
    }
    if (method === 'GET' && path === '/api/figures') return sendJson(res, 200, arena.figures(FIGURES_MAX_AGE_MS));
    if (path === '/admin' || path === '/api/admin') {
      const session = sessionOf(req);
      if (!session) throw new HttpError(401, 'admin: expected a logged-in admin, actual no login');
      if (session.user.role !== 'admin') throw new HttpError(403, 'admin: expected an admin, actual a user');
      if (method !== 'GET') throw new HttpError(405, `${path}: expected GET`);
      const data = {
        users: arena.db.users(),
        sessions: arena.db.liveSessions(arena.nowMs()),
        policies: arena.policies.map((p) => ({ name: p.name, origin: p.origin })),
        health: { connections: o.connections(), messagesPerSecond: arena.health.messagesPerSecond(Date.now()), p99Ms: arena.health.p99Ms(), misses: arena.health.deadlineMisses() },
      };
      if (path === '/api/admin') return sendJson(res, 200, data);
      send(res, 200, 'text/html; charset=utf-8', page('admin', adminBody(data), { user: session.user, csrf: session.csrf }));
      return;
    }
    const expected = path === '/api/slate' ? 'GET' : ['/login', '/register', '/logout', '/api/event'].includes(path) ? 'POST' : undefined;
    if (expected !== undefined && method !== expected) throw new HttpError(405, `${method} ${path}: expected ${expected}`);
    if (method === 'GET' && path === '/api/slate') {
      const session = sessionOf(req);
      if (!session) throw new HttpError(401, 'slate: expected a logged-in user, actual no login');
      admit(session.user.id);
      const slate = await humans.show(session.user.id);
      // The teams stay on the server: a shopper who saw them could favour one.
      return sendJson(res, 200, { impression: slate.impression, items: slate.items.map(({ itemId, category }) => ({ itemId, category })) });
    }
    if (method === 'POST') {
      checkOrigin(req);
      const session = sessionOf(req);
      if (path === '/login' || path === '/register') {
        const form = await readForm(req);
        checkFormToken(req, form, undefined);
        const name = form.get('name') ?? '';
        const password = form.get('password') ?? '';
        if (path === '/register') {
          try {
            await auth.register(name, password, 'user', arena.nowMs());
          } catch (error) {
            if (isRecGymError(error)) return shopPage(req, res, 400, error.message);
            throw error;
          }
          logger.info('user registered');
        }
        return logIn(req, res, name, password);
      }
      if (path === '/logout') {
        const form = await readForm(req);
        if (!session) throw new HttpError(401, 'logout: expected a logged-in user, actual no login');
        checkFormToken(req, form, session);
        auth.logout(session);
        res.writeHead(303, { ...SECURITY_HEADERS, location: '/', 'set-cookie': cookie(SESSION_COOKIE, '', 0, isSecure) });
        res.end();
        return;
      }
      if (path === '/api/event') {
        if (!session) throw new HttpError(401, 'event: expected a logged-in user, actual no login');
        const header = req.headers['x-csrf-token'];
        if (!sameToken(session.csrf, typeof header === 'string' ? header : undefined)) throw new HttpError(403, 'csrf: expected the x-csrf-token of this session, actual another or none');
        admit(session.user.id);
        const body = await readJson(req);
        const [impression, item, behavior] = [intField(body, 'impression'), intField(body, 'item'), intField(body, 'behavior')];
        let eventId: number;
        try {
          eventId = humans.act(session.user.id, impression, item, behavior);
        } catch (error) {
          if (error instanceof RangeError) throw new HttpError(400, error.message);
          throw error;
        }
        // Sent only now: the event is committed.
        return sendJson(res, 200, { eventId });
      }
    }
    throw new HttpError(404, `${method} ${path}: no such page`);
  }

  return (req, res) => {
    const started = performance.now();
    arena.health.message(Date.now());
    const path = (req.url ?? '/').split('?', 1)[0];
    route(req, res, path)
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        if (status === 500) logger.error({ err: error, method: req.method, path }, 'request failed');
        if (!res.headersSent) sendJson(res, status, { message: status === 500 ? 'internal error (logged)' : (error as Error).message }, error instanceof HttpError ? error.headers : {});
        else res.end();
      })
      .finally(() => logger.debug({ method: req.method, path, status: res.statusCode, ms: +(performance.now() - started).toFixed(2) }, 'http'));
  };
}
