import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDefaultEventStore } from '../../src/sim/default-data.js';
import { runCli } from '../helpers/collecting-io.js';

/** Writes a tiny seeded shopper log (Tianchi format, 60 users over 6 days) to `path`. */
export async function writeTinyTianchi(path: string): Promise<void> {
  const result = await runCli(['generate', '--out', path, '--users', '60', '--days', '6', '--items', '300', '--categories', '10', '--seed', '5']);
  if (result.code !== 0) throw new Error(`generate failed: ${result.stderr}`);
}

const NAMES = ['', 'pv', 'fav', 'cart', 'buy'];

/** Writes the tiny shopper population in Taobao UserBehavior format (`user,item,category,behavior,timestamp`) to `dir/file`. */
export function writeTinyUserBehavior(dir: string, file: string): string {
  const store = createDefaultEventStore({ users: 60, days: 6, items: 300, categories: 10, start: '2017-11-28' });
  const lines: string[] = [];
  for (let i = 0; i < store.length; i++) {
    lines.push(
      `${store.userIds.rawOf(store.users[i])},${store.itemIds.rawOf(store.items[i])},${store.categoryIds.rawOf(store.categories[i])},${NAMES[store.behaviors[i]]},${store.times[i]}`,
    );
  }
  const path = join(dir, file);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
