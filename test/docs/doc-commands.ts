/** A recgym command of a docs shell block: the words after the binary, and the line it came from. */
export interface DocCommand {
  readonly argv: string[];
  readonly text: string;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(\S+)$/;

/** The words of `command` with `$NAME` replaced from `variables`; throws on a variable the block never set. */
function words(command: string, variables: ReadonlyMap<string, string>): string[] {
  return command
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) =>
      word.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
        const value = variables.get(name);
        if (value === undefined) throw new RangeError(`expected $${name} to be set earlier in the block, actual unset in "${command}"`);
        return value;
      }),
    );
}

/**
 * The recgym commands of a shell block's lines, in order: `node dist/src/cli/main.js ARGS`, `recgym ARGS`
 * and `npm start [-- ARGS]` (= `recgym compare`). A `# comment` ends a line, `&&` separates commands,
 * `NAME=value` sets a variable for later lines; other commands (`npm install`, `npm test`) are not recgym's and are left out.
 */
export function recgymCommands(lines: readonly string[]): DocCommand[] {
  const variables = new Map<string, string>();
  const commands: DocCommand[] = [];
  for (const line of lines) {
    const code = line.replace(/(^|\s)#.*$/, '');
    for (const part of code.split('&&')) {
      const text = part.trim();
      if (text === '') continue;
      const assignment = ASSIGNMENT.exec(text);
      if (assignment) {
        variables.set(assignment[1], assignment[2]);
        continue;
      }
      const w = words(text, variables);
      if (w[0] === 'node' && w[1] === 'dist/src/cli/main.js') commands.push({ argv: w.slice(2), text });
      else if (w[0] === 'recgym') commands.push({ argv: w.slice(1), text });
      else if (w[0] === 'npm' && w[1] === 'start') commands.push({ argv: ['compare', ...w.slice(w[2] === '--' ? 3 : 2)], text });
    }
  }
  return commands;
}

/**
 * What depends on the machine, masked the same way in the docs and in the real output: a rate
 * (`2,037,576 rows/s`, `7213 tr/s` → `<rate> rows/s`) and a duration (`0.07 s`, `72.3s`, `1m05s` → `<time>`).
 */
export function maskTiming(line: string): string {
  return line.replace(/\d[\d,]*(?:\.\d+)? ([a-z]+(?: [a-z]+)?)\/s\b/g, '<rate> $1/s').replace(/\b(?:\d+m)?\d+(?:\.\d+)? ?s\b/g, '<time>');
}

/**
 * A line's shape, for output that differs with the data (long blocks checked against a short run):
 * the data's name (`data default`, `data FILE`) is `data <data>`, every number is `#`, a backend name is `<backend>`, the marks of a chosen epoch (`*`) and of a CI
 * above or below 0 (`>0`, `<0`) are dropped, a rule of dashes is `--` and runs of spaces are one.
 */
export function lineShape(line: string): string {
  return line
    .replace(/\bdata (?:default|[^\s:]*\/[^\s:]*)(?=[: ])/g, 'data <data>')
    .replace(/(\d)\*/g, '$1')
    .replace(/\s(?:>0|<0|\*)(?=\s|$)/g, '')
    .replace(/\b(?:wasm|cpu|tensorflow|js)\b/g, '<backend>')
    .replace(/[+-]?\d[\d,]*(?:\.\d+)?/g, '#')
    .replace(/-{2,}/g, '--')
    .replace(/\s+/g, ' ')
    .trim();
}
