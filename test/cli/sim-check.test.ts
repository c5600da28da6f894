import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/collecting-io.js';
import { simFixture } from '../helpers/sim-fixture.js';

const { dir, log, other, sim } = simFixture('recgym-sim-check-');

describe('recgym sim check', () => {
  it('prints the report card as text, and as one JSON object with --json', async () => {
    const text = await runCli(['sim', 'check', sim, log, '--steps', '20']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/held out 2014-12-18: \d+ users/);
    expect(text.stdout).toMatch(/Kendall tau -?\d\.\d{3} \(mark: 1\)/);
    expect(text.stdout).toMatch(/two-sample classifier .*: AUC \d\.\d{3} on \d+ real and \d+ simulated sessions \(mark: < 0\.75; 0\.5 = indistinguishable\) (pass|FAIL)\n {2}most telling features/);
    const json = await runCli(['sim', 'check', sim, log, '--steps', '20', '--json']);
    expect(json.code).toBe(0);
    const card = JSON.parse(json.stdout);
    expect(card.policies.map((p: { agent: string }) => p.agent)).toEqual(['random', 'popularity', 'cooccurrence', 'recent']);
    expect(card.distances).toHaveLength(7);
    expect(card.twoSample).toMatchObject({ mark: 0.75, passed: card.twoSample.auc < 0.75 });
    expect(card.twoSample.weights).toHaveLength(12);
    expect(card.heldOutWindow).toEqual({ start: Date.parse('2014-12-18T00:00:00Z') / 1000, end: Date.parse('2014-12-19T00:00:00Z') / 1000 });
  }, 60_000);

  it('ranks the ranker and the DQN too with --learners, each trained on the real and on the simulated log', async () => {
    const json = await runCli(['sim', 'check', sim, log, '--steps', '20', '--learners', '--json']);
    expect(json.code).toBe(0);
    const card = JSON.parse(json.stdout);
    expect(card.policies.map((p: { agent: string }) => p.agent)).toEqual(['random', 'popularity', 'cooccurrence', 'recent', 'ranker', 'dqn']);
    for (const p of card.policies) expect(p.real).toBeGreaterThan(0);
  }, 300_000);

  it('refuses bad flags with exit 2 and a model of another log, bad JSON or a missing file with exit 1, in one line', async () => {
    const missing = await runCli(['sim', 'check', sim]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`expected SIM.json and FILE, actual ${sim}`);
    expect((await runCli(['sim', 'check', sim, log, '--steps', '0'])).code).toBe(2);
    const foreign = await runCli(['sim', 'check', sim, other]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(new RegExp(`^recgym sim check: ${sim.replace(/[.]/g, '\\.')}: expected a model fitted on this log .* \\(FILE ${other.replace(/[.]/g, '\\.')}\\)\\n$`));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{');
    const bad = await runCli(['sim', 'check', broken, log]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(`${broken}: expected the JSON of recgym sim fit`);
    const absent = await runCli(['sim', 'check', join(dir, 'none.json'), log]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain('none.json: expected a readable JSON file');
  }, 60_000);
});
