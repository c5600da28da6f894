import { existsSync } from 'node:fs';
import { writeAtomically } from '../core/atomic-write.js';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { TianchiCsvWriter } from '../data/tianchi-writer.js';
import { ArenaDb, type ShopperKind } from '../server/arena/db.js';
import { parseFlags, UsageError, type Command } from './command.js';
import { checkOutputFile } from './output-path.js';

const USAGE = `usage: recgym export --db FILE --out FILE [--kind all|human|simulated] [--json]

Writes the behaviour an arena collected as a Tianchi CSV that recgym train, eval and sim fit read:
one row per stored event (user_id = the arena's shopper id, the item and category ids of the
arena's data, the behaviour, the hour it was stored, UTC).

  --db FILE        the arena's SQLite database
  --out FILE       the CSV to write (atomically: temporary file, then rename)
  --kind K         all (default), human (registered users) or simulated shoppers
  --json           print the summary as JSON`;

const FLAGS = { db: { type: 'string' }, out: { type: 'string' }, kind: { type: 'string' }, json: { type: 'boolean' } } as const;
const KINDS = ['all', 'human', 'simulated'] as const;

/** `recgym export`: an arena's events as a Tianchi log. */
export const command: Command = {
  path: ['export'],
  summary: "write an arena's collected events as a Tianchi CSV (training data)",
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(args, FLAGS, false);
    if (values.db === undefined) throw new UsageError('--db: expected the arena database, actual none');
    if (values.out === undefined) throw new UsageError('--out: expected a file to write, actual none');
    const kind = values.kind ?? 'all';
    if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind: expected one of ${KINDS.join(', ')}, actual "${kind}"`);
    if (!existsSync(values.db)) throw new RecGymError(ErrorCode.FILE_NOT_FOUND, `--db ${values.db}: expected an arena database, actual no such file`);
    checkOutputFile('out', values.out);
    const db = new ArenaDb(values.db);
    let rows = 0;
    const shoppers = new Set<number>();
    try {
      await writeAtomically(values.out, 'file', async (temp) => {
        const writer = new TianchiCsvWriter(temp);
        try {
          for (const e of db.events(kind === 'all' ? undefined : (kind as ShopperKind))) {
            writer.append(e.shopper, e.item, e.category, e.behavior as 1 | 2 | 3 | 4, Math.floor(e.timeMs / 1000));
            shoppers.add(e.shopper);
            rows++;
          }
        } finally {
          writer.close();
        }
      });
    } finally {
      db.close();
    }
    const summary = { out: values.out, kind, events: rows, shoppers: shoppers.size };
    io.stdout(values.json ? `${JSON.stringify(summary)}\n` : `wrote ${rows} events of ${shoppers.size} shoppers (${kind}) to ${values.out}\n`);
    return 0;
  },
};
