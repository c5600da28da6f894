/** An exploration schedule: ε as a function of the global step. */
export type EpsilonSchedule = (step: number) => number;

/** ε from `start` to `end` linearly over `durationSteps`, then `end` (CleanRL's linear_schedule). */
export function linearSchedule(start: number, end: number, durationSteps: number): EpsilonSchedule {
  checkProbability('start', start);
  checkProbability('end', end);
  if (!(durationSteps > 0)) throw new RangeError(`expected durationSteps > 0, actual ${durationSteps}`);
  return (step) => (step >= durationSteps ? end : start + ((end - start) * Math.max(0, step)) / durationSteps);
}

/** ε = max(end, start · decay^step). */
export function exponentialSchedule(start: number, end: number, decay: number): EpsilonSchedule {
  checkProbability('start', start);
  checkProbability('end', end);
  if (!(decay > 0 && decay <= 1)) throw new RangeError(`expected 0 < decay <= 1, actual ${decay}`);
  return (step) => Math.max(end, start * decay ** Math.max(0, step));
}

function checkProbability(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`expected ${name} in [0, 1], actual ${value}`);
}
