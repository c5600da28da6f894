import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStore } from '../../../src/cli/load-store.js';
import { createRng } from '../../../src/core/rng.js';
import { SessionLog } from '../../../src/data/session-log.js';
import { loadPolicies } from '../../../src/server/arena/setup.js';
import { runCli } from '../../helpers/collecting-io.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-arena-setup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadPolicies', () => {
  it('loads a trained checkpoint as NAME=DIR beside a fitted baseline, and refuses bad specs', async () => {
    const log = join(dir, 'log.csv');
    expect((await runCli(['generate', '--users', '60', '--days', '4', '--items', '120', '--categories', '6', '--seed', '4', '--out', log])).code).toBe(0);
    const trained = await runCli(['train', '--agent', 'ranker', '--data', log, '--epochs', '1', '--out', join(dir, 'ranker'), '--quiet']);
    expect(trained.code, trained.stderr).toBe(0);
    const { store } = await loadStore(log, undefined);
    const [ranker, popularity] = await loadPolicies([`mine=${join(dir, 'ranker')}`, 'popularity'], store, createRng(0));
    expect([ranker.name, popularity.name]).toEqual(['mine', 'popularity']);
    const request = { log: new SessionLog(store, 1, 8), row: 0, time: store.times[store.length - 1], size: 5, kind: 'simulated' as const };
    request.log.append(0, 3, 1, request.time);
    const ranking = await ranker.rank(request);
    expect(ranking).toHaveLength(5);
    expect(new Set(ranking).size).toBe(5);
    writeFileSync(join(dir, 'manifest.json'), '{"format":"recgym-other/1"}');
    await expect(loadPolicies([`x=${dir}`], store, createRng(0))).rejects.toThrow(`--policy x=${dir}: expected a ranker or dqn checkpoint, actual format "recgym-other/1"`);
    await expect(loadPolicies(['dqn'], store, createRng(0))).rejects.toThrow('--policy dqn: expected a trained DQN as NAME=DIR (recgym train --out DIR), actual none');
    await expect(loadPolicies(['random', 'random'], store, createRng(0))).rejects.toThrow('--policy random: expected distinct policy names, actual "random" twice');
    await expect(loadPolicies(['nope'], store, createRng(0))).rejects.toThrow(/agent: expected one of random, popularity/);
  });
});
