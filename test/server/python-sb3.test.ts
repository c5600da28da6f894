import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT, findPython, ROOT, SHARED_PYTHON } from './python.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';

/** Why examples/python_sb3_dqn.py cannot run here, or undefined when torch and Stable-Baselines3 import. */
function missing(python: string | undefined, reason: string | undefined): string | undefined {
  if (python === undefined) return reason;
  const probe = spawnSync(python, ['-c', 'import torch, stable_baselines3'], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: SHARED_PYTHON } });
  if (probe.status === 0) return undefined;
  const last = probe.stderr.trim().split('\n').at(-1);
  return `${python} cannot import torch and stable_baselines3 from ${SHARED_PYTHON} (${last}; apt-get install -y python3-torch python3-numpy python3-cloudpickle)`;
}

const { python, reason } = findPython();
const why = missing(python, reason);
if (why !== undefined) console.log(`Stable-Baselines3 example test skipped: ${why}`);

let serve: ServeProcess;
const SCRIPT = join(ROOT, 'examples', 'python_sb3_dqn.py');
const run = (args: string[]) =>
  spawnSync(python as string, [SCRIPT, '--url', serve.url, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PYTHONPATH: `${CLIENT}:${SHARED_PYTHON}`, PYTHONDONTWRITEBYTECODE: '1' },
  });

describe.skipIf(why !== undefined)('examples/python_sb3_dqn.py', () => {
  beforeAll(async () => {
    serve = await startServeProcess();
  });

  afterAll(async () => {
    await serve?.stop();
  });

  it('trains an unchanged SB3 DQN over the wire and prints its test-window figures beside the TypeScript DQN', () => {
    const done = run(['--steps', '200']);
    expect(done.status, done.stderr).toBe(0);
    const lines = done.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Tianchi-Replay-v0, test window, greedy policy, every episode once (a random pick hits 1 in 5)');
    expect(lines[2]).toMatch(/^stable_baselines3\.DQN +200 +573 +4,617 +[\d,]+ +0\.\d{4} +\d+\.\d{3}$/);
    expect(lines[3]).toMatch(/^recgym dqn \(TypeScript\) +[\d,]+ +573 +4,617 +[\d,]+ +0\.\d{4} +\d+\.\d{3}$/);
  }, 180_000);

  it('refuses a slate env, an unknown env and a bad --steps with one line', () => {
    const slate = run(['--env', 'Tianchi-Slate-v0', '--no-ts']);
    expect(slate.status).toBe(1);
    expect(slate.stderr).toMatch(/^python_sb3_dqn: --env Tianchi-Slate-v0: expected an env with a Discrete action space \(candidates mode\), actual Slate\(10 of \d+ items\)\n$/);
    const unknown = run(['--env', 'Nope-v0']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^python_sb3_dqn: RECGYM_ERR_UNKNOWN_ENV: unknown env id: expected one of .*, actual "Nope-v0"\n$/);
    const steps = run(['--steps', '0']);
    expect(steps.status).toBe(2);
    expect(steps.stderr).toMatch(/python_sb3_dqn: error: --steps: expected an integer >= 1, actual 0\n$/);
  }, 120_000);
});
