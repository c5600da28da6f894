import { escapeXml } from '../../report/svg-chart.js';
import type { ArenaFigures, KindFigures } from './arena.js';
import { barChart } from '../../report/svg-chart.js';

const esc = escapeXml;

/** A whole page: the shared head (stylesheet, no inline script or style: the CSP allows only this origin), a nav and `body`. */
export function page(title: string, body: string, options: { user?: { name: string; role: string }; csrf?: string; script?: string } = {}): string {
  const nav = [
    '<a href="/">shop</a>',
    '<a href="/arena">arena</a>',
    options.user?.role === 'admin' ? '<a href="/admin">admin</a>' : '',
    options.user
      ? `<span class="who">${esc(options.user.name)}</span><form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="${esc(options.csrf ?? '')}"><button id="logout">log out</button></form>`
      : '',
  ].join(' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · recgym arena</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.csrf ? `<meta name="csrf" content="${esc(options.csrf)}">` : ''}
<link rel="stylesheet" href="/static/arena.css"></head>
<body><nav>${nav}</nav><main><h1>${esc(title)}</h1>
${body}</main>${options.script ? `<script src="/static/${options.script}"></script>` : ''}</body></html>`;
}

/** The shop for a visitor: log in or register (double-submit CSRF token in both forms). */
export function loginForms(formToken: string, message?: string): string {
  const form = (action: string, label: string) => `<form method="post" action="/${action}" id="${action}-form">
<h2>${label}</h2><input type="hidden" name="csrf" value="${esc(formToken)}">
<label>name <input name="name" autocomplete="username" required minlength="3" maxlength="32"></label>
<label>password <input name="password" type="password" autocomplete="${action === 'login' ? 'current' : 'new'}-password" required minlength="8" maxlength="256"></label>
<button type="submit">${label}</button></form>`;
  return `${message ? `<p class="message" id="message">${esc(message)}</p>` : ''}<div class="forms">${form('login', 'log in')}${form('register', 'register')}</div>`;
}

/** The shop for a logged-in user: the slate is fetched and acted on by shop.js. */
export function shopBody(): string {
  return `<p>Recommendations for you. Act on what you like: every action is stored with the policy that showed the item.</p>
<p><button id="more">show me more</button> <span id="status" aria-live="polite"></span></p>
<ol id="slate" class="slate"></ol>`;
}

function pct(v: number | null): string {
  return v === null ? '–' : `${(100 * v).toFixed(1)} %`;
}

/** One kind of shopper's figures: the pairwise win rates (chart and table), the ratings, the rates. */
export function kindSection(kind: string, f: KindFigures): string {
  const decisive = f.pairs.filter((p) => p.winRate !== null);
  const chart =
    decisive.length > 0
      ? barChart({
          title: `${kind}: win rate (95 % CI)`,
          yLabel: 'first policy wins',
          bars: decisive.map((p) => ({ label: `${p.a} vs ${p.b}`, value: p.winRate ?? 0.5, lo: p.ci?.[0], hi: p.ci?.[1], note: `n = ${p.winsA + p.winsB}` })),
        })
      : '<p class="note">no decisive impression yet</p>';
  const pairs = f.pairs
    .map(
      (p) =>
        `<tr><td>${esc(p.a)} vs ${esc(p.b)}</td><td>${p.impressions}</td><td>${p.winsA} / ${p.winsB} / ${p.ties}</td><td class="win-rate">${pct(p.winRate)}</td><td>${p.ci ? `${pct(p.ci[0])} – ${pct(p.ci[1])}` : '–'}</td><td>${p.isDecided ? `decided: ${esc((p.winRate ?? 0) > 0.5 ? p.a : p.b)}` : p.impressionsNeeded === null ? 'no lead yet' : `~${p.impressionsNeeded} more impressions`}</td></tr>`,
    )
    .join('');
  const ratings = f.ratings.map((r) => `<tr><td>${esc(r.policy)}</td><td>${r.rating.toFixed(3)}</td><td>${r.ci[0].toFixed(3)} – ${r.ci[1].toFixed(3)}</td></tr>`).join('');
  const rates = f.rates
    .map((r) => `<tr><td>${esc(r.policy)}</td><td>${r.shown}</td><td>${pct(r.clickRate)}</td><td>${pct(r.favoriteRate)}</td><td>${pct(r.cartRate)}</td><td>${pct(r.purchaseRate)}</td><td>${r.meanReward.toFixed(4)}</td></tr>`)
    .join('');
  return `<section class="kind" id="${esc(kind)}"><h2>${esc(kind)} shoppers</h2>
<p class="counts"><span class="impressions">${f.impressions}</span> impressions, <span class="events">${f.events}</span> events</p>
<div class="chart">${chart}</div>
<table class="pairs"><tr><th>pair</th><th>impressions</th><th>wins / losses / ties</th><th>win rate</th><th>95 % CI</th><th>decision</th></tr>${pairs}</table>
<table class="ratings"><tr><th>policy</th><th>Bradley–Terry rating</th><th>95 % bootstrap CI</th></tr>${ratings}</table>
<table class="rates"><tr><th>policy</th><th>shown</th><th>click</th><th>favourite</th><th>cart</th><th>purchase</th><th>mean reward</th></tr>${rates}</table></section>`;
}

/** The arena's figures, humans and simulated shoppers side by side (never pooled). */
export function arenaBody(f: ArenaFigures): string {
  return `<p>Policies: ${f.policies.map(esc).join(', ')}. Each impression interleaves policies by team draft; a policy wins an impression when the shopper acts on more of its items. Figures refresh every 2 s.</p>
<div id="figures" class="side-by-side">${kindSection('human', f.human)}${kindSection('simulated', f.simulated)}</div>`;
}

/** The admin page: users, live login sessions, connected agents and health. */
export function adminBody(data: {
  users: ReadonlyArray<{ id: number; name: string; role: string; createdMs: number }>;
  sessions: ReadonlyArray<{ name: string; createdMs: number; expiresMs: number }>;
  policies: ReadonlyArray<{ name: string; origin: string }>;
  health: { connections: number; messagesPerSecond: number; p99Ms: number | null; misses: ReadonlyArray<{ policy: string; requests: number; misses: number }> };
}): string {
  const time = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `<h2>health</h2><table id="health"><tr><th>websocket connections</th><th>messages/s (HTTP and websocket)</th><th>p99 impression latency</th></tr>
<tr><td>${data.health.connections}</td><td>${data.health.messagesPerSecond.toFixed(1)}</td><td>${data.health.p99Ms === null ? '–' : `${data.health.p99Ms.toFixed(2)} ms`}</td></tr></table>
<h2>policies and deadline misses</h2><table id="policies"><tr><th>policy</th><th>origin</th><th>requests</th><th>deadline misses</th></tr>${data.policies
    .map((p) => {
      const m = data.health.misses.find((x) => x.policy === p.name);
      return `<tr><td>${esc(p.name)}</td><td>${esc(p.origin)}</td><td>${m?.requests ?? 0}</td><td>${m?.misses ?? 0}</td></tr>`;
    })
    .join('')}</table>
<h2>users</h2><table id="users"><tr><th>id</th><th>name</th><th>role</th><th>registered</th></tr>${data.users.map((u) => `<tr><td>${u.id}</td><td>${esc(u.name)}</td><td>${esc(u.role)}</td><td>${time(u.createdMs)}</td></tr>`).join('')}</table>
<h2>login sessions</h2><table id="sessions"><tr><th>user</th><th>since</th><th>expires</th></tr>${data.sessions.map((s) => `<tr><td>${esc(s.name)}</td><td>${time(s.createdMs)}</td><td>${time(s.expiresMs)}</td></tr>`).join('')}</table>`;
}
