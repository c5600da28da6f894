/** Why a row was skipped: wrong number of columns, unknown behaviour, unparsable time, unparsable id. */
export type RejectReason = 'columnCount' | 'unknownBehavior' | 'badTime' | 'badId';

/** Every reason, in report order. */
export const REJECT_REASONS: readonly RejectReason[] = ['columnCount', 'unknownBehavior', 'badTime', 'badId'];

/** How many rows were skipped for one reason, where the first ones are, and what was wrong with the first. */
export interface RejectCount {
  count: number;
  /** 1-based file line numbers of the first {@link MAX_REJECT_LINES} such rows (a header is line 1). */
  firstLines: number[];
  /** `file:line: reason` of the first such row; absent when `count` is 0. */
  firstMessage?: string;
}

/** Skipped rows of one log: the total and a count per reason (every reason is present). */
export interface RejectReport {
  total: number;
  byReason: Record<RejectReason, RejectCount>;
}

/** Number of line numbers kept per reason. */
export const MAX_REJECT_LINES = 5;

/** Accumulates skipped rows into a {@link RejectReport}. */
export class RejectCounter {
  readonly report: RejectReport = {
    total: 0,
    byReason: {
      columnCount: { count: 0, firstLines: [] },
      unknownBehavior: { count: 0, firstLines: [] },
      badTime: { count: 0, firstLines: [] },
      badId: { count: 0, firstLines: [] },
    },
  };

  /** True when a row of this reason would still be listed, so its message is worth building. */
  wantsMessage(reason: RejectReason): boolean {
    return this.report.byReason[reason].count === 0;
  }

  /** Counts one skipped row; `message` is kept only for the first row of a reason. */
  add(reason: RejectReason, line: number, message?: string): void {
    const entry = this.report.byReason[reason];
    if (entry.count === 0 && message !== undefined) entry.firstMessage = message;
    if (entry.firstLines.length < MAX_REJECT_LINES) entry.firstLines.push(line);
    entry.count++;
    this.report.total++;
  }
}

/** A one-line summary such as `3 rows skipped: 2 badTime (lines 4, 9), 1 badId (line 7)`; empty when none. */
export function formatRejects(report: RejectReport): string {
  if (report.total === 0) return '';
  const parts = REJECT_REASONS.filter((r) => report.byReason[r].count > 0).map((r) => {
    const { count, firstLines } = report.byReason[r];
    const more = count > firstLines.length ? ', …' : '';
    return `${count} ${r} (line${firstLines.length > 1 ? 's' : ''} ${firstLines.join(', ')}${more})`;
  });
  return `${report.total} row${report.total === 1 ? '' : 's'} skipped: ${parts.join(', ')}`;
}
