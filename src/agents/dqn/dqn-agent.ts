import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { z } from 'zod';
import { ErrorCode, RecGymError } from '../../core/errors.js';
import { fork, type Rng } from '../../core/rng.js';
import type { EventStore } from '../../data/event-store.js';
import { dataFingerprint } from '../../data/fingerprint.js';
import type { TimeWindow } from '../../data/split.js';
import { StateBatch } from '../../data/state-batch.js';
import { rewardOf } from '../../env/rewards.js';
import type { SimEnvOptions } from '../../env/sim-options.js';
import { VectorRecommendationEnv } from '../../env/vector-env.js';
import { VectorSimulatorEnv } from '../../env/vector-simulator-env.js';
import { checkBatch, type Agent } from '../agent.js';
import { checkFinite, checkpointError, checkTrainingData, DataFingerprintSchema, readManifest, writeFileReplacing } from '../checkpoint.js';
import { NUM_CONTEXT_FEATURES } from '../features/context-features.js';
import { NUM_HISTORY_FEATURES } from '../features/history-features.js';
import { throttledProgress, type EpochStats, type TrainableAgent, type TrainHooks } from '../trainable.js';
import { RankerAgent } from '../ranker/ranker-agent.js';
import { initBackend, readAndDispose, type Tf } from './backend.js';
import { DqnConfigSchema, effectiveLearningStarts, parseDqnConfig, trainingRewards, type DqnConfig, type DqnConfigInput } from './config.js';
import { DqnLearner, type TrainStats } from './dqn-learner.js';
import { ReplayBuffer, createReplayBatch } from './replay-buffer.js';
import { exponentialSchedule, linearSchedule, type EpsilonSchedule } from './schedules.js';

/** Score of an item the agent has no training data for: below every learned score. */
export const COLD_SCORE = -1e30;

/** The DQN's per-epoch summary: the common figures plus its own. */
export interface DqnEpochStats extends EpochStats {
  /** Vector-env steps in this epoch (each steps `numEnvs` slots) and the env transitions they collected. */
  readonly envSteps: number;
  readonly envTransitions: number;
  /** Means over the epoch's gradient steps (NaN when none). */
  readonly tdLoss: number;
  readonly supervisedLoss: number;
  /** The auxiliary feature softmax's loss (0 without it). */
  readonly featureLoss: number;
  readonly qMean: number;
  /** ε at the end of the epoch. */
  readonly epsilon: number;
  /** Mean reward and hit rate per env transition (behaviour policy). */
  readonly meanReward: number;
  readonly hitRate: number;
  /** Reward of a purchase hit in this epoch (the epoch-scheduled purchase reward). */
  readonly purchaseReward: number;
}

/** Checkpoint format; /4: a zod-checked manifest with the training data's fingerprint (/3 recorded the item count and trainEnd). */
const FORMAT = 'recgym-dqn/4';

const ManifestSchema = z
  .object({
    format: z.literal(FORMAT),
    config: DqnConfigSchema,
    numItems: z.number().int().min(1),
    backend: z.string(),
    tensors: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), offset: z.number().int().min(0), length: z.number().int().min(0) }).strict()),
    knownItems: z.number().int().min(0),
    /** The data it was trained on (its training window's end is where context popularity stops counting): loading refuses any other. */
    data: DataFingerprintSchema,
    /** Gradient steps of its training (0: the weights are the initial ones). */
    gradientSteps: z.number().int().min(0),
  })
  .strict();

type Manifest = z.infer<typeof ManifestSchema>;

/**
 * The DQN agent: trains on the replay vector env of the store's training window (ε-greedy over C
 * candidates, replay, target network, Bellman targets with no bootstrap through termination, the
 * epoch-scheduled purchase reward), then acts, ranks and scores states by Q: argmax Q is its greedy
 * policy and Q's order is its ranking. The auxiliary next-item head, when on, only shapes the shared
 * GRU. Implements {@link Agent}, so the evaluation harness ranks with it; `save`/`load` write and read
 * checkpoints (JSON manifest + one float32 binary) that load on any backend.
 */
export class DqnAgent implements TrainableAgent<DqnEpochStats> {
  name: string = 'dqn';
  readonly config: DqnConfig;
  /** Backend of the last fit or load. */
  backend: string | undefined;
  #learner: DqnLearner | undefined;
  #known = new Uint8Array(0);
  #tf: Tf | undefined;
  #train: TimeWindow | undefined;
  #store: EventStore | undefined;
  #gradientSteps = 0;

  /** Gradient steps taken in training (read from the checkpoint when loaded): 0 means untrained. */
  get gradientSteps(): number {
    return this.#gradientSteps;
  }

  constructor(config: DqnConfigInput = {}) {
    this.config = parseDqnConfig(config);
  }

  /** The learner after `fit` / `load` (networks, optimizer); undefined before. */
  get learner(): DqnLearner | undefined {
    return this.#learner;
  }

  async fit(store: EventStore, train: TimeWindow, rng: Rng): Promise<void> {
    await this.train(store, train, rng);
  }

  /** Trains for `config.epochs` passes over the training episodes and returns per-epoch stats. */
  async train(store: EventStore, train: TimeWindow, rng: Rng, hooks: TrainHooks<DqnEpochStats> = {}): Promise<DqnEpochStats[]> {
    const config = this.config;
    const numEnvs = config.numEnvs;
    const env = new VectorRecommendationEnv({ ...this.#envOptions(rng), store, split: 'train', trainEnd: train.end });
    try {
      const fullPass = Math.ceil(env.setup.episodes.steps / numEnvs);
      const about = `${env.numEpisodes} episodes, ${env.setup.episodes.steps} transitions per pass`;
      return await this.#trainIn(env, { store, train, catalogue: env.setup.catalogue, fullPass, about }, rng, hooks);
    } finally {
      env.close();
    }
  }

  /**
   * Trains online in the user simulator (the env options of `Tianchi-Sim-v0` minus what the DQN sets:
   * candidates mode with its C, negatives and rewards, its slots, a seed from `rng`, and past states
   * kept readable for its replay buffer): the responses, and so the next states, depend on what it
   * recommends. An epoch is `config.maxStepsPerEpoch` vector steps, or as many as one session per
   * fitted shopper at the fitted session length takes. Window sequences only (`sequenceMode: 'window'`).
   */
  async trainInSimulator(simOptions: Omit<SimEnvOptions, 'mode' | 'numCandidates' | 'slateSize' | 'negatives' | 'rewards' | 'historyLength' | 'seed' | 'retainedStates'>, rng: Rng, hooks: TrainHooks<DqnEpochStats> = {}): Promise<DqnEpochStats[]> {
    const config = this.config;
    if (config.sequenceMode !== 'window') {
      throw new RecGymError(ErrorCode.BAD_OPTION, `dqn.trainInSimulator: expected sequenceMode 'window' (a simulated step appends a click and its funnel, not one event), actual '${config.sequenceMode}'`);
    }
    const numEnvs = config.numEnvs;
    const env = new VectorSimulatorEnv({ ...simOptions, ...this.#envOptions(rng), mode: 'candidates', retainedStates: config.bufferSize + 2 * numEnvs });
    try {
      const model = env.setup.shoppers.model;
      const fullPass = config.maxStepsPerEpoch > 0 ? config.maxStepsPerEpoch : Math.max(1, Math.ceil((env.numEpisodes * Math.max(1, model.session.meanClicks)) / numEnvs));
      const about = `simulator, ${env.numEpisodes} shoppers, ~${Math.round(model.session.meanClicks * 10) / 10} clicks per logged session`;
      return await this.#trainIn(env, { store: env.setup.store, train: model.trainWindow, catalogue: env.setup.catalogue, fullPass, about }, rng, hooks);
    } finally {
      env.close();
    }
  }

  /** The weights of a feature ranker fitted on `train` with the DQN's features, in Q's order (history, then context). */
  async #rankerWeights(store: EventStore, train: TimeWindow, rng: Rng, hooks: TrainHooks<DqnEpochStats>): Promise<Float32Array> {
    const { historyFeatures, contextFeatures, periodMinutes, contextRecentEvents, contextTasteEvents, historyScanLimit } = this.config;
    const ranker = new RankerAgent({ historyFeatures, contextFeatures, periodMinutes, contextRecentEvents, contextTasteEvents, historyScanLimit });
    const started = performance.now();
    await ranker.fit(store, train, rng);
    hooks.log?.(`dqn: feature weights from the ranker fitted on the training window (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const weights = [...(historyFeatures ? ranker.historyWeights : []), ...(contextFeatures ? ranker.contextWeights : [])];
    return Float32Array.from(weights);
  }

  /** What the DQN sets in the env it trains in: its candidates, rewards and slots, and a seed from `rng`. */
  #envOptions(rng: Rng) {
    const config = this.config;
    return {
      numCandidates: config.numCandidates,
      negatives: config.candidateNegatives,
      historyLength: 1,
      rewards: trainingRewards(config),
      numEnvs: config.numEnvs,
      seed: Math.floor(fork(rng, 'env').next() * 0x7fffffff),
    };
  }

  /** The training loop over a candidates-mode vector env (replay or simulated). */
  async #trainIn(env: VectorRecommendationEnv | VectorSimulatorEnv, data: { store: EventStore; train: TimeWindow; catalogue: Int32Array; fullPass: number; about: string }, rng: Rng, hooks: TrainHooks<DqnEpochStats>): Promise<DqnEpochStats[]> {
    const config = this.config;
    const { store, train, catalogue, fullPass, about } = data;
    const { tf, backend } = await initBackend(config.backend);
    this.#tf = tf;
    this.backend = backend;
    hooks.log?.(`dqn: backend ${backend}`);
    const C = config.numCandidates;
    const numEnvs = config.numEnvs;
    const rewards = trainingRewards(config);
    this.#known = new Uint8Array(store.numItems);
    for (let i = 0; i < catalogue.length; i++) this.#known[catalogue[i]] = 1;
    this.#learner?.dispose();
    this.#train = { start: train.start, end: train.end };
    this.#store = store;
    this.#gradientSteps = 0;
    let observations = env.reset().observations;
    const log = observations.states.log;
    const learner = new DqnLearner(tf, config, store, catalogue, fork(rng, 'learner'), { untilTime: train.end, known: this.#known, log });
    this.#learner = learner;
    if (config.featureInit === 'ranker' && learner.numFeatures > 0) learner.setFeatureWeights(await this.#rankerWeights(store, train, fork(rng, 'ranker'), hooks));
    const actRng = fork(rng, 'explore');
    const replayRng = fork(rng, 'replay');
    const buffer = new ReplayBuffer({ capacity: config.bufferSize, numEnvs, numCandidates: C });
    const batch = createReplayBatch(config.batchSize, C);
    const stepsPerEpoch = config.maxStepsPerEpoch > 0 ? Math.min(config.maxStepsPerEpoch, fullPass) : fullPass;
    const totalSteps = stepsPerEpoch * config.epochs;
    const schedule = createSchedule(config, totalSteps);
    hooks.log?.(`dqn: ${about}, ${stepsPerEpoch} env steps x ${numEnvs} slots per epoch`);
    const learningStarts = effectiveLearningStarts(config.learningStarts, stepsPerEpoch * numEnvs, buffer.capacity);
    if (learningStarts < config.learningStarts) {
      hooks.log?.(
        `dqn: note: learningStarts ${config.learningStarts} adapted to ${learningStarts} (at most half an epoch's ${stepsPerEpoch * numEnvs} transitions and the replay capacity ${buffer.capacity}), so that this data trains`,
      );
    }

    // This step's states (copied: the env overwrites its observation) and their successors.
    const states = new StateBatch(log, new Int32Array(numEnvs), new Int32Array(numEnvs), new Int32Array(numEnvs));
    const candidates = new Int32Array(numEnvs * C);
    const next = { users: new Int32Array(numEnvs), lengths: new Int32Array(numEnvs), times: new Int32Array(numEnvs) };
    const nextCandidates = new Int32Array(numEnvs * C);
    const actions = new Int32Array(numEnvs);
    const actionItems = new Int32Array(numEnvs);
    const q = new Float32Array(numEnvs * C);
    let globalStep = 0;
    const progress = throttledProgress(hooks);
    const epochs: DqnEpochStats[] = [];
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      env.setTrainingEpoch(epoch);
      const started = performance.now();
      let sums = { loss: 0, td: 0, sup: 0, feature: 0, q: 0 };
      let updates = 0;
      let trainMs = 0;
      let rewardSum = 0;
      let hits = 0;
      let epsilon = schedule(globalStep);
      for (let s = 0; s < stepsPerEpoch; s++, globalStep++) {
        epsilon = schedule(globalStep);
        states.users.set(observations.users);
        states.lengths.set(observations.lengths);
        states.times.set(observations.times);
        candidates.set(observations.candidates);
        const isGreedyNeeded = epsilon < 1;
        if (isGreedyNeeded) learner.windowQ(learner.online, states, candidates, C, q);
        for (let i = 0; i < numEnvs; i++) {
          let a: number;
          if (!isGreedyNeeded || actRng.next() < epsilon) a = actRng.nextInt(C);
          else {
            a = 0;
            let best = q[i * C];
            let ties = 1;
            for (let j = 1; j < C; j++) {
              const v = q[i * C + j];
              if (v > best) {
                best = v;
                a = j;
                ties = 1;
              } else if (v === best && actRng.next() * ++ties < 1) a = j;
            }
          }
          actions[i] = a;
          actionItems[i] = candidates[i * C + a];
        }
        const result = env.step(actions);
        for (let i = 0; i < numEnvs; i++) {
          const isDone = result.terminations[i] === 1 || result.truncations[i] === 1;
          const source = isDone ? result.finalObservations : result.observations;
          next.users[i] = source.users[i];
          next.lengths[i] = source.lengths[i];
          next.times[i] = source.times[i];
          nextCandidates.set(source.candidates.subarray(i * C, (i + 1) * C), i * C);
          rewardSum += result.rewards[i];
          hits += result.hits[i];
        }
        buffer.add(states, actionItems, result.rewards, { ...next, candidates: nextCandidates }, result.terminations, result.truncations, result.nextItems);
        observations = result.observations;
        if (buffer.size >= Math.max(learningStarts, 1) && globalStep % config.trainFrequency === 0) {
          const t0 = performance.now();
          for (let g = 0; g < config.gradientSteps; g++) {
            const stats: TrainStats = learner.trainStep(
              config.sequenceMode === 'session'
                ? buffer.sampleSegments(config.batchSize, config.segmentLength, replayRng, batch)
                : buffer.sample(config.batchSize, replayRng, batch),
            );
            sums = { loss: sums.loss + stats.loss, td: sums.td + stats.tdLoss, sup: sums.sup + stats.supervisedLoss, feature: sums.feature + stats.featureLoss, q: sums.q + stats.qMean };
            updates++;
          }
          trainMs += performance.now() - t0;
        }
        progress?.(epoch, s, stepsPerEpoch, () => (updates > 0 ? sums.loss / updates : NaN));
      }
      progress?.(epoch, stepsPerEpoch, stepsPerEpoch, () => (updates > 0 ? sums.loss / updates : NaN));
      const transitions = stepsPerEpoch * numEnvs;
      this.#gradientSteps += updates;
      const stats: DqnEpochStats = {
        epoch,
        envSteps: stepsPerEpoch,
        envTransitions: transitions,
        transitions: updates * config.batchSize,
        gradientSteps: updates,
        loss: sums.loss / updates,
        tdLoss: sums.td / updates,
        supervisedLoss: sums.sup / updates,
        featureLoss: sums.feature / updates,
        qMean: sums.q / updates,
        epsilon,
        meanReward: rewardSum / transitions,
        hitRate: hits / transitions,
        seconds: (performance.now() - started) / 1000,
        trainTransitionsPerSec: trainMs > 0 ? (updates * config.batchSize * 1000) / trainMs : 0,
        purchaseReward: rewardOf(rewards, 4, epoch),
      };
      epochs.push(stats);
      await hooks.onEpoch?.(stats);
    }
    return epochs;
  }

  scoreCandidates(batch: StateBatch, candidates: Int32Array, numCandidates: number, out: Float64Array): void {
    const learner = this.#requireLearner('scoreCandidates', batch);
    checkBatch(batch);
    const n = batch.users.length;
    const C = numCandidates;
    const chunk = 512;
    const q = new Float32Array(chunk * C);
    const safe = new Int32Array(chunk * C);
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      const states = batch.subarray(start, start + m);
      // Q reads embedding rows: items without a trained one go in as -1 (−Infinity).
      for (let k = 0; k < m * C; k++) safe[k] = this.#isKnown(candidates[start * C + k]) ? candidates[start * C + k] : -1;
      learner.windowQ(learner.online, states, safe, C, q, m);
      for (let k = 0; k < m * C; k++) out[start * C + k] = safe[k] < 0 ? COLD_SCORE : q[k];
      this.#qUnknownTouched(states, candidates.subarray(start * C, (start + m) * C), C, out, start * C);
    }
  }

  /**
   * Q of items outside the training catalogue that the state's history holds (touched earlier on the
   * test day): the feature term w · features, which needs no embedding. Other unknown items keep COLD_SCORE.
   */
  #qUnknownTouched(states: StateBatch, candidates: Int32Array, C: number, out: Float64Array, offset: number): void {
    const learner = this.#learner as DqnLearner;
    const history = learner.features;
    if (!history) return;
    const w = learner.featureWeights(learner.online);
    for (let i = 0; i < states.size; i++) {
      let isLoaded = false;
      for (let j = 0; j < C; j++) {
        const item = candidates[i * C + j];
        if (this.#isKnown(item)) continue;
        if (!isLoaded) {
          learner.loadFeatures(states, i);
          isLoaded = true;
        }
        if (history.has(item)) out[offset + i * C + j] = learner.featureDot(item, w);
      }
    }
  }

  /** True for items of the training catalogue (the ones with trained embeddings). */
  #isKnown(item: number): boolean {
    return item >= 0 && item < this.#known.length && this.#known[item] === 1;
  }

  scoreItems(batch: StateBatch, out: Float64Array): void {
    const learner = this.#requireLearner('scoreItems', batch);
    checkBatch(batch);
    const tf = this.#tf as Tf;
    const numItems = batch.numItems;
    const known = this.#known;
    const n = batch.users.length;
    const chunk = Math.max(1, Math.min(256, Math.floor((1 << 22) / Math.max(1, numItems))));
    const online = learner.online;
    const w = learner.featureWeights(online);
    const history = learner.features;
    const context = learner.context;
    const numHistory = history ? NUM_HISTORY_FEATURES : 0;
    const contextWeights = w.subarray(numHistory, numHistory + NUM_CONTEXT_FEATURES);
    const tableItems = online.shape.numItems;
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      const states = batch.subarray(start, start + m);
      const scores = readAndDispose(
        tf.tidy(() => {
          const h = learner.encodeWindows(online, states, m);
          const q = learner.config.qItemTerm ? tf.matMul(online.qState(h), online.catalogue('q')) : tf.zeros([m, tableItems]);
          return online.wv ? tf.add(q, tf.matMul(h, online.wv as TF.Tensor2D)) : q;
        }),
      );
      for (let i = 0; i < m; i++) {
        const row = (start + i) * numItems;
        for (let x = 0; x < numItems; x++) out[row + x] = x < tableItems && known[x] === 1 ? scores[i * tableItems + x] : 0;
        learner.loadFeatures(states, i);
        context?.addScores(contextWeights, out, row, Math.min(numItems, tableItems));
        for (let x = 0; x < numItems; x++) if (!(x < tableItems && known[x] === 1)) out[row + x] = COLD_SCORE;
        if (!history) continue;
        for (let k = 0; k < history.numTouched; k++) {
          const item = history.touched[k];
          if (item >= numItems) continue;
          if (item >= tableItems || known[item] !== 1) {
            out[row + item] = learner.featureDot(item, w);
            continue;
          }
          out[row + item] += history.dot(item, w, 0);
        }
      }
    }
  }

  /** Writes `manifest.json` and `weights.bin` to `dir` (created if missing). */
  async save(dir: string): Promise<void> {
    const learner = this.#requireLearner('save');
    const online = learner.online;
    const parts: { name: string; values: Float32Array; shape: number[] }[] = online.variables().map((v) => ({
      name: v.name.slice(online.name.length + 1),
      values: v.dataSync() as Float32Array,
      shape: [...v.shape],
    }));
    parts.push({ name: 'items', values: online.items.values, shape: [online.items.rows, online.items.width] });
    if (online.outputs) parts.push({ name: 'outputs', values: online.outputs.values, shape: [online.outputs.rows, online.outputs.width] });
    parts.push({ name: 'known', values: Float32Array.from(this.#known), shape: [this.#known.length] });
    let offset = 0;
    const tensors = parts.map((p) => {
      const entry = { name: p.name, shape: p.shape, offset, length: p.values.length };
      offset += p.values.length;
      return entry;
    });
    const all = new Float32Array(offset);
    parts.forEach((p, i) => all.set(p.values, tensors[i].offset));
    const manifest: Manifest = {
      format: FORMAT,
      config: this.config,
      numItems: online.shape.numItems,
      backend: this.backend ?? 'unknown',
      tensors,
      knownItems: this.#known.reduce((a, b) => a + b, 0),
      data: dataFingerprint(this.#store as EventStore, this.#train as TimeWindow),
      gradientSteps: this.#gradientSteps,
    };
    await mkdir(dir, { recursive: true });
    await writeFileReplacing(dir, 'weights.bin', new Uint8Array(all.buffer, all.byteOffset, all.byteLength));
    await writeFileReplacing(dir, 'manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /**
   * Rebuilds a trained agent from a checkpoint written by `save`, on `backend` (default: the config's).
   * Refuses (BAD_CHECKPOINT, one line) another format version, a manifest that fails its schema, data
   * other than the training data (naming the first difference), and weights that are not finite.
   */
  static async load(dir: string, store: EventStore, options: { backend?: DqnConfig['backend'] } = {}): Promise<DqnAgent> {
    const where = `DQN checkpoint ${dir}`;
    const manifest = await readManifest(dir, where, FORMAT, ManifestSchema);
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, 'weights.bin'));
    } catch (error) {
      throw checkpointError(where, `expected manifest.json and weights.bin, actual ${(error as Error).message}`, error);
    }
    checkTrainingData(where, manifest.data, store);
    if (manifest.numItems !== store.numItems) throw checkpointError(where, `numItems: expected ${store.numItems} (the data's items), actual ${manifest.numItems}`);
    const total = manifest.tensors.reduce((s, t) => s + t.length, 0);
    if (bytes.byteLength !== total * 4) throw checkpointError(`${where}/weights.bin`, `expected ${total * 4} bytes, actual ${bytes.byteLength}`);
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const byName = new Map<string, Float32Array>();
    for (const t of manifest.tensors) {
      if (t.offset + t.length > total || t.shape.reduce((a, b) => a * b, 1) !== t.length) {
        throw checkpointError(where, `tensor ${t.name}: expected shape [${t.shape.join(', ')}] within the ${total} values, actual ${t.length} values at ${t.offset}`);
      }
      const v = values.subarray(t.offset, t.offset + t.length);
      checkFinite(`${where}/weights.bin`, t.name, v);
      byName.set(t.name, v);
    }
    const take = (name: string, length: number): Float32Array => {
      const v = byName.get(name);
      if (!v || v.length !== length) throw checkpointError(where, `tensor ${name}: expected ${length} values, actual ${v?.length ?? 'none'}`);
      return v;
    };
    const knownValues = take('known', store.numItems);
    const notFlag = knownValues.findIndex((v) => v !== 0 && v !== 1);
    if (notFlag >= 0) throw checkpointError(`${where}/weights.bin`, `known[${notFlag}]: expected 0 or 1, actual ${knownValues[notFlag]}`);
    const known = Uint8Array.from(knownValues);
    const agent = new DqnAgent({ ...manifest.config, backend: options.backend ?? manifest.config.backend });
    const { tf, backend } = await initBackend(agent.config.backend);
    agent.#tf = tf;
    agent.backend = backend;
    const { createRng } = await import('../../core/rng.js');
    agent.#train = manifest.data.train;
    agent.#store = store;
    agent.#gradientSteps = manifest.gradientSteps;
    const learner = new DqnLearner(tf, agent.config, store, new Int32Array(0), createRng('load'), { untilTime: manifest.data.train.end, known });
    const online = learner.online;
    try {
      for (const v of online.variables()) {
        const name = v.name.slice(online.name.length + 1);
        tf.tidy(() => v.assign(tf.tensor(take(name, v.size).slice(), v.shape) as TF.Tensor));
      }
      online.items.values.set(take('items', online.items.values.length));
      online.items.version++;
      if (online.outputs) {
        online.outputs.values.set(take('outputs', online.outputs.values.length));
        online.outputs.version++;
      }
    } catch (error) {
      learner.dispose();
      throw error;
    }
    learner.target.copyFrom(online);
    agent.#known = known;
    agent.#learner = learner;
    return agent;
  }

  /** Releases the tensors. */
  dispose(): void {
    this.#learner?.dispose();
    this.#learner = undefined;
  }

  #requireLearner(where: string, batch?: StateBatch): DqnLearner {
    if (!this.#learner) throw new RecGymError(ErrorCode.RESET_NEEDED, `DqnAgent.${where}: expected a fitted or loaded agent, actual none (call fit or DqnAgent.load first)`);
    if (batch && !batch.readsFrom(this.#learner.store)) throw new TypeError(`DqnAgent.${where}: expected the store the agent was fitted on, actual another`);
    return this.#learner;
  }
}

function createSchedule(config: DqnConfig, totalSteps: number): EpsilonSchedule {
  const duration = Math.max(1, Math.round(config.explorationFraction * totalSteps));
  if (config.explorationSchedule === 'linear') return linearSchedule(config.explorationStart, config.explorationEnd, duration);
  const ratio = config.explorationEnd > 0 && config.explorationStart > 0 ? config.explorationEnd / config.explorationStart : 1e-3;
  return exponentialSchedule(config.explorationStart, config.explorationEnd, Math.min(1, ratio ** (1 / duration)));
}
