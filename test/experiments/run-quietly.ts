import { vi } from 'vitest';

/** Runs an experiment script's `main` with what it writes to stdout and stderr captured, not printed. */
export async function runQuietly(main: (argv: string[]) => Promise<void>, argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const captured = { stdout: '', stderr: '' };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
    captured.stdout += String(text);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
    captured.stderr += String(text);
    return true;
  });
  try {
    await main(argv);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return captured;
}
