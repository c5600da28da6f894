/**
 * The README's and the tutorial's commands, run, and the lines they show, checked.
 *
 * Every ```sh block of README.md and docs/tutorial.md is marked (see doc-blocks.ts):
 * - `run` blocks run in-process on the embedded data (paths under /tmp/ go to a temporary folder and
 *   are printed back as /tmp/); the output block under one is the last command's stdout, line for
 *   line, where a line `…` stands for any lines left out, and rates and durations are masked on both
 *   sides (`maskTiming`). A block on a real sample (../shared/data) is skipped when the sample is absent.
 * - `long` blocks (npm start, training on the full embedded data) are not run: every recgym command in
 *   them must take its flags, and every line of the output block must have the shape (`lineShape`:
 *   numbers, backends and marks masked) of a line of the same command's output on tiny data, in order.
 *
 * To regenerate a long block after its output changed: build (`npm run build`), run its command as
 * written (e.g. `node dist/src/cli/main.js train --agent dqn --out runs/dqn 2>&1 | tee /tmp/dqn.log`,
 * or `npm start`), and paste the lines the block shows from what it printed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/collecting-io.js';
import { TINY_DQN } from '../helpers/tiny-dqn.js';
import { docBlocks, type DocBlock } from './doc-blocks.js';
import { lineShape, maskTiming, recgymCommands } from './doc-commands.js';

const root = new URL('../../', import.meta.url);
const DOCS = ['README.md', 'docs/tutorial.md'];
const texts = new Map(DOCS.map((file) => [file, readFileSync(new URL(file, root), 'utf8')]));
const parsed = DOCS.map((file) => docBlocks(file, texts.get(file) as string));
const blocks = parsed.flatMap((p) => p.blocks);
const SHARED = '../shared/data/';

/** A flag no command has: parsing stops at the first unknown flag, so this one is named only when every flag before it is known. */
const PROBE = '--docs-test-probe';

/** Flags a command takes besides those the README table lists, and why. */
const ALIASES: Record<string, readonly string[]> = { demo: ['--out-dir'] /* --out's old name, kept working; its help says so */ };

/** Shown lines a short run cannot print, with why (their shape is still checked against the other lines' prefixes by eye). */
const CONDITIONAL = [/^recgym train: restored epoch /];

const dir = mkdtempSync(join(tmpdir(), 'recgym-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** stdout and stderr in the order written, and stdout alone. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; both: string }> {
  let stdout = '';
  let both = '';
  const io: CliIo = {
    isTTY: false,
    stdout(text) {
      stdout += text;
      both += text;
    },
    stderr(text) {
      both += text;
    },
  };
  const code = await main(argv, io);
  return { code, stdout, both };
}

const where = (block: DocBlock) => `${block.file}:${block.line}`;
const toTemp = (argv: string[]) => argv.map((word) => (word.startsWith('/tmp/') ? join(dir, word.slice('/tmp/'.length)) : word));
const fromTemp = (text: string) => text.split(dir).join('/tmp');

function lines(text: string): string[] {
  const out = text.split('\n');
  while (out.length > 0 && out[out.length - 1].trim() === '') out.pop();
  return out;
}

/** Whether `real` is `shown` with each `…` line standing for any run of lines (possibly none). */
function matchesWithGaps(shown: readonly string[], real: readonly string[]): boolean {
  const segments: string[][] = [[]];
  for (const line of shown) {
    if (line.trim() === '…') segments.push([]);
    else segments[segments.length - 1].push(line);
  }
  const at = (from: number, segment: readonly string[]) => segment.every((line, k) => real[from + k] === line);
  let position = 0;
  for (const [s, segment] of segments.entries()) {
    const isFirst = s === 0;
    const isLast = s === segments.length - 1;
    if (isFirst && isLast) return segment.length === real.length && at(0, segment);
    if (isFirst) {
      if (!at(0, segment)) return false;
      position = segment.length;
    } else if (isLast) {
      const start = real.length - segment.length;
      return start >= position && at(start, segment);
    } else {
      let found = -1;
      for (let p = position; p + segment.length <= real.length && found < 0; p++) if (at(p, segment)) found = p;
      if (found < 0) return false;
      position = found + segment.length;
    }
  }
  return true;
}

/** The shown lines whose shape no line of the real output has, in order. */
function unmatchedShapes(shown: readonly string[], real: readonly string[]): string[] {
  const shapes = real.map(lineShape);
  const missing: string[] = [];
  let position = 0;
  for (const line of shown) {
    if (line.trim() === '' || line.trim() === '…' || CONDITIONAL.some((pattern) => pattern.test(line))) continue;
    const found = shapes.indexOf(lineShape(line), position);
    if (found < 0) missing.push(line);
    else position = found + 1;
  }
  return missing;
}

describe('docs blocks', () => {
  it('every shell block is marked run or long', () => {
    expect(parsed.flatMap((p) => p.unmarked)).toEqual([]);
    expect(blocks.filter((b) => b.mode === 'run').length).toBeGreaterThanOrEqual(4);
    expect(blocks.filter((b) => b.mode === 'long').length).toBeGreaterThanOrEqual(4);
  });

  describe('run blocks show what their commands print', () => {
    for (const block of blocks.filter((b) => b.mode === 'run')) {
      const commands = recgymCommands(block.commands);
      it(`${where(block)}: ${commands.map((c) => c.text).join('; ')}`, async () => {
        expect(commands.length).toBeGreaterThan(0);
        const sample = commands.flatMap((c) => c.argv).find((word) => word.startsWith(SHARED));
        if (sample && !existsSync(sample)) {
          console.warn(`real-sample tests skipped: ${sample} is absent (${where(block)})`);
          return;
        }
        let last = { code: -1, stdout: '', both: '' };
        for (const command of commands) {
          last = await run(toTemp(command.argv));
          expect(last.code, `${command.text}\n${last.both}`).toBe(0);
        }
        if (!block.output) return;
        const real = lines(fromTemp(last.stdout)).map(maskTiming);
        const shown = lines(block.output.join('\n')).map(maskTiming);
        expect(matchesWithGaps(shown, real), `${where(block)} shows:\n${shown.join('\n')}\n\nthe command prints:\n${real.join('\n')}`).toBe(true);
      });
    }
  });

  describe('long blocks: their flags exist, their lines have the real output\'s shape', () => {
    const data = join(dir, 'tiny.csv');
    const dqnConfig = join(dir, 'tiny-dqn.json');
    const rankerConfig = join(dir, 'tiny-ranker.json');
    beforeAll(async () => {
      expect((await runCli(['generate', '--out', data, '--users', '60', '--days', '6', '--items', '300', '--categories', '10', '--seed', '5'])).code).toBe(0);
      writeFileSync(dqnConfig, JSON.stringify(TINY_DQN));
      writeFileSync(rankerConfig, JSON.stringify({ passesPerEpoch: 1, batchSize: 64, uniformNegatives: 16 }));
    });

    /** The command on the tiny log with tiny configs, writing to a fresh folder. */
    function shortRun(argv: readonly string[], index: number): string[] {
      const kept: string[] = [];
      const replaced = new Set(['--out', '--data', '--config', '--ranker-config', '--dqn-config', '--epochs', '--resamples', '--backend']);
      for (let i = 1; i < argv.length; i++) {
        if (replaced.has(argv[i])) i++;
        else kept.push(argv[i]);
      }
      const out = ['--out', join(dir, `short-${index}`), '--data', data, '--epochs', '2'];
      if (argv[0] === 'compare') return ['compare', ...kept, ...out, '--ranker-config', rankerConfig, '--dqn-config', dqnConfig, '--resamples', '20'];
      if (argv[0] === 'train') return ['train', ...kept, ...out, '--config', kept.includes('ranker') ? rankerConfig : dqnConfig];
      throw new RangeError(`expected a long block's shown output to come from compare or train, actual recgym ${argv[0]}`);
    }

    for (const [index, block] of blocks.filter((b) => b.mode === 'long').entries()) {
      const commands = recgymCommands(block.commands);
      it(`${where(block)}: ${commands.map((c) => c.text).join('; ')}`, async () => {
        for (const command of commands) {
          const probe = await run([...command.argv, PROBE]);
          expect(probe.code, command.text).toBe(2);
          expect(probe.both.split('\n')[0], command.text).toMatch(new RegExp(`: unknown flag ${PROBE}: expected one of `));
        }
        if (!block.output) return;
        expect(commands.length).toBeGreaterThan(0);
        const short = await run(shortRun(commands[commands.length - 1].argv, index));
        expect(short.code, short.both).toBe(0);
        const missing = unmatchedShapes(block.output, lines(short.both));
        expect(missing, `${where(block)}: lines whose shape (${'`lineShape`'}) the real output lacks, or out of order; it printed:\n${short.both}`).toEqual([]);
      });
    }
  });
});

describe('README command table', () => {
  const readme = texts.get('README.md') as string;
  const section = readme.slice(readme.indexOf('## The command line'));
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| `recgym '))
    .map((line) => /^\| `(recgym [^`]*)`/.exec(line)?.[1] as string);

  /** The flags `recgym path` accepts, read from the parser's own list. */
  async function acceptedFlags(path: readonly string[]): Promise<string[]> {
    const probe = await run([...path, PROBE]);
    const list = /unknown flag --docs-test-probe: expected one of (.*)$/m.exec(probe.both)?.[1];
    if (list === undefined) throw new RangeError(`expected recgym ${path.join(' ')} to list its flags, actual ${probe.both}`);
    return list.split(', ');
  }

  it.each(COMMANDS.map((c) => [c.path.join(' ')]))('lists recgym %s with exactly the flags it takes, each in its --help', async (name) => {
    const path = name.split(' ');
    const row = rows.find((r) => r.startsWith(`recgym ${name} `) || r === `recgym ${name}`);
    expect(row, `README's command table has no row for recgym ${name}`).toBeDefined();
    const documented = [...new Set(row?.match(/--[a-z][a-z0-9-]*/g) ?? [])].sort();
    const accepted = await acceptedFlags(path);
    expect(documented).toEqual(accepted.filter((flag) => !(ALIASES[name] ?? []).includes(flag)).sort());
    const help = await run([...path, '--help']);
    for (const flag of accepted) expect(help.stdout, `recgym ${name} --help`).toMatch(new RegExp(`${flag}\\b`));
  });

  it('the top-level help gives each command the summary the command has', async () => {
    for (const entry of COMMANDS) expect(entry.summary, entry.path.join(' ')).toBe((await entry.load()).summary);
  });
});
