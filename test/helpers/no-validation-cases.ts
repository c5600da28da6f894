import { SECONDS_PER_DAY, type EventSink } from '../../src/data/event-store.js';

/**
 * Three days where the validation day (the second) holds only a user with no training event: a
 * split whose training run must stop with NO_TEST_CASES. Appends to `sink` (any builder class).
 */
export function appendNoValidationCases(sink: EventSink): void {
  const day0 = 1_416_268_800;
  sink.append(1, 10, 1, 1, day0 + 3600);
  sink.append(2, 11, 1, 1, day0 + SECONDS_PER_DAY + 3600);
  sink.append(1, 12, 1, 1, day0 + 2 * SECONDS_PER_DAY + 3600);
}
