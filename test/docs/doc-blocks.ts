/**
 * The shell blocks of a markdown file and the output blocks shown under them.
 *
 * A shell block (```sh) is marked by an HTML comment on a line before it:
 *
 * - `<!-- docs-test: run -->`: quick; the docs test runs its commands and compares the output block
 *   that follows (a fence without a language, only blank lines between) with the last command's stdout;
 * - `<!-- docs-test: long -->`: minutes of work; the docs test checks that every recgym command in it
 *   takes the flags it is given, and that the lines of its output block have the shape of the real
 *   output (a short run of the same command on tiny data).
 */

/** How the docs test treats a block. */
export type BlockMode = 'run' | 'long';

/** A marked shell block: its commands (one per line, comments kept) and the output shown under it. */
export interface DocBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly mode: BlockMode;
  readonly commands: readonly string[];
  readonly output?: readonly string[];
}

/** A shell block without a marker, or a marker without a shell block. */
export interface UnmarkedBlock {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
}

const MARKER = /^<!-- docs-test: (run|long) -->$/;
const FENCE = /^```(\S*)\s*$/;

interface Fence {
  readonly line: number;
  readonly language: string;
  readonly body: string[];
  /** Index in the file's lines of the closing fence. */
  readonly end: number;
}

function fenceAt(lines: readonly string[], index: number): Fence | undefined {
  const open = FENCE.exec(lines[index]);
  if (!open) return undefined;
  const body: string[] = [];
  for (let i = index + 1; i < lines.length; i++) {
    if (lines[i].startsWith('```')) return { line: index + 1, language: open[1], body, end: i };
    body.push(lines[i]);
  }
  throw new RangeError(`expected a closing fence for the block opened at line ${index + 1}, actual the end of the file`);
}

function nextNonBlank(lines: readonly string[], from: number): number {
  let i = from;
  while (i < lines.length && lines[i].trim() === '') i++;
  return i;
}

/** The marked shell blocks of `text` (the markdown of `file`), and every shell block or marker that is not paired. */
export function docBlocks(file: string, text: string): { blocks: DocBlock[]; unmarked: UnmarkedBlock[] } {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  const unmarked: UnmarkedBlock[] = [];
  let pending: { mode: BlockMode; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const marker = MARKER.exec(lines[i].trim());
    if (marker) {
      if (pending) unmarked.push({ file, line: pending.line, problem: 'a docs-test marker without a shell block after it' });
      pending = { mode: marker[1] as BlockMode, line: i + 1 };
      continue;
    }
    const fence = fenceAt(lines, i);
    if (!fence) continue;
    if (fence.language === 'sh') {
      if (!pending) {
        unmarked.push({ file, line: fence.line, problem: 'a shell block without <!-- docs-test: run --> or <!-- docs-test: long --> before it' });
      } else {
        const after = nextNonBlank(lines, fence.end + 1);
        const shown = after < lines.length ? fenceAt(lines, after) : undefined;
        const output = shown && shown.language === '' ? shown : undefined;
        blocks.push({ file, line: fence.line, mode: pending.mode, commands: fence.body, ...(output ? { output: output.body } : {}) });
        if (output) {
          i = output.end;
          pending = undefined;
          continue;
        }
      }
    } else if (pending) {
      unmarked.push({ file, line: pending.line, problem: `a docs-test marker before a ${fence.language || 'plain'} block instead of a shell block` });
    }
    pending = undefined;
    i = fence.end;
  }
  if (pending) unmarked.push({ file, line: pending.line, problem: 'a docs-test marker without a shell block after it' });
  return { blocks, unmarked };
}
