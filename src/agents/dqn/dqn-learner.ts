import type * as TF from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { EventStore } from '../../data/event-store.js';
import type { SessionLog } from '../../data/session-log.js';
import { StateBatch } from '../../data/state-batch.js';
import { wasmKernels, type Tf, type WasmKernels } from './backend.js';
import type { DqnConfig } from './config.js';
import { DirectStep } from './direct-step.js';
import { gruForwardValues } from './gru.js';
import { ContextFeatures, NUM_CONTEXT_FEATURES } from '../features/context-features.js';
import { FeatureSoftmax } from '../features/feature-softmax.js';
import { HistoryFeatures, NUM_HISTORY_FEATURES } from '../features/history-features.js';
import { QNetwork } from './q-network.js';
import type { ReplayBatch, ReplaySegments } from './replay-buffer.js';
import { ArrayAdam, type AdamOptions } from '../adam.js';
import { DenseAdam, type SparseTable } from './sparse-table.js';
import { bellmanTargets } from './losses.js';
import { Scratch } from './scratch.js';
import type { StepCompute, StepGradients, StepInput } from './step-compute.js';
import { TfOpStep } from './tf-op-step.js';

/** What one gradient step reports. */
export interface TrainStats {
  /** Total loss (TD + weights · auxiliary losses). */
  readonly loss: number;
  readonly tdLoss: number;
  /** The auxiliary next-item head's loss (0 without it). */
  readonly supervisedLoss: number;
  /** The auxiliary feature softmax's loss (0 without it). */
  readonly featureLoss: number;
  /** Mean Q(s, a) of the batch. */
  readonly qMean: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

/** Options of {@link DqnLearner}. */
export interface DqnLearnerOptions {
  /** Context popularity counts events before this time (the training window's end). */
  readonly untilTime?: number;
  /** The training catalogue (1 = an item with a trained embedding). */
  readonly known?: Uint8Array;
  /** `auto`: the direct WASM kernels where the backend is WASM, else tf ops; `tf-ops`: tf ops and autodiff everywhere (the reference the direct path is tested against). */
  readonly compute?: 'auto' | 'tf-ops';
  /** Where replayed states are read (default: the store): a simulator's session log when it trains in a simulated env. */
  readonly log?: EventStore | SessionLog;
}

/**
 * The algorithm half of the DQN (SB3's split): online and target {@link QNetwork}s, the Bellman
 * target, the TD and supervised losses, gradient clipping, dense Adam on the tf variables and lazy
 * Adam on the embedding rows a batch touched. The gradient of the embedding lookups is taken with
 * respect to the gathered rows (the GRU inputs and the action rows) and scattered into the tables
 * on typed arrays, so no backend needs a gather gradient (`UnsortedSegmentSum`, absent on WASM).
 */
export class DqnLearner {
  readonly tf: Tf;
  readonly config: DqnConfig;
  readonly store: EventStore;
  /** Where replayed states are read: the store, or a simulator's session log. */
  readonly log: EventStore | SessionLog;
  readonly online: QNetwork;
  readonly target: QNetwork;
  /** History features of (state, item) fed to Q (config.historyFeatures). */
  readonly features: HistoryFeatures | undefined;
  /** Context features of (state, item) fed to Q (config.contextFeatures), counting popularity before `untilTime`. */
  readonly context: ContextFeatures | undefined;
  /** Q's (state, item) features: history then context, the width of `wf`. */
  readonly numFeatures: number;
  /** Items negatives of the auxiliary next-item head are drawn from (the training catalogue). */
  readonly negativePool: Int32Array;
  gradientSteps = 0;
  readonly #optimizer: DenseAdam;
  readonly #learningRates: ReadonlyMap<string, number>;
  readonly #adam: AdamOptions;
  readonly #rng: Rng;
  readonly #scratch = new Scratch();
  /** The direct WASM kernels the step runs on, chosen once at construction; undefined = tf ops (CPU, tfjs-node, or `compute: 'tf-ops'`). */
  readonly #kernels: WasmKernels | undefined;
  /** The loss and its gradients on the same choice: {@link DirectStep} with kernels, else {@link TfOpStep}. */
  readonly #compute: StepCompute;
  #wf: Float32Array;
  /** The auxiliary sampled softmax over Q's feature term (config.auxFeatureWeight > 0). */
  readonly #featureSoftmax: FeatureSoftmax | undefined;
  /** log s of the auxiliary feature softmax's logits s · w · features (0 unless config.auxFeatureScale learns it), with its optimizer. */
  readonly #auxLogScale = new Float32Array(1);
  readonly #auxScaleGradient = new Float32Array(1);
  readonly #auxScaleAdam: ArrayAdam | undefined;
  #dots = new Float64Array(0);
  #wfVersion = -1;

  constructor(tf: Tf, config: DqnConfig, store: EventStore, negativePool: Int32Array, rng: Rng, options: DqnLearnerOptions = {}) {
    this.tf = tf;
    this.#kernels = options.compute === 'tf-ops' ? undefined : wasmKernels(tf);
    this.config = config;
    this.store = store;
    this.log = options.log ?? store;
    this.#rng = rng;
    this.negativePool = negativePool;
    this.features = config.historyFeatures ? new HistoryFeatures(store.numItems, config.historyScanLimit) : undefined;
    this.context = config.contextFeatures
      ? new ContextFeatures(store, { untilTime: options.untilTime ?? Number.POSITIVE_INFINITY, recentEvents: config.contextRecentEvents, tasteEvents: config.contextTasteEvents, periodSeconds: config.periodMinutes * 60, known: options.known })
      : undefined;
    this.numFeatures = (this.features ? NUM_HISTORY_FEATURES : 0) + (this.context ? NUM_CONTEXT_FEATURES : 0);
    this.#wf = new Float32Array(this.numFeatures);
    const shape = { numItems: store.numItems, itemDim: config.itemDim, hiddenSize: config.hiddenSize, numFeatures: this.numFeatures, isDueling: config.dueling, itemInitScale: config.itemInitScale, isSupervised: config.supervisedHead };
    this.online = new QNetwork(tf, shape, rng);
    this.target = new QNetwork(tf, shape, rng);
    this.target.copyFrom(this.online);
    this.#compute = this.#kernels ? new DirectStep(this.#kernels, config, this.online, this.#scratch) : new TfOpStep(tf, config, this.online, this.#scratch);
    this.#adam = { learningRate: config.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    this.#optimizer = new DenseAdam(this.#adam);
    this.#learningRates = new Map([[this.online.wf.name, config.featureLearningRate]]);
    this.#featureSoftmax =
      config.auxFeatureWeight > 0 && this.numFeatures > 0
        ? new FeatureSoftmax(negativePool, this.features, this.context, {
            uniformNegatives: config.supervisedNegatives,
            historyNegatives: config.auxHistoryNegatives,
            transitionNegatives: config.auxTransitionNegatives,
            categoryNegatives: 0,
            dayByDay: true,
          }, rng)
        : undefined;
    this.#auxScaleAdam = this.#featureSoftmax && config.auxFeatureScale ? new ArrayAdam(1, { ...this.#adam, learningRate: config.featureLearningRate }) : undefined;
  }

  /** The auxiliary feature softmax's logit scale s (1 unless config.auxFeatureScale learns it). */
  get auxFeatureScale(): number {
    return Math.exp(this.#auxLogScale[0]);
  }

  /** True when the step runs on the direct WASM kernels (chosen at construction), false on tf ops. */
  get usesDirectKernels(): boolean {
    return this.#kernels !== undefined;
  }

  /** Loads the features of request `i` of `states`. */
  loadFeatures(states: StateBatch, i: number): void {
    this.features?.load(states, i);
    this.context?.load(states, i);
  }

  /** True when the loaded state's features of `item` are not all zero for want of data: the state touched it, or the context knows it. */
  hasFeatures(item: number): boolean {
    return (this.features?.has(item) ?? false) || this.context !== undefined;
  }

  /** w · Q's features of `item` for the loaded state (`w` the feature weights, history then context). */
  featureDot(item: number, w: Float32Array): number {
    const history = this.features;
    const s = history ? history.dot(item, w, 0) : 0;
    return this.context ? s + this.context.dot(item, w, history ? NUM_HISTORY_FEATURES : 0) : s;
  }

  /** Writes Q's features of `item` for the loaded state to `out[offset .. offset + numFeatures)`. */
  writeFeatures(item: number, out: Float32Array, offset: number): void {
    if (this.features) {
      this.features.write(item, out, offset);
      offset += NUM_HISTORY_FEATURES;
    }
    this.context?.write(item, out, offset);
  }

  /** Encodes the window states of the first `n` requests of `states` with `net`: h [n, H] (caller disposes). */
  encodeWindows(net: QNetwork, states: StateBatch, n = states.size): TF.Tensor2D {
    const H = net.shape.hiddenSize;
    return this.tf.tensor2d(this.#windowStates(net, states, n).slice(0, n * H), [n, H]);
  }

  /** The window states h [n, H] as values (a scratch view, valid until the next encoding). */
  #windowStates(net: QNetwork, states: StateBatch, n: number): Float32Array {
    const T = this.config.historyLength;
    const X = this.#scratch.float('encodeX', n * T * net.inputSize);
    const rows = this.#scratch.int('encodeRows', n * T);
    net.fillInputs(states, n, T, X, rows);
    const H = net.shape.hiddenSize;
    const h = gruForwardValues(this.tf, this.#kernels, net.gru, X, T, n, this.#scratch.float('encodeStates', T * n * H));
    return h.subarray((T - 1) * n * H, T * n * H);
  }

  /** Sets Q's feature weights (history then context, length numFeatures) of the online and the target network. */
  setFeatureWeights(values: Float32Array): void {
    if (values.length !== this.numFeatures) throw new RangeError(`setFeatureWeights: expected ${this.numFeatures} weights, actual ${values.length}`);
    if (this.numFeatures === 0) return;
    const tensor = this.tf.tensor2d(values, [this.numFeatures, 1]);
    this.online.wf.assign(tensor);
    this.target.wf.assign(tensor);
    tensor.dispose();
    this.#wfVersion = -1;
  }

  /** Q's feature weights of `net` as a Float32Array (read back once per change). */
  featureWeights(net: QNetwork): Float32Array {
    if (this.numFeatures === 0) return this.#wf;
    if (net === this.online && this.#wfVersion === this.gradientSteps) return this.#wf;
    const w = net.wf.dataSync() as Float32Array;
    if (net === this.online) {
      this.#wf.set(w);
      this.#wfVersion = this.gradientSteps;
      return this.#wf;
    }
    return Float32Array.from(w);
  }

  /**
   * Q values of `C` candidates per state, on typed arrays from the state vectors `qs` ([n, D + 1] row-major):
   * qs · E[c] (with config.qItemTerm) + w · features(state, c) (history then context) [+ V(s)]. Candidates < 0 get -Infinity.
   */
  candidateQ(net: QNetwork, qs: Float32Array, states: StateBatch, candidates: Int32Array, C: number, n: number, out: Float32Array, values?: Float32Array): void {
    const table = net.items.values;
    const width = net.items.width;
    const w = this.featureWeights(net);
    const F = this.numFeatures;
    if (this.#dots.length < C) this.#dots = new Float64Array(C);
    const dots = this.#dots;
    const hasItemTerm = this.config.qItemTerm;
    if (!hasItemTerm) dots.fill(0, 0, C);
    for (let i = 0; i < n; i++) {
      if (F > 0) this.loadFeatures(states, i);
      const qBase = i * width;
      const row = i * C;
      let j = hasItemTerm ? 0 : C;
      // Four candidates at a time: their table rows are cache misses, and independent sums let them overlap.
      for (; j + 4 <= C; j += 4) {
        const a = candidates[row + j];
        const b = candidates[row + j + 1];
        const c = candidates[row + j + 2];
        const e = candidates[row + j + 3];
        if (a < 0 || b < 0 || c < 0 || e < 0) break;
        const ea = a * width;
        const eb = b * width;
        const ec = c * width;
        const ee = e * width;
        let qa = 0;
        let qb = 0;
        let qc = 0;
        let qe = 0;
        for (let d = 0; d < width; d++) {
          const s = qs[qBase + d];
          qa += s * table[ea + d];
          qb += s * table[eb + d];
          qc += s * table[ec + d];
          qe += s * table[ee + d];
        }
        dots[j] = qa;
        dots[j + 1] = qb;
        dots[j + 2] = qc;
        dots[j + 3] = qe;
      }
      for (; j < C; j++) {
        const item = candidates[row + j];
        if (item < 0) continue;
        let q = 0;
        const e = item * width;
        for (let d = 0; d < width; d++) q += qs[qBase + d] * table[e + d];
        dots[j] = q;
      }
      for (j = 0; j < C; j++) {
        const item = candidates[row + j];
        if (item < 0) {
          out[row + j] = -Infinity;
          continue;
        }
        let q = dots[j] + (values ? values[i] : 0);
        if (F > 0) q += this.featureDot(item, w);
        out[row + j] = q;
      }
    }
  }

  /** Q values of candidates for window states (acting, scoring): out[i * C + j]. */
  windowQ(net: QNetwork, states: StateBatch, candidates: Int32Array, C: number, out: Float32Array, n = states.size): void {
    const h = this.#windowStates(net, states, n);
    const qs = net.qStateValues(this.#kernels, h, n, this.#scratch.float('windowQs', n * (net.shape.itemDim + 1)));
    const values = net.wv ? net.stateValues(h, n, this.#scratch.float('windowV', n)) : undefined;
    this.candidateQ(net, qs, states, candidates, C, n, out, values);
  }

  /**
   * One gradient step on a batch (window mode) or on segments (session mode): the GRU's sequences,
   * the Bellman target from the target network, the online inputs, the loss and its gradients on the
   * compute path chosen at construction, then the optimizer and the target network's update.
   */
  trainStep(input: ReplayBatch | ReplaySegments): TrainStats {
    const config = this.config;
    const segments = 'count' in input ? input : undefined;
    const batch = segments ? segments.batch : (input as ReplayBatch);
    const B = batch.size;
    const width = config.itemDim + 1;
    const online = this.online;
    const scratch = this.#scratch;
    const states = new StateBatch(this.log, batch.observations.users, batch.observations.lengths, batch.observations.times);
    const { sequences, T } = this.#sequences(states, segments);
    const numSeq = sequences.size;

    const y = this.#bellmanTargets(batch, sequences, T, segments);

    // Online inputs: GRU spans, the action rows E|bias[a], their (state, action) features.
    const inputSize = online.inputSize;
    const X = scratch.float('X', numSeq * T * inputSize);
    const xRows = scratch.int('xRows', numSeq * T);
    online.fillInputs(sequences, numSeq, T, X, xRows);
    const Ea = scratch.float('Ea', B * width);
    const F = this.numFeatures;
    const Fa = scratch.float('Fa', B * Math.max(1, F));
    for (let i = 0; i < B; i++) {
      if (config.qItemTerm) online.items.readRow(batch.actions[i], Ea, i * width);
      else Ea.fill(0, i * width, i * width + width);
      if (F > 0) {
        this.loadFeatures(states, i);
        this.writeFeatures(batch.actions[i], Fa, i * F);
      }
    }
    const embedding = config.supervisedHead && online.outputs !== undefined ? this.#embeddingHead(batch, width) : undefined;
    const aux = this.#featureSoftmax ? this.#auxFeatureGradient(this.#featureSoftmax, states, batch.nextItems, B) : undefined;

    // Loss and gradients; only the variables in the loss (wf is out of it without features).
    const variables = online.variables().filter((v) => F > 0 || v !== online.wf);
    // Session mode: the last step only feeds s' of the segment's last transition (target side).
    const onlineT = segments ? T - 1 : T;
    const g = this.#compute.lossAndGradients({
      X,
      T: onlineT,
      numSeq,
      B,
      segments: segments ? { count: segments.count, start: segments.start, length: segments.length, T } : undefined,
      Ea,
      Fa,
      y,
      wf: F > 0 ? this.featureWeights(online) : new Float32Array(0),
      embedding,
      variables,
    });
    if (aux) {
      const dwf = g.dense[variables.indexOf(online.wf)];
      for (let j = 0; j < aux.gradient.length; j++) dwf[j] += aux.gradient[j];
    }
    const gradNorm = this.#applyGradients(g, variables, xRows, onlineT * numSeq, batch.actions, embedding?.uniqueItems, width);

    this.gradientSteps++;
    if (config.tau < 1) this.target.polyakFrom(online, config.tau);
    else if (this.gradientSteps % config.targetUpdateInterval === 0) this.target.copyFrom(online);
    const featureLoss = aux?.loss ?? 0;
    return { loss: g.loss + config.auxFeatureWeight * featureLoss, tdLoss: g.td, supervisedLoss: g.supervised, featureLoss, qMean: g.qMean, gradNorm };
  }

  /** The GRU's sequences: per transition its state's window, or per segment the history of its last transition's next state. */
  #sequences(states: StateBatch, segments: ReplaySegments | undefined): { sequences: StateBatch; T: number } {
    if (!segments) return { sequences: states, T: this.config.historyLength };
    const n = segments.count;
    const users = this.#scratch.int('seqUsers', n);
    const lengths = this.#scratch.int('seqLengths', n);
    for (let s = 0; s < n; s++) {
      const last = segments.start[s] + segments.length[s] - 1;
      users[s] = states.users[segments.start[s]];
      lengths[s] = states.lengths[last] + 1;
    }
    const sequences = new StateBatch(this.log, users.subarray(0, n), lengths.subarray(0, n), this.#scratch.int('seqTimes', n).subarray(0, n));
    return { sequences, T: this.config.contextLength + this.config.segmentLength };
  }

  /** Bellman targets y = r + γ (1 - terminated) max_a' Q_target(s', a'): bootstrap through truncation, never through termination. */
  #bellmanTargets(batch: ReplayBatch, sequences: StateBatch, T: number, segments: ReplaySegments | undefined): Float32Array {
    const { config, target, online } = this;
    const scratch = this.#scratch;
    const B = batch.size;
    const C = batch.nextObservations.candidates.length / B;
    const nextStates = new StateBatch(this.log, batch.nextObservations.users, batch.nextObservations.lengths, batch.nextObservations.times);
    const nextCandidates = batch.nextObservations.candidates;
    const qNext = scratch.float('qNext', B * C);
    if (segments) {
      // s' of each row: the target GRU's output after the row's step in its segment's span.
      const numSeq = sequences.size;
      const H = config.hiddenSize;
      const Xt = scratch.float('Xt', numSeq * T * target.inputSize);
      target.fillInputs(sequences, numSeq, T, Xt, scratch.int('tRows', numSeq * T));
      const h = gruForwardValues(this.tf, this.#kernels, target.gru, Xt, T, numSeq, scratch.float('targetStates', T * numSeq * H));
      const hNext = scratch.float('hNext', B * H).fill(0, 0, B * H);
      for (let s = 0; s < numSeq; s++) {
        const first = segments.start[s];
        const len = segments.length[s];
        for (let k = 0; k < len; k++) {
          const src = ((T - len + k) * numSeq + s) * H;
          hNext.set(h.subarray(src, src + H), (first + k) * H);
        }
      }
      const qsNext = target.qStateValues(this.#kernels, hNext, B, scratch.float('qsNext', B * (config.itemDim + 1)));
      const vNext = target.wv ? target.stateValues(hNext, B, scratch.float('vNext', B)) : undefined;
      this.candidateQ(target, qsNext, nextStates, nextCandidates, C, B, qNext, vNext);
    } else {
      this.windowQ(target, nextStates, nextCandidates, C, qNext, B);
    }
    const qNextOnline = config.doubleDqn ? scratch.float('qNextOnline', B * C) : undefined;
    if (qNextOnline) this.windowQ(online, nextStates, nextCandidates, C, qNextOnline, B);
    return bellmanTargets(batch.rewards, batch.terminations, qNext, C, config.gamma, scratch.float('y', B), qNextOnline);
  }

  /**
   * The auxiliary next-item head's inputs (SQN, on the shared GRU): a sampled softmax of [h·Ws, 1]·O|bias
   * over the batch's next items plus shared uniform negatives, each standing for pool / negatives items.
   */
  #embeddingHead(batch: ReplayBatch, width: number): NonNullable<StepInput['embedding']> {
    const config = this.config;
    const scratch = this.#scratch;
    const B = batch.size;
    const uniqueItems = scratch.int('uniqueItems', B + config.supervisedNegatives);
    const slotOf = new Map<number, number>();
    const labelIndex = scratch.int('labelIndex', B);
    let U = 0;
    for (let i = 0; i < B; i++) {
      const item = batch.nextItems[i];
      let slot = slotOf.get(item);
      if (slot === undefined) {
        slotOf.set(item, (slot = U));
        uniqueItems[U++] = item;
      }
      labelIndex[i] = slot;
    }
    const pool = this.negativePool;
    const uniformStart = U;
    for (let k = 0; k < config.supervisedNegatives && pool.length > 0; k++) {
      const item = pool[this.#rng.nextInt(pool.length)];
      if (!slotOf.has(item)) {
        slotOf.set(item, U);
        uniqueItems[U++] = item;
      }
    }
    const labels = scratch.float('labels', B * U);
    labels.fill(0, 0, B * U);
    for (let i = 0; i < B; i++) labels[i * U + labelIndex[i]] = 1;
    const offsets = scratch.float('offsets', B * U);
    offsets.fill(0, 0, B * U);
    if (config.supervisedNegatives > 0 && pool.length > config.supervisedNegatives) {
      const correction = Math.log(pool.length / config.supervisedNegatives);
      for (let i = 0; i < B; i++) offsets.fill(correction, i * U + uniformStart, i * U + U);
    }
    const Ou = scratch.float('Ou', U * width);
    const values = (this.online.outputs as SparseTable).values;
    for (let u = 0; u < U; u++) {
      const row = uniqueItems[u] * width;
      for (let c = 0; c < width; c++) Ou[c * U + u] = values[row + c];
    }
    return { U, uniqueItems, Ou, labels, offsets };
  }

  /** The auxiliary feature softmax (SQN-style, on Q's own feature weights): its loss and weight · its gradient w.r.t. wf. */
  #auxFeatureGradient(softmax: FeatureSoftmax, states: StateBatch, nextItems: Int32Array, B: number): { loss: number; gradient: Float32Array } {
    const w = this.featureWeights(this.online);
    const numHistory = this.features ? NUM_HISTORY_FEATURES : 0;
    const scale = Math.exp(this.#auxLogScale[0]);
    const scaled = new Float32Array(this.numFeatures);
    for (let j = 0; j < scaled.length; j++) scaled[j] = scale * w[j];
    const wh = this.features ? scaled.subarray(0, NUM_HISTORY_FEATURES) : new Float32Array(NUM_HISTORY_FEATURES);
    const wc = this.context ? scaled.subarray(numHistory, numHistory + NUM_CONTEXT_FEATURES) : new Float32Array(NUM_CONTEXT_FEATURES);
    const dh = new Float32Array(NUM_HISTORY_FEATURES);
    const dc = new Float32Array(NUM_CONTEXT_FEATURES);
    const loss = softmax.lossAndGradient(states.subarray(0, B), nextItems.subarray(0, B), wh, wc, dh, dc);
    // dh, dc are the gradients at s·w: w's is s times them, log s's is their dot product with s·w.
    const gradient = new Float32Array(this.numFeatures);
    const weight = this.config.auxFeatureWeight;
    if (this.features) for (let j = 0; j < NUM_HISTORY_FEATURES; j++) gradient[j] = weight * scale * dh[j];
    if (this.context) for (let j = 0; j < NUM_CONTEXT_FEATURES; j++) gradient[numHistory + j] = weight * scale * dc[j];
    if (this.#auxScaleAdam) {
      let dLogScale = 0;
      for (let j = 0; j < scaled.length; j++) dLogScale += (gradient[j] / scale) * scaled[j];
      this.#auxScaleGradient[0] = dLogScale;
      this.#auxScaleAdam.step(this.#auxLogScale, this.#auxScaleGradient);
    }
    return { loss, gradient };
  }

  /**
   * The optimizer: sparse rows (the GRU inputs' embedding columns, the action rows, the output rows)
   * into the tables' pending gradients, the global norm and clipping, dense Adam on the variables and
   * lazy Adam on the touched rows. Returns the norm before clipping.
   */
  #applyGradients(g: StepGradients, variables: readonly TF.Variable[], xRows: Int32Array, rowsX: number, actions: Int32Array, uniqueItems: Int32Array | undefined, width: number): number {
    const { config, online } = this;
    const D = config.itemDim;
    const items = online.items;
    for (let step = 0; step < rowsX; step++) {
      const row = xRows[step];
      if (row >= 0) items.addGradient(row, g.dX, step * g.dXStride, D);
    }
    if (config.qItemTerm) for (let i = 0; i < actions.length; i++) items.addGradient(actions[i], g.dEa, i * width, width);
    if (g.dOu && uniqueItems) {
      const outputs = online.outputs as SparseTable;
      const U = g.dOu.length / width;
      if (g.isDOuRowMajor) {
        for (let u = 0; u < U; u++) outputs.addGradient(uniqueItems[u], g.dOu, u * width, width);
      } else {
        const rowGrad = new Float32Array(width);
        for (let u = 0; u < U; u++) {
          for (let c = 0; c < width; c++) rowGrad[c] = g.dOu[c * U + u];
          outputs.addGradient(uniqueItems[u], rowGrad, 0, width);
        }
      }
    }
    let squares = items.pendingSquaredNorm() + (online.outputs?.pendingSquaredNorm() ?? 0);
    for (const values of g.dense) for (let k = 0; k < values.length; k++) squares += values[k] * values[k];
    const gradNorm = Math.sqrt(squares);
    const scale = config.maxGradNorm > 0 && gradNorm > config.maxGradNorm ? config.maxGradNorm / gradNorm : 1;
    this.#optimizer.step(this.tf, variables as TF.Variable[], g.dense, scale, this.#learningRates);
    items.step(this.#adam, scale);
    online.outputs?.step(this.#adam, scale);
    return gradNorm;
  }

  /** Releases the networks and the optimizer state. */
  dispose(): void {
    this.online.dispose();
    this.target.dispose();
  }
}
