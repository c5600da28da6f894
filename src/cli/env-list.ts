import { listEnvs } from '../env/registry.js';
import { labelledLines } from '../report/table.js';
import { parseFlags, UsageError, type Command } from './command.js';

const USAGE = `usage: recgym env list [--json]

Lists the registered environment ids, their options and a description.

  --json    print one JSON object on stdout`;

/** `recgym env list`: the registered environments. */
export const command: Command = {
  path: ['env', 'list'],
  summary: 'list the registered environments',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { json: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`expected no arguments, actual ${positionals.join(' ')}`);
    const envs = listEnvs().map((r) => ({ id: r.id, description: r.description, defaults: r.defaults }));
    if (values.json) {
      io.stdout(`${JSON.stringify({ envs })}\n`);
      return 0;
    }
    const lines = envs.flatMap((env): Array<[string, string]> => [
      [env.id, env.description],
      ['', `(${Object.entries(env.defaults).map(([k, v]) => `${k}=${String(v)}`).join(' ')})`],
    ]);
    io.stdout(`${labelledLines(lines)}\n`);
    return 0;
  },
};
