import type { CliIo } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';

/** A CliIo that keeps what the command writes, in `out` and `err`. */
export function collectingIo(isTTY = false): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    isTTY,
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
  };
  return io;
}

/** Runs the `recgym` binary in-process and returns its exit code and output. */
export async function runCli(argv: string[], isTTY = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = collectingIo(isTTY);
  const code = await main(argv, io);
  return { code, stdout: io.out, stderr: io.err };
}
