import type { Rng } from '../core/rng.js';
import { Behavior } from '../data/behavior.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import { rocAuc } from './rank-statistics.js';
import { permutation } from './shopper-population.js';

/** The features of a session the two-sample classifier reads (counts as log(1 + n)). */
export const SESSION_FEATURES = [
  'events',
  'clicks',
  'favourites',
  'carts',
  'purchases',
  'distinct items',
  'distinct categories',
  'repeat share',
  'mean log gap',
  'start hour sin',
  'start hour cos',
  'mean item log-popularity',
] as const;
const DIMS = SESSION_FEATURES.length;

/** The two-sample AUC passes below this (a choice: 0.5 is indistinguishable, 1 always told apart; docs/simulator.md). */
export const TWO_SAMPLE_AUC_MARK = 0.75;

/** Per-session feature vectors of one log: `count` rows of {@link SESSION_FEATURES}, row-major. */
export interface SessionFeatures {
  readonly count: number;
  readonly values: Float64Array;
}

/** The report card's two-sample classifier line. */
export interface TwoSampleAuc {
  /** Sessions of each log (all of them; each is split in halves, one to train and one to score). */
  readonly real: number;
  readonly simulated: number;
  /** Rank AUC of the classifier on the scored halves (simulated = positive); NaN with fewer than 2 sessions in either log. */
  readonly auc: number;
  readonly mark: number;
  /** auc < mark. */
  readonly passed: boolean;
  /** The logistic regression's weight of each feature (standardised over the training half): which features tell the logs apart. */
  readonly weights: readonly { readonly feature: (typeof SESSION_FEATURES)[number]; readonly weight: number }[];
}

/** Options of {@link twoSampleAuc}. */
export interface TwoSampleOptions {
  /** Full-batch gradient steps of the logistic regression (default 300). */
  readonly iterations?: number;
  /** Step size over standardised features (default 0.5). */
  readonly learningRate?: number;
  /** L2 penalty on the weights (default 0.001): keeps them finite when the logs separate perfectly. */
  readonly l2?: number;
  /** Sessions kept per log, drawn at random (default 50,000): bounds the cost on large logs. */
  readonly maxSessions?: number;
}

/**
 * The {@link SESSION_FEATURES} of every session of `store` inside `window` (a session: a user's
 * events without a pause longer than `sessionGapSeconds`). Repeat share: the session's clicks on an
 * item the user clicked before, anywhere earlier in the log. Mean log gap: of log(1 + s) over the
 * session's gaps (0 for one event). An item's popularity is its event count before `window.start`
 * (the same real training days in both logs of the report card, whatever their dense ids).
 */
export function sessionFeatures(store: EventStore, window: TimeWindow, sessionGapSeconds: number): SessionFeatures {
  const { numUsers, numItems, numCategories, userOffsets, items, categories, behaviors, times } = store;
  const popularity = new Float64Array(numItems);
  for (let p = 0; p < store.length; p++) if (times[p] < window.start) popularity[items[p]]++;
  const clickedBy = new Int32Array(numItems).fill(-1);
  const itemSeen = new Int32Array(numItems).fill(-1);
  const categorySeen = new Int32Array(numCategories).fill(-1);
  const rows: number[] = [];
  let session = -1;
  for (let u = 0; u < numUsers; u++) {
    let start = -1;
    let repeats = 0;
    const flush = (end: number) => {
      if (start < 0) return;
      session++;
      const counts = [0, 0, 0, 0, 0];
      let distinctItems = 0;
      let distinctCategories = 0;
      let logGaps = 0;
      let logPopularity = 0;
      for (let p = start; p < end; p++) {
        counts[behaviors[p]]++;
        if (itemSeen[items[p]] !== session) {
          itemSeen[items[p]] = session;
          distinctItems++;
        }
        if (categorySeen[categories[p]] !== session) {
          categorySeen[categories[p]] = session;
          distinctCategories++;
        }
        if (p > start) logGaps += Math.log1p(times[p] - times[p - 1]);
        logPopularity += Math.log1p(popularity[items[p]]);
      }
      const events = end - start;
      const hour = (2 * Math.PI * ((((times[start] % 86_400) + 86_400) % 86_400) / 3600)) / 24;
      const clicks = counts[Behavior.click];
      rows.push(
        Math.log1p(events),
        Math.log1p(clicks),
        Math.log1p(counts[Behavior.favorite]),
        Math.log1p(counts[Behavior.cart]),
        Math.log1p(counts[Behavior.purchase]),
        Math.log1p(distinctItems),
        Math.log1p(distinctCategories),
        clicks > 0 ? repeats / clicks : 0,
        events > 1 ? logGaps / (events - 1) : 0,
        Math.sin(hour),
        Math.cos(hour),
        logPopularity / events,
      );
      start = -1;
      repeats = 0;
    };
    let p = userOffsets[u];
    for (; p < userOffsets[u + 1]; p++) {
      const time = times[p];
      if (time >= window.end) break;
      if (time >= window.start) {
        if (start >= 0 && time - times[p - 1] > sessionGapSeconds) flush(p);
        if (start < 0) start = p;
      }
      if (behaviors[p] === Behavior.click) {
        if (start >= 0 && clickedBy[items[p]] === u) repeats++;
        clickedBy[items[p]] = u;
      }
    }
    flush(p);
  }
  return { count: rows.length / DIMS, values: Float64Array.from(rows) };
}

/**
 * A two-sample classifier test: each log's sessions are shuffled (`rng`) and halved; a logistic
 * regression over the standardised features learns on the first halves to tell simulated sessions
 * from real ones, and its rank AUC on the second halves is the score (0.5: the classifier cannot
 * tell them apart; 1: always can). Passes below {@link TWO_SAMPLE_AUC_MARK}.
 */
export function twoSampleAuc(real: SessionFeatures, simulated: SessionFeatures, rng: Rng, options: TwoSampleOptions = {}): TwoSampleAuc {
  const { iterations = 300, learningRate = 0.5, l2 = 0.001, maxSessions = 50_000 } = options;
  const line = (auc: number, weights: Float64Array) => ({
    real: real.count,
    simulated: simulated.count,
    auc,
    mark: TWO_SAMPLE_AUC_MARK,
    passed: auc < TWO_SAMPLE_AUC_MARK,
    weights: SESSION_FEATURES.map((feature, j) => ({ feature, weight: weights[j] })),
  });
  if (real.count < 2 || simulated.count < 2) return line(Number.NaN, new Float64Array(DIMS));
  const halves = [real, simulated].map((sample) => {
    const order = permutation(sample.count, rng).subarray(0, Math.min(sample.count, maxSessions));
    const half = Math.floor(order.length / 2);
    return { sample, train: order.subarray(0, half), test: order.subarray(half) };
  });
  const train = stack(halves.map((h) => ({ sample: h.sample, rows: h.train })));
  const test = stack(halves.map((h) => ({ sample: h.sample, rows: h.test })));

  const mean = new Float64Array(DIMS);
  const scale = new Float64Array(DIMS);
  for (let i = 0; i < train.count; i++) for (let j = 0; j < DIMS; j++) mean[j] += train.values[i * DIMS + j] / train.count;
  for (let i = 0; i < train.count; i++) for (let j = 0; j < DIMS; j++) scale[j] += (train.values[i * DIMS + j] - mean[j]) ** 2 / train.count;
  for (let j = 0; j < DIMS; j++) scale[j] = scale[j] > 1e-12 ? 1 / Math.sqrt(scale[j]) : 0;
  const x = train.values.map((v, k) => (v - mean[k % DIMS]) * scale[k % DIMS]);

  const weights = new Float64Array(DIMS);
  const gradient = new Float64Array(DIMS);
  let bias = 0;
  for (let t = 0; t < iterations; t++) {
    gradient.fill(0);
    let biasGradient = 0;
    for (let i = 0; i < train.count; i++) {
      let z = bias;
      for (let j = 0; j < DIMS; j++) z += weights[j] * x[i * DIMS + j];
      const error = 1 / (1 + Math.exp(-z)) - train.labels[i];
      biasGradient += error;
      for (let j = 0; j < DIMS; j++) gradient[j] += error * x[i * DIMS + j];
    }
    bias -= (learningRate * biasGradient) / train.count;
    for (let j = 0; j < DIMS; j++) weights[j] -= learningRate * (gradient[j] / train.count + l2 * weights[j]);
  }

  const scores = new Float64Array(test.count);
  for (let i = 0; i < test.count; i++) {
    let z = bias;
    for (let j = 0; j < DIMS; j++) z += weights[j] * (test.values[i * DIMS + j] - mean[j]) * scale[j];
    scores[i] = z;
  }
  return line(rocAuc(scores, test.labels), weights);
}

/** The rows of each sample, one after another, labelled 0 for the first sample and 1 for the second. */
function stack(parts: readonly { sample: SessionFeatures; rows: Int32Array }[]): { count: number; values: Float64Array; labels: Uint8Array } {
  const count = parts.reduce((n, part) => n + part.rows.length, 0);
  const values = new Float64Array(count * DIMS);
  const labels = new Uint8Array(count);
  let i = 0;
  parts.forEach(({ sample, rows }, label) => {
    for (const row of rows) {
      values.set(sample.values.subarray(row * DIMS, (row + 1) * DIMS), i * DIMS);
      labels[i++] = label;
    }
  });
  return { count, values, labels };
}
