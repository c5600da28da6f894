/** Where a progress bar draws: the CLI's stderr and whether it is a terminal. */
export interface ProgressSink {
  stderr(text: string): void;
  readonly isTTY: boolean;
}

/** A progress bar on stderr, drawn only when stderr is a TTY and only once a run has lasted `delayMs` (1 s). */
export interface Progress {
  update(label: string, done: number, total: number): void;
  /** Clears the bar if one was drawn. */
  finish(): void;
}

/** Creates a {@link Progress}; `now` is injectable for tests. */
export function createProgress(sink: ProgressSink, options: { delayMs?: number; intervalMs?: number; now?: () => number } = {}): Progress {
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? 1000;
  const intervalMs = options.intervalMs ?? 100;
  const startedAt = now();
  let lastDrawAt = -Infinity;
  let drawn = false;
  return {
    update(label, done, total) {
      if (!sink.isTTY) return;
      const t = now();
      if (t - startedAt < delayMs || (t - lastDrawAt < intervalMs && done < total)) return;
      lastDrawAt = t;
      const width = 30;
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(fraction * width);
      sink.stderr(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${((t - startedAt) / 1000).toFixed(1)}s\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) sink.stderr('\r\x1b[K');
      drawn = false;
    },
  };
}

/** A percentage on stderr (`\r<label> N%`), redrawn when the whole percent changes; only when stderr is a TTY. */
export interface PercentLine {
  update(done: number, total: number): void;
  /** Clears the line (on a TTY). */
  finish(): void;
}

/** Creates a {@link PercentLine}, e.g. `reading FILE 42%` while a log loads. */
export function createPercentLine(sink: ProgressSink, label: string): PercentLine {
  let shown = -1;
  return {
    update(done, total) {
      if (!sink.isTTY) return;
      const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
      if (percent === shown) return;
      shown = percent;
      sink.stderr(`\r${label} ${percent}%`);
    },
    finish() {
      if (sink.isTTY) sink.stderr('\r\x1b[K');
    },
  };
}
