import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCode, RecGymError } from '../../core/errors.js';
import { fork, type Rng } from '../../core/rng.js';
import { buildEpisodes } from '../../data/episodes.js';
import type { EventStore } from '../../data/event-store.js';
import { dataFingerprint } from '../../data/fingerprint.js';
import type { TimeWindow } from '../../data/split.js';
import { StateBatch, writeRequests } from '../../data/state-batch.js';
import { catalogueOf } from '../../env/candidates.js';
import { ArrayAdam } from '../adam.js';
import { checkTrainingData, DataFingerprintSchema, readManifest, writeFileReplacing } from '../checkpoint.js';
import { checkBatch, type Agent } from '../agent.js';
import { ContextFeatures, NUM_CONTEXT_FEATURES } from '../features/context-features.js';
import { FeatureSoftmax } from '../features/feature-softmax.js';
import { HistoryFeatures, NUM_HISTORY_FEATURES } from '../features/history-features.js';
import { throttledProgress, type EpochStats, type TrainHooks } from '../trainable.js';
import { parseRankerConfig, RankerConfigSchema, type RankerConfig, type RankerConfigInput } from './config.js';

/** Score of an item the ranker has no training data for and the state never touched: below every learned score. */
export const COLD_SCORE = -1e30;

/** Checkpoint format of the ranker; /2 fingerprints the training data (/1 recorded item and catalogue counts). */
export const RANKER_FORMAT = 'recgym-ranker/2';

const ManifestSchema = z
  .object({
    format: z.literal(RANKER_FORMAT),
    config: RankerConfigSchema,
    /** The data it was trained on: loading refuses any other. */
    data: DataFingerprintSchema,
    /** Gradient steps of its training (0: the weights are the initial zeros). */
    gradientSteps: z.number().int().min(0),
    historyWeights: z.array(z.number().finite()).length(NUM_HISTORY_FEATURES),
    contextWeights: z.array(z.number().finite()).length(NUM_CONTEXT_FEATURES),
  })
  .strict();

/**
 * The feature ranker: scores (state, item) by w_h · history features + w_c · context features (17
 * weights, `src/agents/features`), trained by a sampled softmax on the logged next item: the batch's
 * next items, uniform catalogue negatives (with the log(catalogue / negatives) correction), and per
 * state its own recent items and the items that followed its last items on earlier days. No network,
 * no item identity: popularity comes only from the days before each state. On typed arrays, no tfjs.
 */
export class RankerAgent implements Agent {
  readonly name: string = 'ranker';
  readonly config: RankerConfig;
  /** Weights of the history features (zeros without them). */
  readonly historyWeights = new Float32Array(NUM_HISTORY_FEATURES);
  /** Weights of the context features (zeros without them). */
  readonly contextWeights = new Float32Array(NUM_CONTEXT_FEATURES);
  #store: EventStore | undefined;
  #train: TimeWindow | undefined;
  #known = new Uint8Array(0);
  #gradientSteps = 0;

  /** Gradient steps taken in training (read from the checkpoint when loaded): 0 means untrained. */
  get gradientSteps(): number {
    return this.#gradientSteps;
  }
  #history: HistoryFeatures | undefined;
  #context: ContextFeatures | undefined;

  constructor(config: RankerConfigInput = {}) {
    this.config = parseRankerConfig(config);
  }

  async fit(store: EventStore, train: TimeWindow, rng: Rng): Promise<void> {
    await this.train(store, train, rng);
  }

  /** Trains `config.epochs` epochs on the transitions of `train` (every event of a user with an earlier event) and returns per-epoch stats. */
  async train(store: EventStore, train: TimeWindow, rng: Rng, hooks: TrainHooks = {}): Promise<EpochStats[]> {
    const config = this.config;
    const catalogue = catalogueOf(store, train);
    this.#prepare(store, train, catalogue);
    this.historyWeights.fill(0);
    this.contextWeights.fill(0);
    this.#gradientSteps = 0;
    const episodes = buildEpisodes(store, { window: train });
    // Transitions episode by episode; `isLast` marks where a run of consecutive ones must stop.
    const positions = new Int32Array(episodes.steps);
    const isLast = new Uint8Array(episodes.steps);
    for (let e = 0, k = 0; e < episodes.count; e++) {
      for (let p = episodes.start[e]; p < episodes.end[e]; p++) positions[k++] = p;
      isLast[k - 1] = 1;
    }
    const B = config.batchSize;
    const stepsPerEpoch = Math.ceil((positions.length * config.passesPerEpoch) / B);
    hooks.log?.(`ranker: ${positions.length} training transitions, ${catalogue.length} catalogue items, ${stepsPerEpoch} steps of ${B} per epoch`);
    const softmax = new FeatureSoftmax(catalogue, this.#history, this.#context, config, fork(rng, 'negatives'));
    const batchRng = fork(rng, 'batches');
    const historyAdam = new ArrayAdam(NUM_HISTORY_FEATURES, { learningRate: config.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    const contextAdam = new ArrayAdam(NUM_CONTEXT_FEATURES, historyAdam.options);
    const dHistory = new Float32Array(NUM_HISTORY_FEATURES);
    const dContext = new Float32Array(NUM_CONTEXT_FEATURES);
    const batchUsers = new Int32Array(B);
    const batchPositions = new Int32Array(B);
    const batchNextItems = new Int32Array(B);
    const batchStates = new StateBatch(store, batchUsers, new Int32Array(B), new Int32Array(B));
    const epochs: EpochStats[] = [];
    const progress = throttledProgress(hooks);
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const started = performance.now();
      let lossSum = 0;
      let step = 0;
      for (; step < stepsPerEpoch && positions.length > 0; step++) {
        drawSegments(positions, isLast, config.segmentLength, batchRng, batchPositions);
        // The states see the events before each transition; the labels are the logged next items.
        for (let i = 0; i < B; i++) {
          batchUsers[i] = store.users[batchPositions[i]];
          batchNextItems[i] = store.items[batchPositions[i]];
        }
        writeRequests(store, batchUsers, batchPositions, Number.NEGATIVE_INFINITY, 0, B, batchStates.lengths, batchStates.times);
        lossSum += softmax.lossAndGradient(batchStates, batchNextItems, this.historyWeights, this.contextWeights, dHistory, dContext);
        const scale = clipScale(dHistory, dContext, config.maxGradNorm);
        if (config.historyFeatures) historyAdam.step(this.historyWeights, dHistory, scale);
        if (config.contextFeatures) contextAdam.step(this.contextWeights, dContext, scale);
        progress?.(epoch, step, stepsPerEpoch, () => lossSum / (step + 1));
      }
      progress?.(epoch, step, stepsPerEpoch, () => (step > 0 ? lossSum / step : NaN));
      const seconds = (performance.now() - started) / 1000;
      this.#gradientSteps += step;
      const stats: EpochStats = {
        epoch,
        gradientSteps: step,
        transitions: step * B,
        loss: step > 0 ? lossSum / step : NaN,
        seconds,
        trainTransitionsPerSec: seconds > 0 ? (step * B) / seconds : 0,
      };
      epochs.push(stats);
      await hooks.onEpoch?.(stats);
    }
    return epochs;
  }

  scoreCandidates(batch: StateBatch, candidates: Int32Array, numCandidates: number, out: Float64Array): void {
    this.#require('scoreCandidates', batch);
    checkBatch(batch);
    const C = numCandidates;
    const f = new Float32Array(NUM_HISTORY_FEATURES);
    const g = new Float32Array(NUM_CONTEXT_FEATURES);
    for (let i = 0; i < batch.size; i++) {
      this.#load(batch, i);
      for (let j = 0; j < C; j++) {
        const item = candidates[i * C + j];
        const isRanked = this.#isKnown(item) || (this.#history?.has(item) ?? false);
        out[i * C + j] = isRanked ? this.#itemScore(item, f, g) : COLD_SCORE;
      }
    }
  }

  scoreItems(batch: StateBatch, out: Float64Array): void {
    const store = this.#require('scoreItems', batch);
    checkBatch(batch);
    const numItems = store.numItems;
    const known = this.#known;
    const history = this.#history;
    const context = this.#context;
    const f = new Float32Array(NUM_HISTORY_FEATURES);
    const g = new Float32Array(NUM_CONTEXT_FEATURES);
    const wh = this.historyWeights;
    for (let i = 0; i < batch.users.length; i++) {
      const row = i * numItems;
      out.fill(0, row, row + numItems);
      this.#load(batch, i);
      context?.addScores(this.contextWeights, out, row, numItems);
      for (let x = 0; x < numItems; x++) if (known[x] !== 1) out[row + x] = COLD_SCORE;
      if (!history) continue;
      for (let k = 0; k < history.numTouched; k++) {
        const item = history.touched[k];
        if (known[item] !== 1) {
          out[row + item] = this.#itemScore(item, f, g);
          continue;
        }
        history.write(item, f, 0);
        let s = 0;
        for (let j = 0; j < NUM_HISTORY_FEATURES; j++) s += wh[j] * f[j];
        out[row + item] += s;
      }
    }
  }

  /** Writes `manifest.json` (config, the training data's fingerprint, weights) to `dir`, replacing it whole. */
  async save(dir: string): Promise<void> {
    const store = this.#require('save');
    const manifest: z.infer<typeof ManifestSchema> = {
      format: RANKER_FORMAT,
      config: this.config,
      data: dataFingerprint(store, this.#train as TimeWindow),
      gradientSteps: this.#gradientSteps,
      historyWeights: Array.from(this.historyWeights),
      contextWeights: Array.from(this.contextWeights),
    };
    await mkdir(dir, { recursive: true });
    await writeFileReplacing(dir, 'manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** Rebuilds a trained ranker from a checkpoint written by `save`, on the data it was trained on (anything else is refused). */
  static async load(dir: string, store: EventStore): Promise<RankerAgent> {
    const where = `ranker checkpoint ${join(dir, 'manifest.json')}`;
    const manifest = await readManifest(dir, where, RANKER_FORMAT, ManifestSchema);
    checkTrainingData(where, manifest.data, store);
    const agent = new RankerAgent(manifest.config);
    agent.#prepare(store, manifest.data.train, catalogueOf(store, manifest.data.train));
    agent.#gradientSteps = manifest.gradientSteps;
    agent.historyWeights.set(manifest.historyWeights);
    agent.contextWeights.set(manifest.contextWeights);
    return agent;
  }

  /** The feature tables of `store` for the training window `train`. */
  #prepare(store: EventStore, train: TimeWindow, catalogue: Int32Array): void {
    const config = this.config;
    this.#store = store;
    this.#train = { start: train.start, end: train.end };
    this.#known = new Uint8Array(store.numItems);
    for (let i = 0; i < catalogue.length; i++) this.#known[catalogue[i]] = 1;
    this.#history = config.historyFeatures ? new HistoryFeatures(store.numItems, config.historyScanLimit) : undefined;
    this.#context = config.contextFeatures
      ? new ContextFeatures(store, {
          untilTime: train.end,
          recentEvents: config.contextRecentEvents,
          tasteEvents: config.contextTasteEvents,
          periodSeconds: config.periodMinutes * 60,
          known: this.#known,
        })
      : undefined;
  }

  #load(states: StateBatch, i: number): void {
    this.#history?.load(states, i);
    this.#context?.load(states, i);
  }

  /** w · features of `item` for the loaded state. */
  #itemScore(item: number, f: Float32Array, g: Float32Array): number {
    let s = 0;
    const history = this.#history;
    if (history?.has(item)) {
      history.write(item, f, 0);
      for (let k = 0; k < NUM_HISTORY_FEATURES; k++) s += this.historyWeights[k] * f[k];
    }
    if (this.#context) {
      this.#context.write(item, g, 0);
      for (let k = 0; k < NUM_CONTEXT_FEATURES; k++) s += this.contextWeights[k] * g[k];
    }
    return s;
  }

  #isKnown(item: number): boolean {
    return item >= 0 && item < this.#known.length && this.#known[item] === 1;
  }

  #require(where: string, batch?: StateBatch): EventStore {
    if (!this.#store) throw new RecGymError(ErrorCode.RESET_NEEDED, `RankerAgent.${where}: expected a fitted or loaded agent, actual none (call fit or RankerAgent.load first)`);
    if (batch && !batch.readsFrom(this.#store)) throw new TypeError(`RankerAgent.${where}: expected the store the agent was fitted on, actual another`);
    return this.#store;
  }
}

/**
 * Fills `out` with runs of up to `segmentLength` consecutive transitions: each run starts at a
 * uniformly drawn transition and stops at its episode's end (`isLast`) or when `out` is full.
 */
export function drawSegments(positions: Int32Array, isLast: Uint8Array, segmentLength: number, rng: Rng, out: Int32Array): void {
  let n = 0;
  while (n < out.length) {
    let k = rng.nextInt(positions.length);
    for (let length = 0; ; k++) {
      out[n++] = positions[k];
      if (++length === segmentLength || n === out.length || isLast[k] === 1) break;
    }
  }
}

/** The factor that clips the joint norm of the two gradients to `maxNorm` (1 when within it or off). */
function clipScale(a: Float32Array, b: Float32Array, maxNorm: number): number {
  let squares = 0;
  for (let i = 0; i < a.length; i++) squares += a[i] * a[i];
  for (let i = 0; i < b.length; i++) squares += b[i] * b[i];
  const norm = Math.sqrt(squares);
  return maxNorm > 0 && norm > maxNorm ? maxNorm / norm : 1;
}
