import { createRng } from '../../../src/core/rng.js';
import type { EventStore } from '../../../src/data/event-store.js';
import { createDefaultEventStore } from '../../../src/sim/default-data.js';
import { loadPolicies } from '../../../src/server/arena/setup.js';
import { type ArenaServer, type ArenaServerOptions, startArena } from '../../../src/server/arena/start.js';
import type { Policy } from '../../../src/server/arena/policy.js';
import { logSink } from '../helpers.js';

let store: EventStore | undefined;
let policies: Policy[] | undefined;

/** The embedded default data and popularity / recent fitted on it (shared by a test file). */
export async function fixture(): Promise<{ store: EventStore; policies: Policy[] }> {
  store ??= createDefaultEventStore();
  policies ??= await loadPolicies(['popularity', 'recent'], store, createRng(0));
  return { store, policies };
}

/** An arena on a free loopback port logging into a sink. */
export async function testArena(options: Partial<ArenaServerOptions> = {}): Promise<{ arena: ArenaServer; lines: Array<Record<string, unknown>> }> {
  const { store, policies } = await fixture();
  const { lines, logger } = logSink('debug');
  const arena = await startArena({ db: ':memory:', store, policies, control: policies[0], logger, port: 0, resamples: 20, ...options });
  return { arena, lines };
}

/** A browser-like client: keeps cookies, reads the CSRF token off pages. */
export class WebClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value === '') this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    return response;
  }

  /** The `csrf` hidden field (or meta) of a page. */
  async token(path = '/'): Promise<string> {
    const html = await (await this.request(path)).text();
    const match = html.match(/name="csrf" (?:value|content)="([^"]+)"/);
    if (!match) throw new Error(`expected a csrf token on ${path}`);
    return match[1];
  }

  async form(path: string, fields: Record<string, string>): Promise<Response> {
    return this.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }

  async register(name: string, password: string): Promise<Response> {
    return this.form('/register', { csrf: await this.token(), name, password });
  }

  async login(name: string, password: string): Promise<Response> {
    return this.form('/login', { csrf: await this.token(), name, password });
  }

  async event(impression: number, item: number, behavior: number, csrf?: string): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (csrf !== undefined) headers['x-csrf-token'] = csrf;
    return this.request('/api/event', { method: 'POST', headers, body: JSON.stringify({ impression, item, behavior }) });
  }
}
