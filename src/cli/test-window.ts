import { ErrorCode, RecGymError } from '../core/errors.js';
import type { EventStore } from '../data/event-store.js';
import { formatDay, formatWindow, splitAtTime, splitByDay, type DaySplit } from '../data/split.js';
import { testWindowVolume } from '../data/test-window-volume.js';
import { parseTestStart } from '../eval/test-cases.js';
import { formatCount } from '../report/format.js';
import { UsageError, dayFlag, timeFlag } from './command.js';

/** `--test-day` and `--test-start` as given to a command (each absent when not given). */
export interface TestWindowFlags {
  readonly testDay?: string;
  readonly testStart?: string;
}

/** A UsageError (exit 2) when both flags are given or either is malformed. */
export function checkTestWindowFlags(flags: TestWindowFlags): void {
  if (flags.testDay !== undefined && flags.testStart !== undefined) throw new UsageError('expected --test-day or --test-start, actual both');
  dayFlag('test-day', flags.testDay);
  timeFlag('test-start', flags.testStart);
}

/** The split the flags choose: the day of `--test-day`, the window from `--test-start`, else the last day with events. */
export function chooseSplit(store: EventStore, flags: TestWindowFlags): DaySplit {
  checkTestWindowFlags(flags);
  return flags.testStart !== undefined ? splitAtTime(store, parseTestStart(flags.testStart)) : splitByDay(store, flags.testDay);
}

/**
 * What is wrong with the test window, in one line with the flag to pass: it has no test case, or it
 * holds fewer events than THIN_WINDOW_SHARE of what a typical day puts in a window that long (one
 * outlier timestamp moving the default test day, a partial last day); undefined when it looks fine.
 */
export function testWindowProblem(store: EventStore, split: DaySplit, cases: number, flags: TestWindowFlags): string | undefined {
  const volume = testWindowVolume(store, split.test);
  if (cases > 0 && !volume.isThin) return undefined;
  const isDayWindow = flags.testStart === undefined;
  const name = isDayWindow ? `the test day ${formatDay(split.testDay)}` : `the test window ${formatWindow(split.test)}`;
  const events = `${formatCount(volume.events)} event${volume.events === 1 ? '' : 's'}`;
  const problem =
    cases === 0
      ? `${name} has no test case (${events}, none by a user with an event before it)`
      : `${name} holds ${events}, ${share(volume.events, volume.typicalEvents)} of the ${formatCount(Math.round(volume.typicalEvents))} a typical day puts in ${isDayWindow ? 'a day' : 'a window that long'} (an outlier timestamp, or a partial day?)`;
  let advice = 'pass --test-day or --test-start to choose another test window';
  if (volume.daysWithEvents === 1) {
    advice = 'the log has events on one day only: pass --test-start YYYY-MM-DDTHH:MM to test on the end of it';
  } else if (flags.testDay === undefined && flags.testStart === undefined && volume.lastTypicalDay !== undefined) {
    const day = formatDay(volume.lastTypicalDay);
    advice = `the last day with a typical number of events is ${day}: pass --test-day ${day}, or --test-start for a window within a day`;
  }
  return `${problem}; ${advice}`;
}

/** `warning: …` for {@link testWindowProblem}, or undefined. */
export function testWindowWarning(store: EventStore, split: DaySplit, cases: number, flags: TestWindowFlags): string | undefined {
  const problem = testWindowProblem(store, split, cases, flags);
  return problem === undefined ? undefined : `warning: ${problem}`;
}

/** A RecGymError NO_TEST_CASES for a command that evaluates on the test window, naming the window and the flag to pass. */
export function noTestCasesError(data: string, store: EventStore, split: DaySplit, flags: TestWindowFlags): RecGymError {
  const problem = testWindowProblem(store, split, 0, flags);
  return new RecGymError(ErrorCode.NO_TEST_CASES, `${data}: expected test cases (test-window events of users with a training event), actual none; ${problem}`);
}

function share(part: number, whole: number): string {
  const percent = (100 * part) / whole;
  return `${percent < 1 ? percent.toPrecision(1) : percent.toFixed(0)} %`;
}
