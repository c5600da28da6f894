/** `value` with `digits` decimals (4 by default), or `—` when it is not a finite number. */
export function fmt(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** {@link fmt} with a sign on positive values too: `+0.0108`, `-0.0030`. */
export function signed(value: number, digits = 4): string {
  return Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '—';
}

/** An integer with thousands separators: `142,805`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** A point estimate with its confidence interval; `std` is the spread of the per-seed estimates when several seeds ran. */
export interface IntervalText {
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly std?: number;
}

/** `mean [lo, hi]`, then ` ±std` when the interval is averaged over seeds; signed values for a difference. */
export function formatInterval(v: IntervalText, isDifference = false): string {
  const f = isDifference ? signed : fmt;
  const spread = v.std !== undefined ? ` ±${fmt(v.std)}` : '';
  return `${f(v.mean)} [${f(v.lo)}, ${f(v.hi)}]${spread}`;
}

/** `>0` when the CI lies above 0, `<0` below, blank when it covers 0. */
export function ciSign(v: IntervalText): string {
  if (v.lo > 0) return '>0';
  if (v.hi < 0) return '<0';
  return '';
}

/** `value` as JSON with NaN and infinities as null, indented by `indent` (one line without). */
export function jsonWithNulls(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), indent);
}
