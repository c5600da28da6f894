import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { variantsFlag } from '../../src/cli/compare-online.js';
import { runCli } from '../helpers/collecting-io.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-compare-online-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recgym compare --env', () => {
  it('compares agents online in a simulated env, prints the table and writes the JSON and Markdown', async () => {
    const out = join(dir, 'out');
    const result = await runCli(['compare', '--env', 'Tianchi-Sim-v0', '--agents', 'recent,popularity,random', '--seeds', '0,1', '--resamples', '30', '--out', out, '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Tianchi-Sim-v0: \d+ shoppers × 1 session\(s\) per seed, seeds 0,1, C = 20, purchase reward 0\.80/);
    expect(result.stdout).toMatch(/\nrecent +log +\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]/);
    expect(result.stdout).toMatch(/recent − random +\+\d\.\d{4} \[\+\d\.\d{4}, \+\d\.\d{4}\] +>0/);
    const json = JSON.parse(readFileSync(join(out, 'online-compare.json'), 'utf8'));
    expect(json.rows.map((r: { name: string }) => r.name)).toEqual(['recent', 'popularity', 'random']);
    expect(json.diffs).toHaveLength(3);
    expect(readFileSync(join(out, 'online-compare.md'), 'utf8')).toContain('| recent − popularity |');
  }, 120_000);

  it("runs the reference rules that read the simulator: on Tianchi-Sim-Bored-v0 variety beats the own item, paired CI above 0", async () => {
    const out = join(dir, 'oracles');
    const result = await runCli(['compare', '--env', 'Tianchi-Sim-Bored-v0', '--agents', 'oracle-variety,oracle-own-item', '--seeds', '0', '--resamples', '200', '--out', out, '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\noracle-variety +oracle +\d\.\d{4}/);
    expect(result.stdout).toMatch(/oracle-variety − oracle-own-item +\+\d\.\d{4} \[\+\d\.\d{4}, \+\d\.\d{4}\] +>0/);
    const json = JSON.parse(readFileSync(join(out, 'online-compare.json'), 'utf8'));
    expect(json.rows.map((r: { trainedIn: string }) => r.trainedIn)).toEqual(['oracle', 'oracle']);
    expect(json.rows[1].acceptRate.mean).toBe(1);
  }, 120_000);

  it('gives every DQN the --dqn-config options under its own: the myopic γ, the ablations\' one option each', () => {
    const file = { qItemTerm: false, featureInit: 'ranker', gamma: 0.5, epochs: 3 };
    const configs = Object.fromEntries(variantsFlag('dqn,dqn-myopic,dqn-item-term,dqn-zero-start,ranker', file).map((v) => [v.name, v.config]));
    expect(configs.dqn).toEqual(file);
    expect(configs['dqn-myopic']).toEqual({ ...file, gamma: 0 });
    expect(configs['dqn-item-term']).toEqual({ ...file, qItemTerm: true });
    expect(configs['dqn-zero-start']).toEqual({ ...file, featureInit: 'zeros' });
    expect(configs.ranker).toBeUndefined();
  });

  it('refuses a replay env, a slate env, an unknown agent or preset with a one-line error', async () => {
    const replay = await runCli(['compare', '--env', 'Tianchi-Replay-v0', '--out', join(dir, 'x')]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain('expected a simulated env');
    const slate = await runCli(['compare', '--env', 'Tianchi-Sim-Slate-v0', '--out', join(dir, 'x')]);
    expect(slate.code).toBe(2);
    expect(slate.stderr).toContain('expected a candidates-mode simulated env');
    const agent = await runCli(['compare', '--env', 'Tianchi-Sim-v0', '--agents', 'recent,nope', '--out', join(dir, 'x')]);
    expect(agent.code).toBe(2);
    expect(agent.stderr).toContain('--agents: expected names from dqn, dqn-myopic');
    const preset = await runCli(['compare', '--env', 'Tianchi-Sim-v0', '--simulator', 'nope', '--out', join(dir, 'x')]);
    expect(preset.code).toBe(1);
    expect(preset.stderr.trim().split('\n')).toHaveLength(1);
    expect(preset.stderr).toContain('nope');
  });
});
