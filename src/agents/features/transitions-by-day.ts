import { SECONDS_PER_DAY, type EventStore } from '../../data/event-store.js';

/**
 * Item -> next-item transitions of consecutive events of each user, dated by the day of the second
 * event, as compressed rows: row `a` holds `(next, day, count)` entries sorted by next item then day.
 * A state on day d sums only the entries of days before d, so a training state sees the
 * transitions of the days before its own, as a test state does.
 */
export class TransitionsByDay {
  readonly rowStart: Int32Array;
  readonly next: Int32Array;
  /** Day (period) index relative to `firstDay`. */
  readonly day: Int32Array;
  readonly count: Int32Array;
  readonly firstDay: number;

  /** Counts the transitions whose both events are before `untilTime`, dated by periods of `periodSeconds` (a day by default). */
  constructor(store: EventStore, untilTime: number, periodSeconds = SECONDS_PER_DAY) {
    const { items, times, userOffsets, numUsers, numItems } = store;
    this.firstDay = store.length > 0 ? Math.floor(store.minTime / periodSeconds) : 0;
    const rowCount = new Int32Array(numItems + 1);
    let pairs = 0;
    for (let u = 0; u < numUsers; u++) {
      for (let p = userOffsets[u] + 1; p < userOffsets[u + 1]; p++) {
        if (times[p] >= untilTime) break;
        rowCount[items[p - 1] + 1]++;
        pairs++;
      }
    }
    for (let a = 0; a < numItems; a++) rowCount[a + 1] += rowCount[a];
    // Key (next, day) per pair, placed in its row, then each row sorted and run-length counted.
    const keys = new Float64Array(pairs);
    const fill = rowCount.slice(0, numItems);
    const dayStride = 1 << 16;
    for (let u = 0; u < numUsers; u++) {
      for (let p = userOffsets[u] + 1; p < userOffsets[u + 1]; p++) {
        if (times[p] >= untilTime) break;
        const day = Math.floor(times[p] / periodSeconds) - this.firstDay;
        keys[fill[items[p - 1]]++] = items[p] * dayStride + day;
      }
    }
    const rowStart = new Int32Array(numItems + 1);
    const next = new Int32Array(pairs);
    const days = new Int32Array(pairs);
    const count = new Int32Array(pairs);
    let n = 0;
    for (let a = 0; a < numItems; a++) {
      rowStart[a] = n;
      const row = keys.subarray(rowCount[a], rowCount[a + 1]).sort();
      for (let j = 0; j < row.length; j++) {
        if (j > 0 && row[j] === row[j - 1]) {
          count[n - 1]++;
          continue;
        }
        next[n] = Math.floor(row[j] / dayStride);
        days[n] = row[j] % dayStride;
        count[n] = 1;
        n++;
      }
    }
    rowStart[numItems] = n;
    this.rowStart = rowStart;
    this.next = next.slice(0, n);
    this.day = days.slice(0, n);
    this.count = count.slice(0, n);
  }
}
