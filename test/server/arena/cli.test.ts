import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/collecting-io.js';

describe('recgym arena and recgym export flags', () => {
  it('refuses bad flags with exit 2 and a line naming the flag, before any work', async () => {
    const cases: Array<[string[], string]> = [
      [['arena', '--policy', 'popularity'], '--policy: expected at least 2 policies, actual 1'],
      [['arena', '--simulator', 'nonsense'], '--simulator: expected a preset (default, loyal, explorer, bargain-hunter, impatient, easily-bored) or a .json file, actual "nonsense"'],
      [['arena', '--teams', '1'], '--teams'],
      [['arena', '--deadline-ms', '0'], '--deadline-ms'],
      [['arena', '--host', '0.0.0.0'], '--host 0.0.0.0: expected --token-file when the host is not loopback'],
      [['export', '--db', 'x.db'], '--out: expected a file to write, actual none'],
      [['export', '--db', 'x.db', '--out', 'y.csv', '--kind', 'robots'], '--kind: expected one of all, human, simulated, actual "robots"'],
      [['admin', 'create', '--db', 'x.db'], '--name: expected a value, actual none'],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});
