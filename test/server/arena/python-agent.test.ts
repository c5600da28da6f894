import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPython, ROOT } from '../python.js';
import { testArena, WebClient } from './helpers.js';

const { python, reason } = findPython();
if (!python) console.log(`arena Python agent test skipped: ${reason}`);

describe.skipIf(!python)('examples/python_arena_agent.py', () => {
  it("enters the arena over the protocol and ranks the shopper's own items", async () => {
    const { arena } = await testArena({ teamsPerImpression: 3, deadlineMs: 2000 });
    const child = spawn(python as string, [join(ROOT, 'examples', 'python_arena_agent.py'), '--url', arena.server.url, '--name', 'py-recent', '--requests', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    let hasExited = false;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve)).finally(() => {
      hasExited = true;
    });
    try {
      while (!arena.arena.policies.some((p) => p.name === 'py-recent')) {
        if (hasExited) throw new Error(`python_arena_agent.py exited before registering: ${err}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const web = new WebClient(arena.httpUrl);
      await web.register('kate', 'kate-password');
      const csrf = await web.token('/');
      const first = (await (await web.request('/api/slate')).json()) as { impression: number; items: Array<{ itemId: number }> };
      for (const item of first.items.slice(0, 3)) expect((await web.event(first.impression, item.itemId, 1, csrf)).status).toBe(200);
      const second = (await (await web.request('/api/slate')).json()) as { impression: number };
      const acted = new Set(first.items.slice(0, 3).map((i) => i.itemId));
      const items = arena.arena.db.impressionItems(second.impression).filter((i) => i.team === 'py-recent');
      expect(items.length).toBeGreaterThan(0);
      for (const i of items) expect(acted.has(i.item)).toBe(true);
      expect(await exited).toBe(0);
      expect(out).toMatch(/^registered as py-recent \(deadline 2000 ms, slates of 10\)\nrecommend \d+ \(human, 0 events\): 0 items\nrecommend \d+ \(human, 3 events\): 3 items\n$/);
      expect(arena.arena.health.deadlineMisses().find((m) => m.policy === 'py-recent')).toEqual({ policy: 'py-recent', requests: 2, misses: 0 });
    } finally {
      child.kill();
      await arena.close();
    }
  });
});
