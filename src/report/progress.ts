/** Where a progress bar draws: the CLI's stderr and whether it is a terminal. */
export interface ProgressSink {
  stderr(text: string): void;
  readonly isTTY: boolean;
}

/** What one update says besides `done` of `total`. */
export interface ProgressDetail {
  /** What `done` and `total` count (default `steps`); the rate is in these units per second of wall time. */
  readonly unit?: string;
  /** Appended to the line, e.g. the running loss. */
  readonly note?: string;
}

/**
 * Progress of long tasks on stderr. Each `label` is one task with its own clock: its rate (units per
 * second of wall time since the task began), elapsed time and ETA. On a TTY a bar redrawn in place
 * (once the task has run `delayMs`, at most every `intervalMs`); otherwise plain lines, few: once the
 * task has run `plainDelayMs`, a line when another 10 % is done (at most one per `plainMinGapMs`) or
 * `plainMaxGapMs` has passed, and a last one at 100 % if any was written.
 */
export interface Progress {
  update(label: string, done: number, total: number, detail?: ProgressDetail): void;
  /** Clears the bar if one was drawn; the next update starts a new task. */
  finish(): void;
}

/** Timing of {@link createProgress}; `now` is injectable for tests. */
export interface ProgressOptions {
  readonly delayMs?: number;
  readonly intervalMs?: number;
  readonly plainDelayMs?: number;
  readonly plainMinGapMs?: number;
  readonly plainMaxGapMs?: number;
  readonly now?: () => number;
}

/** Creates a {@link Progress} drawing to `sink` (defaults: 1 s delay and 100 ms redraws on a TTY; 3 s, 5 s and 60 s for plain lines). */
export function createProgress(sink: ProgressSink, options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? 1000;
  const intervalMs = options.intervalMs ?? 100;
  const plainDelayMs = options.plainDelayMs ?? 3000;
  const plainMinGapMs = options.plainMinGapMs ?? 5000;
  const plainMaxGapMs = options.plainMaxGapMs ?? 60_000;
  let task = '';
  let startedAt = now();
  let lastUpdateAt = startedAt;
  let lastDrawAt = -Infinity;
  let lastTenth = 0;
  let drawn = false;
  let linesWritten = 0;
  const clear = () => {
    if (drawn) sink.stderr('\r\x1b[K');
    drawn = false;
  };
  return {
    update(label, done, total, detail = {}) {
      const t = now();
      if (label !== task) {
        clear();
        task = label;
        // A task first heard of with work done began when the one before it last reported.
        startedAt = done === 0 ? t : lastUpdateAt;
        lastDrawAt = -Infinity;
        lastTenth = 0;
        linesWritten = 0;
      }
      lastUpdateAt = t;
      const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
      const elapsedMs = t - startedAt;
      const unit = detail.unit ?? 'steps';
      const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
      const eta = rate > 0 ? formatSeconds(Math.max(0, total - done) / rate) : '?';
      const note = detail.note ? ` ${detail.note}` : '';
      const figures = `${amount(done)}/${amount(total)} ${unit}, ${rate < 100 ? rate.toFixed(1) : Math.round(rate)} ${unit}/s, ${formatSeconds(elapsedMs / 1000)} elapsed, ETA ${eta}`;
      if (sink.isTTY) {
        if (elapsedMs < delayMs || (t - lastDrawAt < intervalMs && fraction < 1)) return;
        lastDrawAt = t;
        const width = 30;
        const filled = Math.round(fraction * width);
        sink.stderr(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${figures}${note}\x1b[K`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(fraction * 10);
      const isLast = fraction === 1 && linesWritten > 0 && lastTenth < 10;
      const isDue = elapsedMs >= plainDelayMs && ((tenth > lastTenth && t - lastDrawAt >= plainMinGapMs) || t - lastDrawAt >= plainMaxGapMs);
      if (!isLast && !isDue) return;
      lastDrawAt = t;
      lastTenth = tenth;
      linesWritten++;
      sink.stderr(`${label}: ${Math.floor(fraction * 100)}% (${figures})${note}\n`);
    },
    finish() {
      clear();
      task = '';
    },
  };
}

/** A count as an integer, or with one decimal below 100 (megabytes). */
function amount(value: number): string {
  return Number.isInteger(value) || Math.abs(value) >= 100 ? String(Math.round(value)) : value.toFixed(1);
}

/** Seconds as `4.2s`, `3m05s` or `2h07m`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
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
