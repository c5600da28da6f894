import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { Arena } from '../../../src/server/arena/arena.js';
import { ArenaDb } from '../../../src/server/arena/db.js';
import { SimulatedShoppers } from '../../../src/server/arena/simulated.js';
import { wholeLog } from '../../../src/server/arena/setup.js';
import { fitSimulator } from '../../../src/sim/fit-simulator.js';
import { ShopperModel } from '../../../src/sim/shopper-model.js';
import { runCli } from '../../helpers/collecting-io.js';
import { fixture } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-arena-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function simulatedArena(dbPath: string, seed: number, steps: number): Promise<{ db: ArenaDb; arena: Arena }> {
  const { store, policies } = await fixture();
  const db = new ArenaDb(dbPath);
  let clock = Date.UTC(2026, 0, 1);
  // Six days of arena time, so that the exported log has a training window and a test day.
  const arena = new Arena({ db, store, policies, control: policies[0], rng: createRng(seed), resamples: 10, nowMs: () => (clock += Math.floor((6 * 86_400_000) / steps)) });
  const shoppers = new SimulatedShoppers(arena, new ShopperModel(fitSimulator(store, wholeLog(store)), store), 4, createRng(seed + 1));
  for (let k = 0; k < steps; k++) await shoppers.step(k % 4);
  return { db, arena };
}

describe('simulated shoppers in the arena', () => {
  it('are stored flagged simulated, with every event of a shown item credited to its team; same seed, same db', async () => {
    const a = await simulatedArena(join(dir, 'a.db'), 5, 120);
    const b = await simulatedArena(join(dir, 'b.db'), 5, 120);
    const rows = (db: ArenaDb) => db.connection.prepare('SELECT e.item, e.behavior, e.team, e.impression_id FROM events e ORDER BY e.id').all();
    expect(rows(a.db)).toEqual(rows(b.db));
    const figures = a.arena.figures();
    expect(figures.human.impressions).toBe(0);
    expect(figures.simulated.impressions).toBe(120);
    const shown = a.db.connection.prepare('SELECT COUNT(*) FROM events e JOIN impression_items i ON i.impression_id = e.impression_id AND i.item = e.item').pluck().get();
    const credited = a.db.connection.prepare('SELECT COUNT(*) FROM events WHERE team IS NOT NULL').pluck().get();
    expect(credited).toBe(shown);
    expect(Number(credited)).toBeGreaterThan(0);
    const propensities = a.db.connection.prepare('SELECT MIN(propensity), MAX(propensity) FROM impression_items').raw().get() as number[];
    expect(propensities[0]).toBeGreaterThan(0);
    expect(propensities[1]).toBeLessThanOrEqual(1);
    a.db.close();
    b.db.close();
  });

  it('export writes a Tianchi log that recgym sim fit and recgym train read (serving → training)', async () => {
    const dbPath = join(dir, 'loop.db');
    const { db } = await simulatedArena(dbPath, 7, 600);
    const events = db.counts().events;
    db.close();
    const out = join(dir, 'arena.csv');
    const exported = await runCli(['export', '--db', dbPath, '--out', out, '--json']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ kind: 'all', events });
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('user_id,item_id,behavior_type,user_geohash,item_category,time');
    expect(text.trim().split('\n')).toHaveLength(events + 1);
    expect((await runCli(['export', '--db', dbPath, '--out', join(dir, 'humans.csv'), '--kind', 'human', '--json'])).stdout).toContain('"events":0');
    const fit = await runCli(['sim', 'fit', out, '--out', join(dir, 'sim.json')]);
    expect(fit.code, fit.stderr).toBe(0);
    const train = await runCli(['train', '--agent', 'ranker', '--data', out, '--epochs', '1', '--out', join(dir, 'ranker'), '--quiet', '--json']);
    expect(train.code, train.stderr).toBe(0);
    expect((await runCli(['export', '--db', join(dir, 'missing.db'), '--out', join(dir, 'x.csv')])).stderr).toContain('expected an arena database, actual no such file');
  });
});
