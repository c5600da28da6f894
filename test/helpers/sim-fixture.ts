import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { runCli } from './collecting-io.js';

/** A temporary folder with a small generated log, another log, and a simulator fitted on the first (`sim fit`); registers its setup and removal with the calling test file. */
export function simFixture(prefix: string): { dir: string; log: string; other: string; sim: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const fixture = { dir, log: join(dir, 'log.csv'), other: join(dir, 'other.csv'), sim: join(dir, 'sim.json') };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    expect((await runCli(['generate', '--users', '150', '--days', '5', '--items', '400', '--categories', '12', '--seed', '2', '--start', '2014-12-14', '--out', fixture.log])).code).toBe(0);
    expect((await runCli(['generate', '--users', '120', '--days', '5', '--items', '300', '--categories', '12', '--seed', '3', '--start', '2014-12-14', '--out', fixture.other])).code).toBe(0);
    expect((await runCli(['sim', 'fit', fixture.log, '--out', fixture.sim])).code).toBe(0);
  });
  return fixture;
}
