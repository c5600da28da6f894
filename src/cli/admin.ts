import { readFileSync } from 'node:fs';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { Auth } from '../server/arena/auth.js';
import { ArenaDb } from '../server/arena/db.js';
import { parseFlags, UsageError, type Command } from './command.js';

const USAGE = `usage: recgym admin create --db FILE --name NAME --password-file F

Creates an arena admin (or makes an existing user of that name an admin when F holds their
password). The password is read from the first line of F (never from a flag, which other users
of the machine could read in the process list).

  --db FILE            the arena's SQLite database (created if missing)
  --name NAME          3 to 32 letters, digits, "_", "-" or "."
  --password-file F    file whose first line is the password (8 to 256 characters)`;

const FLAGS = { db: { type: 'string' }, name: { type: 'string' }, 'password-file': { type: 'string' } } as const;

function readPassword(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RecGymError(ErrorCode.FILE_NOT_FOUND, `--password-file ${path}: expected a readable file, actual ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return text.split(/\r?\n/, 1)[0];
}

/** `recgym admin create`: the arena's first admin. */
export const command: Command = {
  path: ['admin', 'create'],
  summary: 'create an arena admin in the arena database',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(args, FLAGS, false);
    for (const flag of ['db', 'name', 'password-file'] as const) if (values[flag] === undefined) throw new UsageError(`--${flag}: expected a value, actual none`);
    const password = readPassword(values['password-file'] as string);
    const db = new ArenaDb(values.db as string);
    try {
      const auth = new Auth(db);
      const name = values.name as string;
      const existing = db.userByName(name);
      if (existing) {
        const login = await auth.login(name, password, 'cli', Date.now());
        if (!login.ok) throw new RecGymError(ErrorCode.BAD_OPTION, `--name ${name}: the user exists; expected their password in --password-file to make them an admin, actual a wrong one`);
        auth.logout(login.session);
        db.setRole(existing.id, 'admin');
        io.stdout(`user ${name} (id ${existing.id}) is now an admin\n`);
      } else {
        const user = await auth.register(name, password, 'admin', Date.now());
        io.stdout(`admin ${user.name} created (id ${user.id}) in ${values.db}\n`);
      }
    } finally {
      db.close();
    }
    return 0;
  },
};
