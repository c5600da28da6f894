import type * as TF from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { EventStore } from '../../data/event-store.js';
import { hoursOf } from '../../env/observation.js';
import { wasmKernels, type Tf, type WasmKernels } from './backend.js';
import type { DqnConfig } from './config.js';
import { gruEncode, gruForwardValues, gruTrainDirect, gruVariables, matMul, matMulConstant, uploadSteps } from './gru.js';
import { ContextFeatures, NUM_CONTEXT_FEATURES } from '../features/context-features.js';
import { FeatureSoftmax } from '../features/feature-softmax.js';
import { HistoryFeatures, NUM_HISTORY_FEATURES } from '../features/history-features.js';
import { QNetwork } from './q-network.js';
import type { ReplayBatch, ReplaySegments } from './replay-buffer.js';
import type { AdamOptions } from '../adam.js';
import { DenseAdam, type SparseTable } from './sparse-table.js';
import { bellmanTargets, crossEntropyFromSoftmax, softmaxCrossEntropy } from './losses.js';

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

/** [B, T·N] selection over time-major concatenated states from per-step blocks [B, N] starting at block `first`. */
function selectAll(blocks: Float32Array, first: number, T: number, B: number, N: number): Float32Array {
  const out = new Float32Array(B * T * N);
  for (let t = 0; t < T; t++) {
    const base = (first + t) * B * N;
    for (let r = 0; r < B; r++) for (let i = 0; i < N; i++) out[r * T * N + t * N + i] = blocks[base + r * N + i];
  }
  return out;
}

/** Inputs of a train step on direct WASM calls (the typed arrays the tf-op path uploads). */
interface DirectStepInput {
  /** GRU inputs [T, numSeq, inputSize], time-major. */
  readonly X: Float32Array;
  readonly T: number;
  readonly numSeq: number;
  readonly B: number;
  /** Session mode: the replayed segments and the GRU span length they were laid out in. */
  readonly segments: { readonly count: number; readonly start: Int32Array; readonly length: Int32Array; readonly T: number } | undefined;
  /** Action rows [B, D + 1], their (state, action) features [B, F] and the Bellman targets [B]. */
  readonly Ea: Float32Array;
  readonly Fa: Float32Array;
  readonly y: Float32Array;
  /** The auxiliary next-item head: Ou [D + 1, U] (transposed output rows), labels and constant logit offsets [B, U]. */
  readonly embedding:
    | {
        readonly U: number;
        readonly uniqueItems: Int32Array;
        readonly Ou: Float32Array;
        readonly labels: Float32Array;
        readonly offsets: Float32Array;
      }
    | undefined;
}

/** Loss parts and gradients of {@link DirectStepInput}: dX [T·numSeq, D] (the embedding columns of the inputs), dEa [B, D + 1], dOu [U, D + 1] (row-major), dense per variable. */
interface DirectStepResult {
  readonly loss: number;
  readonly td: number;
  readonly qMean: number;
  readonly supervised: number;
  readonly dX: Float32Array;
  readonly dEa: Float32Array;
  readonly dOu: Float32Array | undefined;
  readonly dense: ReadonlyMap<TF.Variable, Float32Array>;
}

/** Scratch arrays grown on demand (tensors get copies: the CPU backend keeps a typed array by reference). */
class Scratch {
  f32 = new Map<string, Float32Array>();
  i32 = new Map<string, Int32Array>();
  float(name: string, size: number): Float32Array {
    let a = this.f32.get(name);
    if (!a || a.length < size) this.f32.set(name, (a = new Float32Array(size)));
    return a;
  }
  int(name: string, size: number): Int32Array {
    let a = this.i32.get(name);
    if (!a || a.length < size) this.i32.set(name, (a = new Int32Array(size)));
    return a;
  }
}

/** Options of {@link DqnLearner}. */
export interface DqnLearnerOptions {
  /** Context popularity counts events before this time (the training window's end). */
  readonly untilTime?: number;
  /** The training catalogue (1 = an item with a trained embedding). */
  readonly known?: Uint8Array;
  /** `auto`: the direct WASM kernels where the backend is WASM, else tf ops; `tf-ops`: tf ops and autodiff everywhere (the reference the direct path is tested against). */
  readonly compute?: 'auto' | 'tf-ops';
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
  readonly #hours: Int8Array;
  readonly #optimizer: DenseAdam;
  readonly #learningRates: ReadonlyMap<string, number>;
  readonly #adam: AdamOptions;
  readonly #rng: Rng;
  readonly #scratch = new Scratch();
  /** The direct WASM kernels the step runs on, chosen once at construction; undefined = tf ops (CPU, tfjs-node, or `compute: 'tf-ops'`). */
  readonly #kernels: WasmKernels | undefined;
  #wf: Float32Array;
  /** The auxiliary sampled softmax over Q's feature term (config.auxFeatureWeight > 0). */
  readonly #featureSoftmax: FeatureSoftmax | undefined;
  #dots = new Float64Array(0);
  #wfVersion = -1;

  constructor(tf: Tf, config: DqnConfig, store: EventStore, negativePool: Int32Array, rng: Rng, options: DqnLearnerOptions = {}) {
    this.tf = tf;
    this.#kernels = options.compute === 'tf-ops' ? undefined : wasmKernels(tf);
    this.config = config;
    this.store = store;
    this.#rng = rng;
    this.#hours = hoursOf(store);
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
    this.#adam = { learningRate: config.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    this.#optimizer = new DenseAdam(this.#adam);
    this.#learningRates = new Map([[this.online.wf.name, config.featureLearningRate]]);
    this.#featureSoftmax =
      config.auxFeatureWeight > 0 && this.numFeatures > 0
        ? new FeatureSoftmax(store, negativePool, this.features, this.context, {
            uniformNegatives: config.supervisedNegatives,
            historyNegatives: config.auxHistoryNegatives,
            transitionNegatives: config.auxTransitionNegatives,
            categoryNegatives: 0,
            dayByDay: true,
          }, rng)
        : undefined;
  }

  /** True when the step runs on the direct WASM kernels (chosen at construction), false on tf ops. */
  get usesDirectKernels(): boolean {
    return this.#kernels !== undefined;
  }

  /** Loads the features of the state `user` before store position `position`. */
  loadFeatures(user: number, position: number): void {
    this.features?.load(this.store, user, position);
    this.context?.load(user, position);
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

  /** Encodes the window states of `users`/`positions` with `net`: h [N, H] (caller disposes). */
  encodeWindows(net: QNetwork, users: Int32Array, positions: Int32Array, n = users.length): TF.Tensor2D {
    const H = net.shape.hiddenSize;
    return this.tf.tensor2d(this.#windowStates(net, users, positions, n).slice(0, n * H), [n, H]);
  }

  /** The window states h [n, H] as values (a scratch view, valid until the next encoding). */
  #windowStates(net: QNetwork, users: Int32Array, positions: Int32Array, n: number): Float32Array {
    const T = this.config.historyLength;
    const from = this.#scratch.int('from', n);
    const offsets = this.store.userOffsets;
    for (let i = 0; i < n; i++) from[i] = offsets[users[i]];
    const X = this.#scratch.float('encodeX', n * T * net.inputSize);
    const rows = this.#scratch.int('encodeRows', n * T);
    net.fillInputs(this.store, this.#hours, from, positions, n, T, X, rows);
    const H = net.shape.hiddenSize;
    const states = gruForwardValues(this.tf, this.#kernels, net.gru, X, T, n, this.#scratch.float('encodeStates', T * n * H));
    return states.subarray((T - 1) * n * H, T * n * H);
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
   * qs · E[c] + w · features(state, c) (history then context). Candidates < 0 get -Infinity.
   */
  candidateQ(net: QNetwork, qs: Float32Array, users: Int32Array, positions: Int32Array, candidates: Int32Array, C: number, n: number, out: Float32Array, values?: Float32Array): void {
    const table = net.items.values;
    const width = net.items.width;
    const w = this.featureWeights(net);
    const F = this.numFeatures;
    if (this.#dots.length < C) this.#dots = new Float64Array(C);
    const dots = this.#dots;
    for (let i = 0; i < n; i++) {
      if (F > 0) this.loadFeatures(users[i], positions[i]);
      const qBase = i * width;
      const row = i * C;
      // Four candidates at a time: their table rows are cache misses, and independent sums let them overlap.
      let j = 0;
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
  windowQ(net: QNetwork, users: Int32Array, positions: Int32Array, candidates: Int32Array, C: number, out: Float32Array, n = users.length): void {
    const h = this.#windowStates(net, users, positions, n);
    const qs = net.qStateValues(this.#kernels, h, n, this.#scratch.float('windowQs', n * (net.shape.itemDim + 1)));
    const values = net.wv ? net.stateValues(h, n, this.#scratch.float('windowV', n)) : undefined;
    this.candidateQ(net, qs, users, positions, candidates, C, n, out, values);
  }

  /** One gradient step on a batch (window mode) or on segments (session mode). */
  trainStep(input: ReplayBatch | ReplaySegments): TrainStats {
    const tf = this.tf;
    const config = this.config;
    const isSession = 'count' in input;
    const batch = isSession ? input.batch : input;
    const B = batch.size;
    const C = batch.nextObservations.candidates.length / B;
    const D = config.itemDim;
    const width = D + 1;
    const { store } = this;
    const online = this.online;
    const target = this.target;
    const scratch = this.#scratch;
    const users = batch.observations.users;
    const positions = batch.observations.positions;
    const nextUsers = batch.nextObservations.users;
    const nextPositions = batch.nextObservations.positions;
    const nextCandidates = batch.nextObservations.candidates;

    // Sequences fed to the GRU: one window per transition, or one span per segment.
    let numSeq: number;
    let T: number;
    const from = scratch.int('seqFrom', B);
    const to = scratch.int('seqTo', B);
    let selectionMatrix: Float32Array | undefined;
    if (isSession) {
      numSeq = input.count;
      T = config.contextLength + config.segmentLength;
      for (let s = 0; s < numSeq; s++) {
        const first = input.start[s];
        const last = first + input.length[s] - 1;
        from[s] = store.userOffsets[users[first]];
        to[s] = positions[last] + 1;
      }
      // Per-step selection blocks: state of batch row `row` is GRU output `col` of its segment (the
      // tf-op path's; the direct WASM path picks the states from the segments).
      if (!this.#kernels) {
        selectionMatrix = scratch.float('sel', 2 * T * B * numSeq);
        selectionMatrix.fill(0, 0, 2 * T * B * numSeq);
        for (let s = 0; s < numSeq; s++) {
          const first = input.start[s];
          const len = input.length[s];
          for (let k = 0; k < len; k++) {
            const row = first + k;
            const col = T - len + k - 1;
            selectionMatrix[col * B * numSeq + row * numSeq + s] = 1;
            selectionMatrix[(T + col + 1) * B * numSeq + row * numSeq + s] = 1;
          }
        }
      }
    } else {
      numSeq = B;
      T = config.historyLength;
      for (let i = 0; i < B; i++) {
        from[i] = store.userOffsets[users[i]];
        to[i] = positions[i];
      }
    }
    const inputSize = online.inputSize;
    const X = scratch.float('X', numSeq * T * inputSize);
    const xRows = scratch.int('xRows', numSeq * T);

    // Bellman target y = r + γ (1 - terminated) max_a' Q_target(s', a'): bootstrap through truncation, never through termination.
    const qNext = scratch.float('qNext', B * C);
    const qNextOnline = config.doubleDqn ? scratch.float('qNextOnline', B * C) : undefined;
    if (isSession) {
      const Xt = scratch.float('Xt', numSeq * T * inputSize);
      const tRows = scratch.int('tRows', numSeq * T);
      target.fillInputs(store, this.#hours, from, to, numSeq, T, Xt, tRows);
      const H = config.hiddenSize;
      const states = gruForwardValues(tf, this.#kernels, target.gru, Xt, T, numSeq, scratch.float('targetStates', T * numSeq * H));
      // s' of each row: the GRU output after its step in its segment (the selection blocks T .. 2T - 1).
      const hNext = scratch.float('hNext', B * H).fill(0, 0, B * H);
      for (let s = 0; s < numSeq; s++) {
        const first = input.start[s];
        const len = input.length[s];
        for (let k = 0; k < len; k++) {
          const src = ((T - len + k) * numSeq + s) * H;
          hNext.set(states.subarray(src, src + H), (first + k) * H);
        }
      }
      const qsNext = target.qStateValues(this.#kernels, hNext, B, scratch.float('qsNext', B * width));
      const vNext = target.wv ? target.stateValues(hNext, B, scratch.float('vNext', B)) : undefined;
      this.candidateQ(target, qsNext, nextUsers, nextPositions, nextCandidates, C, B, qNext, vNext);
    } else {
      this.windowQ(target, nextUsers, nextPositions, nextCandidates, C, qNext, B);
    }
    if (qNextOnline) this.windowQ(online, nextUsers, nextPositions, nextCandidates, C, qNextOnline, B);
    const y = bellmanTargets(batch.rewards, batch.terminations, qNext, C, config.gamma, scratch.float('y', B), qNextOnline);

    // Online inputs: GRU spans, the action rows E|bias[a], their (state, action) features.
    online.fillInputs(store, this.#hours, from, to, numSeq, T, X, xRows);
    const Ea = scratch.float('Ea', B * width);
    const F = this.numFeatures;
    const Fa = scratch.float('Fa', B * Math.max(1, F));
    for (let i = 0; i < B; i++) {
      online.items.readRow(batch.actions[i], Ea, i * width);
      if (F > 0) {
        this.loadFeatures(users[i], positions[i]);
        this.writeFeatures(batch.actions[i], Fa, i * F);
      }
    }
    // Auxiliary next-item head (SQN) on the shared GRU: sampled softmax of [h·Ws, 1]·O|bias over the
    // batch's next items plus shared uniform negatives, each standing for pool / negatives items.
    const isSupervised = config.supervisedHead && online.outputs !== undefined;
    let U = 0;
    let uniqueItems: Int32Array | undefined;
    let labels: Float32Array | undefined;
    let Ou: Float32Array | undefined;
    let offsets: Float32Array | undefined;
    if (isSupervised) {
      const outputs = online.outputs!;
      uniqueItems = scratch.int('uniqueItems', B + config.supervisedNegatives);
      const slotOf = new Map<number, number>();
      const labelIndex = scratch.int('labelIndex', B);
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
      labels = scratch.float('labels', B * U);
      labels.fill(0, 0, B * U);
      for (let i = 0; i < B; i++) labels[i * U + labelIndex[i]] = 1;
      offsets = scratch.float('offsets', B * U);
      offsets.fill(0, 0, B * U);
      if (config.supervisedNegatives > 0 && pool.length > config.supervisedNegatives) {
        const correction = Math.log(pool.length / config.supervisedNegatives);
        for (let i = 0; i < B; i++) offsets.fill(correction, i * U + uniformStart, i * U + U);
      }
      Ou = scratch.float('Ou', U * width);
      const values = outputs.values;
      for (let u = 0; u < U; u++) {
        const row = uniqueItems[u] * width;
        for (let c = 0; c < width; c++) Ou[c * U + u] = values[row + c];
      }
    }

    // Auxiliary feature softmax: the gradient of its loss w.r.t. Q's feature weights, added to wf's below.
    let featureLoss = 0;
    let dwfAux: Float32Array | undefined;
    if (this.#featureSoftmax) {
      const w = this.featureWeights(online);
      const numHistory = this.features ? NUM_HISTORY_FEATURES : 0;
      const wh = this.features ? w.subarray(0, NUM_HISTORY_FEATURES) : new Float32Array(NUM_HISTORY_FEATURES);
      const wc = this.context ? w.subarray(numHistory, numHistory + NUM_CONTEXT_FEATURES) : new Float32Array(NUM_CONTEXT_FEATURES);
      const dh = new Float32Array(NUM_HISTORY_FEATURES);
      const dc = new Float32Array(NUM_CONTEXT_FEATURES);
      featureLoss = this.#featureSoftmax.lossAndGradient(users.subarray(0, B), positions.subarray(0, B), batch.nextItems.subarray(0, B), wh, wc, dh, dc);
      dwfAux = new Float32Array(F);
      const weight = config.auxFeatureWeight;
      if (this.features) for (let j = 0; j < NUM_HISTORY_FEATURES; j++) dwfAux[j] = weight * dh[j];
      if (this.context) for (let j = 0; j < NUM_CONTEXT_FEATURES; j++) dwfAux[numHistory + j] = weight * dc[j];
    }

    // Only the variables in the loss (wf is out of it without features).
    const variables = online.variables().filter((v) => F > 0 || v !== online.wf);
    // Session mode: the last step only feeds s' of the segment's last transition (target side).
    const onlineT = isSession ? T - 1 : T;
    const rowsX = onlineT * numSeq;
    let lossValue = 0;
    let gradNorm = 0;
    const parts = { td: 0, sup: 0, q: 0 };
    // Both paths end here: sparse rows (GRU inputs' first D columns, action rows, output rows) into
    // the tables' pending gradients, the global norm, clipping and the Adam steps.
    const applyGradients = (dX: Float32Array, dXStride: number, dEa: Float32Array, dOu: Float32Array | undefined, isDOuRowMajor: boolean, denseValues: Float32Array[]): void => {
      const items = online.items;
      for (let step = 0; step < rowsX; step++) {
        const row = xRows[step];
        if (row >= 0) items.addGradient(row, dX, step * dXStride, D);
      }
      for (let i = 0; i < B; i++) items.addGradient(batch.actions[i], dEa, i * width, width);
      if (dOu) {
        const outputs = online.outputs!;
        const unique = uniqueItems as Int32Array;
        if (isDOuRowMajor) {
          for (let u = 0; u < U; u++) outputs.addGradient(unique[u], dOu, u * width, width);
        } else {
          const rowGrad = new Float32Array(width);
          for (let u = 0; u < U; u++) {
            for (let c = 0; c < width; c++) rowGrad[c] = dOu[c * U + u];
            outputs.addGradient(unique[u], rowGrad, 0, width);
          }
        }
      }
      if (dwfAux) {
        const dwf = denseValues[variables.indexOf(online.wf)];
        for (let j = 0; j < dwfAux.length; j++) dwf[j] += dwfAux[j];
      }
      let squares = items.pendingSquaredNorm() + (online.outputs?.pendingSquaredNorm() ?? 0);
      for (const values of denseValues) {
        for (let k = 0; k < values.length; k++) squares += values[k] * values[k];
      }
      gradNorm = Math.sqrt(squares);
      const scale = config.maxGradNorm > 0 && gradNorm > config.maxGradNorm ? config.maxGradNorm / gradNorm : 1;
      this.#optimizer.step(tf, variables, denseValues, scale, this.#learningRates);
      items.step(this.#adam, scale);
      online.outputs?.step(this.#adam, scale);
    };

    const kernels = this.#kernels;
    if (kernels) {
      // On WASM: the whole loss and its gradients by hand on direct kernel calls (no tfjs kernels).
      const result = this.#directLossAndGradients(kernels, {
        X,
        T: onlineT,
        numSeq,
        B,
        segments: isSession ? { count: input.count, start: input.start, length: input.length, T } : undefined,
        Ea,
        Fa,
        y,
        embedding: isSupervised ? { U, uniqueItems: uniqueItems as Int32Array, Ou: Ou as Float32Array, labels: labels as Float32Array, offsets: offsets as Float32Array } : undefined,
      });
      lossValue = result.loss;
      parts.td = result.td;
      parts.q = result.qMean;
      parts.sup = result.supervised;
      const dense = variables.map((v) => {
        const g = result.dense.get(v);
        if (!g) throw new TypeError(`DqnLearner.trainStep: expected a gradient for ${v.name}, actual none`);
        return g;
      });
      applyGradients(result.dX, D, result.dEa, result.dOu, true, dense);
    } else {
      const xSteps = uploadSteps(tf, X, onlineT, numSeq, inputSize, false).steps;
      const xFlat = tf.tensor2d(X.slice(0, rowsX * inputSize), [rowsX, inputSize]);
      const XTr = scratch.float('XTr', rowsX * inputSize);
      for (let r = 0; r < rowsX; r++) for (let c = 0; c < inputSize; c++) XTr[c * rowsX + r] = X[r * inputSize + c];
      const xFlatT = tf.tensor2d(XTr.slice(0, rowsX * inputSize), [inputSize, rowsX]);
      const selBlocks: { t: number; sel: TF.Tensor2D; selT: TF.Tensor2D }[] = [];
      const selAll = isSession ? tf.tensor2d(selectAll(selectionMatrix as Float32Array, 0, onlineT, B, numSeq), [B, onlineT * numSeq]) : undefined;
      if (isSession) {
        const sel = selectionMatrix as Float32Array;
        const blockT = scratch.float('selT', numSeq * B);
        for (let t = 0; t < onlineT; t++) {
          const block = sel.subarray(t * B * numSeq, (t + 1) * B * numSeq);
          if (!block.some((v) => v !== 0)) continue;
          for (let r = 0; r < B; r++) for (let c = 0; c < numSeq; c++) blockT[c * B + r] = block[r * numSeq + c];
          selBlocks.push({ t, sel: tf.tensor2d(block.slice(), [B, numSeq]), selT: tf.tensor2d(blockT.slice(0, numSeq * B), [numSeq, B]) });
        }
      }
      const eaT = tf.tensor2d(Ea.slice(0, B * width), [B, width]);
      const ouT = isSupervised ? tf.tensor2d((Ou as Float32Array).slice(0, U * width), [width, U]) : undefined;
      const offsetsT = isSupervised ? tf.tensor2d((offsets as Float32Array).slice(0, B * U), [B, U]) : undefined;
      const args: TF.Tensor[] = [eaT, ...(ouT ? [ouT] : []), ...variables, xFlat];
      const constants: TF.Tensor[] = [];
      const yT = tf.tensor1d(y.slice(0, B));
      const faT = tf.tensor2d(Fa.slice(0, B * Math.max(1, F)), [B, Math.max(1, F)]);
      const labelsT = isSupervised ? tf.tensor2d((labels as Float32Array).slice(0, B * U), [B, U]) : undefined;

      constants.push(yT, faT, xFlatT, ...xSteps, ...(selAll ? [selAll] : []), ...selBlocks.flatMap((b) => [b.sel, b.selT]), ...(labelsT ? [labelsT] : []), ...(offsetsT ? [offsetsT] : []));
      let partTensors: TF.Tensor[] = [];
      const lossFn = (...inputs: TF.Tensor[]): TF.Scalar => {
        const ea = inputs[0] as TF.Tensor2D;
        const ou = ouT ? (inputs[1] as TF.Tensor2D) : undefined;
        const flat = inputs[inputs.length - 1] as TF.Tensor2D;
        const h = gruEncode(tf, online.gru, flat, xSteps, xFlatT, isSession ? { kind: 'select', all: selAll as TF.Tensor2D, blocks: selBlocks } : { kind: 'last' });
        let q: TF.Tensor = tf.sum(tf.mul(online.qState(h as TF.Tensor2D), ea), 1);
        if (F > 0) q = tf.add(q, tf.reshape(matMulConstant(tf, faT, online.wf as TF.Tensor2D), [B]));
        if (online.wv) q = tf.add(q, tf.reshape(matMul(tf, h as TF.Tensor2D, online.wv as TF.Tensor2D), [B]));
        const diff = tf.sub(q, yT);
        let td: TF.Scalar;
        if (config.loss === 'huber') {
          const delta = config.huberDelta;
          const abs = tf.abs(diff);
          const quadratic = tf.minimum(abs, delta);
          td = tf.mean(tf.add(tf.mul(tf.square(quadratic), 0.5), tf.mul(tf.sub(abs, quadratic), delta))) as TF.Scalar;
        } else {
          td = tf.mean(tf.square(diff)) as TF.Scalar;
        }
        let loss: TF.Scalar = td;
        let sup: TF.Scalar | undefined;
        if (ou && labelsT && offsetsT) {
          const logits = tf.add(matMul(tf, online.supervisedState(h as TF.Tensor2D), ou), offsetsT) as TF.Tensor2D;
          sup = softmaxCrossEntropy(tf, logits, labelsT);
          loss = tf.add(td, tf.mul(sup, config.supervisedWeight));
        }
        partTensors = [tf.keep(td.clone()), tf.keep(tf.mean(q)), ...(sup ? [tf.keep(sup.clone())] : [])];
        return loss;
      };
      tf.tidy(() => {
        const { value, grads } = tf.valueAndGrads(lossFn)(args);
        lossValue = value.dataSync()[0];
        const dX = grads[grads.length - 1].dataSync() as Float32Array;
        const dEa = grads[0].dataSync() as Float32Array;
        let denseStart = 1;
        let dOu: Float32Array | undefined;
        if (ouT) {
          dOu = grads[1].dataSync() as Float32Array;
          denseStart = 2;
        }
        const denseValues = grads.slice(denseStart, denseStart + variables.length).map((g) => g.dataSync() as Float32Array);
        applyGradients(dX, inputSize, dEa, dOu, false, denseValues);
      });
      parts.td = partTensors[0].dataSync()[0];
      parts.q = partTensors[1].dataSync()[0];
      parts.sup = partTensors[2] ? partTensors[2].dataSync()[0] : 0;
      tf.dispose([...partTensors, xFlat, eaT, ...(ouT ? [ouT] : []), ...constants]);
      partTensors = [];
    }

    this.gradientSteps++;
    if (config.tau < 1) target.polyakFrom(online, config.tau);
    else if (this.gradientSteps % config.targetUpdateInterval === 0) target.copyFrom(online);
    return { loss: lossValue + config.auxFeatureWeight * featureLoss, tdLoss: parts.td, supervisedLoss: parts.sup, featureLoss, qMean: parts.q, gradNorm };
  }

  /**
   * The loss and gradients of a train step on direct WASM calls, with no tfjs kernel and no autodiff:
   * the function of the tf-op path (GRU states; Q(s, a) = [h·Wq, 1]·E|bias[a] + w·features; the TD
   * loss; the embedding head's softmax cross-entropy over [h·Ws, 1]·(O|biasO)ᵀ + offsets) with its
   * backward pass written out: XNNPACK products and softmax for the matrices, typed-array loops for the rest.
   */
  #directLossAndGradients(k: WasmKernels, input: DirectStepInput): DirectStepResult {
    const { config, online } = this;
    const scratch = this.#scratch;
    const { X, T, numSeq, B, segments, Ea, Fa, y, embedding } = input;
    const D = config.itemDim;
    const width = D + 1;
    const H = config.hiddenSize;
    const F = this.numFeatures;
    const pass = gruTrainDirect(k, online.gru, X, T, numSeq, D);
    const states = pass.states;
    // Offset in `states` of each batch row's state (its step in its segment, or its window's last step).
    const pickAt = scratch.int('pickAt', B);
    if (segments) {
      pickAt.fill(-1, 0, B);
      for (let s = 0; s < segments.count; s++) {
        const first = segments.start[s];
        const len = segments.length[s];
        for (let j = 0; j < len; j++) pickAt[first + j] = ((segments.T - len + j - 1) * numSeq + s) * H;
      }
    } else {
      for (let i = 0; i < B; i++) pickAt[i] = ((T - 1) * numSeq + i) * H;
    }
    // Both heads' projections at once: [h·Wq | h·Ws] = h·[Wq | Ws], and back dh = [dQs | dSs]·[Wq | Ws]ᵀ.
    const P = (embedding ? 2 : 1) * D;
    const U = embedding ? embedding.U : 0;
    // Every buffer first: an allocation can grow the heap and detach the views taken before it.
    const hB = k.buffer('head/h', B * H);
    const wB = k.buffer('head/w', H * P);
    const wTB = k.buffer('head/wT', P * H);
    const pB = k.buffer('head/p', B * P);
    const dpB = k.buffer('head/dp', B * P);
    const dpTB = k.buffer('head/dpT', P * B);
    const dhB = k.buffer('head/dh', B * H);
    const dwTB = k.buffer('head/dwT', P * H);
    const ssB = embedding ? k.buffer('head/ss', B * width) : hB;
    const ouB = embedding ? k.buffer('head/ou', width * U) : hB;
    const ourB = embedding ? k.buffer('head/our', U * width) : hB;
    const logitsB = embedding ? k.buffer('head/logits', B * U) : hB;
    const probB = embedding ? k.buffer('head/prob', B * U) : hB;
    const dlB = embedding ? k.buffer('head/dl', B * U) : hB;
    const dlTB = embedding ? k.buffer('head/dlT', U * B) : hB;
    const dssB = embedding ? k.buffer('head/dss', B * width) : hB;
    const douB = embedding ? k.buffer('head/dou', U * width) : hB;

    const heap = k.heap();
    const wq = k.tensorData(online.wq).offset;
    const ws = embedding ? k.tensorData(online.ws as TF.Variable).offset : 0;
    const w = k.view(wB);
    const wT = k.view(wTB);
    for (let r = 0; r < H; r++) {
      for (let d = 0; d < D; d++) {
        const q = heap[wq + r * D + d];
        w[r * P + d] = q;
        wT[d * H + r] = q;
        if (embedding) {
          const s = heap[ws + r * D + d];
          w[r * P + D + d] = s;
          wT[(D + d) * H + r] = s;
        }
      }
    }
    const h = k.view(hB);
    for (let i = 0; i < B; i++) {
      const at = pickAt[i];
      if (at < 0) h.fill(0, i * H, i * H + H);
      else h.set(states.subarray(at, at + H), i * H);
    }
    // Fresh ids for right operands whose values changed (XNNPACK caches their packing by id).
    k.refresh(wB);
    k.refresh(wTB);
    k.refresh(hB);
    k.matMul(hB.id, B, H, wB.id, P, pB.id);

    // Q(s, a), the TD loss and dL/dq.
    const p = k.view(pB);
    const dp = k.view(dpB);
    const dpT = k.view(dpTB);
    const wf = this.featureWeights(online);
    const isHuber = config.loss === 'huber';
    const delta = config.huberDelta;
    const qs = scratch.float('directQs', B * width);
    const dEa = scratch.float('directDEa', B * width);
    const dwf = new Float32Array(F);
    // Dueling: V(s) = h·wv joins every Q(s, a); dV/dq = 1, so dwv = Σ dq·h and dh gets dq·wv (added below).
    const wv = online.wv ? (online.wv.dataSync() as Float32Array) : undefined;
    const hv = k.view(hB);
    const dqs = scratch.float('directDq', B);
    const dwv = wv ? new Float32Array(H) : undefined;
    let tdSum = 0;
    let qSum = 0;
    for (let i = 0; i < B; i++) {
      const row = i * width;
      let q = 0;
      if (wv) for (let j = 0; j < H; j++) q += hv[i * H + j] * wv[j];
      for (let d = 0; d < D; d++) {
        const v = p[i * P + d];
        qs[row + d] = v;
        q += v * Ea[row + d];
      }
      qs[row + D] = 1;
      q += Ea[row + D];
      for (let f = 0; f < F; f++) q += Fa[i * F + f] * wf[f];
      q = Math.fround(q);
      qSum += q;
      const diff = q - y[i];
      let dq: number;
      if (isHuber) {
        const abs = Math.abs(diff);
        const quadratic = Math.min(abs, delta);
        tdSum += 0.5 * quadratic * quadratic + delta * (abs - quadratic);
        dq = (diff > 0 ? quadratic : -quadratic) / B;
      } else {
        tdSum += diff * diff;
        dq = (2 * diff) / B;
      }
      for (let c = 0; c < width; c++) dEa[row + c] = dq * qs[row + c];
      for (let d = 0; d < D; d++) {
        const g = dq * Ea[row + d];
        dp[i * P + d] = g;
        dpT[d * B + i] = g;
      }
      for (let f = 0; f < F; f++) dwf[f] += dq * Fa[i * F + f];
      dqs[i] = dq;
      if (dwv) for (let j = 0; j < H; j++) dwv[j] += dq * hv[i * H + j];
    }
    const td = tdSum / B;

    // Embedding head: logits = [h·Ws, 1]·Ou + offsets, softmax cross-entropy, and back.
    let supervised = 0;
    let dOu: Float32Array | undefined;
    if (embedding) {
      const ss = k.view(ssB);
      for (let i = 0; i < B; i++) {
        for (let d = 0; d < D; d++) ss[i * width + d] = p[i * P + D + d];
        ss[i * width + D] = 1;
      }
      k.view(ouB).set(embedding.Ou.subarray(0, width * U));
      const our = k.view(ourB);
      const table = (online.outputs as SparseTable).values;
      for (let u = 0; u < U; u++) {
        const item = embedding.uniqueItems[u];
        our.set(table.subarray(item * width, item * width + width), u * width);
      }
      k.refresh(ssB);
      k.refresh(ouB);
      k.refresh(ourB);
      k.matMul(ssB.id, B, width, ouB.id, U, logitsB.id);
      const logits = k.view(logitsB);
      const offsets = embedding.offsets;
      for (let e = 0; e < B * U; e++) logits[e] += offsets[e];
      k.softmax(logitsB.id, probB.id, U, B);
      const prob = k.view(probB);
      const lg = k.view(logitsB);
      const dl = k.view(dlB);
      const dlT = k.view(dlTB);
      const labels = embedding.labels;
      const labelSums = scratch.float('directLabelSums', B);
      supervised = crossEntropyFromSoftmax(prob, lg, labels, B, U, labelSums) / B;
      // dL/dlogits = weight · (s · softmax − labels) / B, row-major and transposed; in blocks of rows so
      // that the transposed writes of a block are contiguous.
      const scale = config.supervisedWeight / B;
      for (let i0 = 0; i0 < B; i0 += 16) {
        const i1 = Math.min(B, i0 + 16);
        for (let u = 0; u < U; u++) {
          const column = u * B;
          for (let i = i0; i < i1; i++) {
            const e = i * U + u;
            const g = scale * (labelSums[i] * prob[e] - labels[e]);
            dl[e] = g;
            dlT[column + i] = g;
          }
        }
      }
      k.matMul(dlB.id, B, U, ourB.id, width, dssB.id);
      k.matMul(dlTB.id, U, B, ssB.id, width, douB.id);
      dOu = k.view(douB).slice();
      const dss = k.view(dssB);
      const dpS = k.view(dpB);
      const dpTS = k.view(dpTB);
      for (let i = 0; i < B; i++) {
        for (let d = 0; d < D; d++) {
          const g = dss[i * width + d];
          dpS[i * P + D + d] = g;
          dpTS[(D + d) * B + i] = g;
        }
      }
    }

    // dh, the projections' weight gradients (transposed), then the GRU's backward pass from the picked states.
    k.matMul(dpB.id, B, P, wTB.id, H, dhB.id);
    k.matMul(dpTB.id, P, B, hB.id, H, dwTB.id);
    const dh = k.view(dhB);
    if (wv) for (let i = 0; i < B; i++) for (let j = 0; j < H; j++) dh[i * H + j] += dqs[i] * wv[j];
    const dwT = k.view(dwTB);
    const dWq = new Float32Array(H * D);
    const dWs = embedding ? new Float32Array(H * D) : undefined;
    for (let r = 0; r < H; r++) {
      for (let d = 0; d < D; d++) {
        dWq[r * D + d] = dwT[d * H + r];
        if (dWs) dWs[r * D + d] = dwT[(D + d) * H + r];
      }
    }
    const dStates = scratch.float('directDStates', T * numSeq * H);
    dStates.fill(0, 0, T * numSeq * H);
    for (let i = 0; i < B; i++) {
      const at = pickAt[i];
      if (at < 0) continue;
      for (let j = 0; j < H; j++) dStates[at + j] += dh[i * H + j];
    }
    const g = pass.backward(dStates.subarray(0, T * numSeq * H));
    const dense = new Map<TF.Variable, Float32Array>();
    gruVariables(online.gru).forEach((v, i) => dense.set(v, g.weights[i]));
    dense.set(online.wq, dWq);
    if (online.wv && dwv) dense.set(online.wv, dwv);
    dense.set(online.wf, dwf);
    if (online.ws && dWs) dense.set(online.ws, dWs);
    return { loss: td + config.supervisedWeight * supervised, td, qMean: qSum / B, supervised, dX: g.dX, dEa, dOu, dense };
  }

  /** Releases the networks and the optimizer state. */
  dispose(): void {
    this.online.dispose();
    this.target.dispose();
  }
}
