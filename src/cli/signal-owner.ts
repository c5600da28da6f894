let owner: string | undefined;

/**
 * A command that ends itself cleanly on SIGINT / SIGTERM (`serve` closes its envs and connections
 * and exits 0) claims the signals: the CLI's default handler, which removes unfinished outputs and
 * ends the process by the signal, then leaves them to it.
 */
export function claimSignals(command: string): void {
  owner = command;
}

/** The command that claimed SIGINT / SIGTERM, if any. */
export function signalOwner(): string | undefined {
  return owner;
}
