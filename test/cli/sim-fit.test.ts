import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventLog } from '../../src/data/read-event-log.js';
import { checkEnv } from '../../src/env/check-env.js';
import { SimulatorEnv } from '../../src/env/simulator-env.js';
import { parseSimModel } from '../../src/sim/sim-model.js';
import { runCli } from '../helpers/collecting-io.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-sim-fit-'));
const log = join(dir, 'log.csv');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  expect((await runCli(['generate', '--users', '150', '--days', '5', '--items', '400', '--categories', '12', '--seed', '2', '--start', '2014-12-14', '--out', log])).code).toBe(0);
});

describe('recgym sim fit', () => {
  it('writes a model the simulated envs accept over the same log, and a summary', async () => {
    const out = join(dir, 'sim.json');
    const result = await runCli(['sim', 'fit', log, '--out', out, '--train-end', '2014-12-17', '--preset', 'loyal', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ out, preset: 'loyal', trainEnd: '2014-12-17' });
    expect(summary.events).toBeGreaterThan(1000);
    const model = parseSimModel(JSON.parse(readFileSync(out, 'utf8')), out);
    expect(model.preset).toBe('loyal');
    expect(model.trainWindow.end).toBe(Date.parse('2014-12-17T00:00:00Z') / 1000);
    const { store } = await readEventLog(log);
    const report = checkEnv(new SimulatorEnv({ store, simulator: model }));
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('hands the model to recgym env check over the same log, and refuses one that does not fit', async () => {
    const out = join(dir, 'check.json');
    expect((await runCli(['sim', 'fit', log, '--out', out])).code).toBe(0);
    const checked = await runCli(['env', 'check', 'Tianchi-Sim-Slate-v0', '--data', log, '--simulator', out, '--num-envs', '2', '--json']);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ env: 'Tianchi-Sim-Slate-v0', split: 'simulated', passed: true });
    const otherLog = await runCli(['env', 'check', 'Tianchi-Sim-v0', '--simulator', out]);
    expect(otherLog.code).toBe(1);
    expect(otherLog.stderr).toMatch(/^recgym env check: SimulatorEnv: simulator: expected a model fitted on this log \(1493 users, 3980 items, 80 categories, id checksum -?\d+\), actual one fitted on \d+ users, 350 items, 12 categories, id checksum -?\d+\n$/);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{"format": "recgym-sim",');
    const broken = await runCli(['env', 'check', 'Tianchi-Sim-v0', '--data', log, '--simulator', notJson]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^recgym env check: --simulator .*not\.json: expected the JSON of recgym sim fit, actual .*\n$/);
    const replay = await runCli(['env', 'check', 'Tianchi-Replay-v0', '--simulator', out]);
    expect(replay.code).toBe(2);
    expect(replay.stderr.split('\n')[0]).toBe('recgym env check: --simulator: expected only with a simulated env, actual Tianchi-Replay-v0 (a replay env)');
  });

  it('refuses bad flags with exit 2 and the usage', async () => {
    const out = join(dir, 'x.json');
    for (const [args, message] of [
      [[log], '--out: expected a file path, actual nothing'],
      [[log, '--out', out, '--train-end', '2014-02-30'], '--train-end: expected a date YYYY-MM-DD, actual "2014-02-30"'],
      [[log, '--out', out, '--preset', 'whale'], '--preset: expected one of default, loyal, explorer, bargain-hunter, impatient, easily-bored, actual "whale"'],
      [['--out', out], 'expected one FILE, actual none'],
    ] as const) {
      const result = await runCli(['sim', 'fit', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(`recgym sim fit: ${message}`);
      expect(result.stderr).toContain('usage: recgym sim fit');
    }
    expect(existsSync(out)).toBe(false);
  });

  it('fails with one line and exit 1 on a bad log, window or target, leaving what was there', async () => {
    const out = join(dir, 'kept.json');
    writeFileSync(out, 'earlier model');
    const early = await runCli(['sim', 'fit', log, '--out', out, '--train-end', '2014-12-01']);
    expect(early.code).toBe(1);
    expect(early.stderr).toBe(`recgym sim fit: --train-end 2014-12-01: expected events of ${log} before it, actual none (the log spans 2014-12-14 .. 2014-12-18)\n`);
    const missing = await runCli(['sim', 'fit', join(dir, 'absent.csv'), '--out', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^recgym sim fit: .*absent\.csv.*\n$/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'user_id,item_id,behavior_type,user_geohash,item_category,time\n1,2,9,,3,2014-12-01 10\n');
    const badRow = await runCli(['sim', 'fit', bad, '--out', out]);
    expect(badRow.code).toBe(1);
    expect(badRow.stderr.split('\n')).toHaveLength(2);
    const noFolder = await runCli(['sim', 'fit', log, '--out', join(dir, 'no', 'such', 'sim.json')]);
    expect(noFolder.code).toBe(1);
    expect(noFolder.stderr).toMatch(/^recgym sim fit: --out .*sim\.json: expected a writable file, actual ENOENT/);
    expect(readFileSync(out, 'utf8')).toBe('earlier model');
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
