import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEnvs } from '../../src/env/registry.js';
import { CLIENT, findPython, ROOT, SHARED_PYTHON } from './python.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';

const { python, reason } = findPython();
const hasGymnasium = python !== undefined && existsSync(join(SHARED_PYTHON, 'gymnasium'));
if (!python) console.log(`python client tests skipped: ${reason}`);
else if (!hasGymnasium) console.log(`python client Gymnasium tests skipped: ${SHARED_PYTHON}/gymnasium is absent (set RECGYM_SHARED_PYTHON)`);

const TOKEN = 'python-token-0123456789';
let serve: ServeProcess;
let dir: string;

describe.skipIf(!python)('python client (clients/python/recgym_client)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recgym-py-'));
    writeFileSync(join(dir, 'token'), TOKEN);
    serve = await startServeProcess(['--token-file', join(dir, 'token')]);
  });

  afterAll(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function unittest(pythonPath: string): string {
    const run = spawnSync(python as string, ['-m', 'unittest', 'discover', '-s', join(CLIENT, 'tests'), '-v'], {
      cwd: CLIENT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, PYTHONPATH: pythonPath, RECGYM_SERVER_URL: serve.url, RECGYM_SERVER_TOKEN: TOKEN, PYTHONDONTWRITEBYTECODE: '1' },
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/\nOK/);
    return output;
  }

  it.skipIf(!hasGymnasium)('passes its unittest suite against recgym serve, with Gymnasium check_env on every registered env', () => {
    const output = unittest(`${CLIENT}:${SHARED_PYTHON}`);
    for (const { id } of listEnvs()) expect(output).toContain(`check_env ${id}: passed`);
  });

  it('runs examples/python_random_agent.py against the server, and refuses an unknown env with one line (exit 1)', () => {
    const script = join(ROOT, 'examples', 'python_random_agent.py');
    const tokenFile = join(dir, 'token');
    const env = { ...process.env, PYTHONPATH: [CLIENT, ...(hasGymnasium ? [SHARED_PYTHON] : [])].join(':'), PYTHONDONTWRITEBYTECODE: '1' };
    const run = (args: string[]) => spawnSync(python as string, [script, '--url', serve.url, '--token-file', tokenFile, ...args], { encoding: 'utf8', timeout: 60_000, env });
    const ok = run(['--episodes', '2', '--env', 'Tianchi-Slate-v0']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^episode 0: return \d+\.\d\d, \d+ steps, \d+ hits\nepisode 1: .*\nmean return over 2 episodes: \d+\.\d{3}\n$/);
    const unknown = run(['--env', 'Nope-v0']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^python_random_agent: RECGYM_ERR_UNKNOWN_ENV: unknown env id: expected one of .*, actual "Nope-v0"\n$/);
  });

  it('raises RemoteError with retry_after_ms when the server rate-limits the connection (recgym serve --rate-messages)', async () => {
    const limited = await startServeProcess(['--rate-messages', '1']);
    try {
      const script = [
        'import sys',
        'from recgym_client import Connection, RemoteError',
        'from recgym_client.connection import expect_type',
        'connection = Connection(sys.argv[1], capabilities=())',
        'answers = connection.pipeline([{"type": "make", "envId": "Nope-v0"} for _ in range(8)])',
        'print(answers[0]["code"], answers[-1]["code"])',
        'try:',
        '    expect_type(answers[-1], "made")',
        'except RemoteError as error:',
        '    print(error.code, isinstance(error.retry_after_ms, int) and error.retry_after_ms > 0)',
        'connection.close()',
      ].join('\n');
      const run = spawnSync(python as string, ['-c', script, limited.url], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PYTHONPATH: CLIENT, PYTHONDONTWRITEBYTECODE: '1' } });
      expect(run.status, run.stderr).toBe(0);
      // the hello took the one token of the second; of 8 requests at once the last is refused however slow this machine is
      expect(run.stdout).toMatch(/^RECGYM_ERR_(RATE_LIMITED|UNKNOWN_ENV) RECGYM_ERR_RATE_LIMITED\nRECGYM_ERR_RATE_LIMITED True\n$/);
    } finally {
      await limited.stop();
    }
  });

  it('passes its unittest suite with the standard library and websockets alone', () => {
    const output = unittest(CLIENT);
    expect(output).toMatch(/skipped 'gymnasium is not importable/);
  });
});
