import { type ServeProcess, startLoggingProcess } from '../serve-process.js';

/** `recgym arena --port 0 ...args` in a child process; `url` is its http URL. */
export function startArenaProcess(args: string[]): Promise<ServeProcess> {
  return startLoggingProcess('arena', args, 'arena open');
}
