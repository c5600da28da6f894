import { z } from 'zod';
import { parseConfig } from '../parse-config.js';
import { DEFAULT_REWARDS, type RewardTable } from '../../env/rewards.js';

/** Every DQN option with its default; defaults train on the embedded data in about a minute per epoch. */
export const DqnConfigSchema = z
  .object({
    /** tfjs backend: `auto` = tfjs-node if installed, else WASM, else CPU. */
    backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
    /** Passes over the training episodes; the env's reward epoch follows it. */
    epochs: z.number().int().min(1).default(2),
    /** Item embedding size D (also the width of the Q and supervised state vectors). */
    itemDim: z.number().int().min(1).default(32),
    /** GRU hidden size H. */
    hiddenSize: z.number().int().min(1).default(32),
    /** L: events the state encoder reads (acting, scoring and `window` training). */
    historyLength: z.number().int().min(1).default(10),
    /** `window`: each sampled transition encodes its own L-event window; `session`: one GRU pass per replayed segment gives a state for every step. */
    sequenceMode: z.enum(['window', 'session']).default('session'),
    /** Transitions per replayed segment in `session` mode. */
    segmentLength: z.number().int().min(1).default(16),
    /** Events before a segment fed to the GRU first (burn-in) in `session` mode, >= 1. */
    contextLength: z.number().int().min(1).default(8),
    /** Candidates per env step (the positive plus negatives); Q maxes over the next state's candidates. */
    numCandidates: z.number().int().min(2).default(100),
    /** How the training env draws each step's C - 1 negative candidates: uniformly from the catalogue, or by training-window popularity (harder negatives). */
    candidateNegatives: z.enum(['uniform', 'popularity']).default('uniform'),
    /** Replay env slots stepped in lock-step. */
    numEnvs: z.number().int().min(1).default(64),
    /** Replay capacity in transitions (rounded up to a multiple of numEnvs). */
    bufferSize: z.number().int().min(1).default(200_000),
    /** Transitions per gradient step. */
    batchSize: z.number().int().min(1).default(256),
    /** Env steps (of all slots) between gradient steps. */
    trainFrequency: z.number().int().min(1).default(1),
    /** Gradient steps each time. */
    gradientSteps: z.number().int().min(1).default(1),
    /**
     * Transitions collected before the first gradient step. It adapts to small data: training starts
     * after min(learningStarts, ⌊transitions per epoch / 2⌋, replay capacity) transitions (see
     * {@link effectiveLearningStarts}), with a one-line notice when that is fewer.
     */
    learningStarts: z.number().int().min(0).default(2048),
    /** Discount γ. */
    gamma: z.number().min(0).max(1).default(0.9),
    /** Adam learning rate (dense weights and the sparse embedding rows). */
    learningRate: z.number().positive().default(1e-3),
    /** Adam learning rate of Q's few feature weights, which must move far: they carry the repeat and popularity signals. */
    featureLearningRate: z.number().positive().default(0.02),
    /** `mse` or `huber` TD loss. */
    loss: z.enum(['mse', 'huber']).default('mse'),
    /** Huber threshold. */
    huberDelta: z.number().positive().default(1),
    /** Clip the global gradient norm to this (0 = off). */
    maxGradNorm: z.number().min(0).default(10),
    /** Dueling: Q(s, a) = V(s) + A(s, a) with a state-value head V(s) = h·wv, so the state-only part of the Bellman target (γ max Q(s', ·) in a replay env) does not have to be carried by every item's embedding. Ranking by Q is ranking by A. */
    dueling: z.boolean().default(true),
    /** Q's per-item term (h·Wq) · E[a] + bias[a]. Off: the feature term w · features(s, a) is the whole advantage, so the DQN ranks by it alone; the state encoder and the item embeddings then feed only V(s) (dueling) and the auxiliary next-item head. */
    qItemTerm: z.boolean().default(true),
    /** Item embeddings start uniform in ±itemInitScale·sqrt(3 / D): every item's Q carries its embedding term, and an item no gradient reached keeps its initial one in the full ranking. */
    itemInitScale: z.number().min(0).default(0),
    /** Use the online network to pick a' and the target network to value it. */
    doubleDqn: z.boolean().default(false),
    /** Hard target copy every this many gradient steps (used when tau = 1). */
    targetUpdateInterval: z.number().int().min(1).default(500),
    /** Polyak factor per gradient step; 1 = periodic hard copy. */
    tau: z.number().gt(0).max(1).default(1),
    /** ε schedule shape. */
    explorationSchedule: z.enum(['linear', 'exponential']).default('linear'),
    /** ε at the start. */
    explorationStart: z.number().min(0).max(1).default(1),
    /** ε at the end. */
    explorationEnd: z.number().min(0).max(1).default(0.05),
    /** Linear: fraction of all env steps over which ε falls; exponential: ε reaches end after this fraction (decay derived). */
    explorationFraction: z.number().gt(0).max(1).default(0.3),
    /** SQN-style auxiliary next-item cross-entropy head on the shared GRU state (off = the article's plain DQN); it never ranks. */
    supervisedHead: z.boolean().default(true),
    /** Weight of the supervised loss. */
    supervisedWeight: z.number().min(0).default(1),
    /** Weight of the SQN-style auxiliary sampled softmax over Q's own feature term w · features(s, item) on the logged next item (it shares Q's feature weights; 0 = off): batch next items, uniform catalogue negatives, each state's recent items and transition followers. */
    auxFeatureWeight: z.number().min(0).default(1),
    /** Q's feature weights at the start: `zeros`, or `ranker`: the weights of the feature ranker fitted on the training window (same features), so that the DQN starts from the ranker's ranking and TD learns what a horizon changes in it. */
    featureInit: z.enum(['zeros', 'ranker']).default('zeros'),
    /** Learn a scale s > 0 for the auxiliary feature softmax, whose logits become s · w · features: the softmax then sets the direction of Q's feature weights and TD their size (off: the softmax's logits are Q's own feature term, so the two objectives pull its scale apart). */
    auxFeatureScale: z.boolean().default(false),
    /** Per state, its most recently touched items as negatives of the auxiliary feature softmax (with history features). */
    auxHistoryNegatives: z.number().int().min(0).default(4),
    /** Per state, items that followed its last items on earlier days as negatives of the auxiliary feature softmax (with context features). */
    auxTransitionNegatives: z.number().int().min(0).default(4),
    /** Uniform negatives shared by the batch in the auxiliary head's sampled softmax (in-batch next items are negatives too). */
    supervisedNegatives: z.number().int().min(0).default(128),
    /** Purchase reward of the training env: `epoch` = min(1, 0.8 + 0.01·epoch), the original article's schedule; `fixed` = 0.8 at every epoch (the ablation). */
    rewardSchedule: z.enum(['epoch', 'fixed']).default('epoch'),
    /** Feed the history features of (state, item) into Q: touched, count, recency, strongest behaviour, previous item, recency rank (src/agents/features/history-features.ts). */
    historyFeatures: z.boolean().default(true),
    /** Feed the context features of (state, item) into Q: popularity on the days before the state's day, category match and taste, category popularity, dated transitions from the user's last items (src/agents/features/context-features.ts). */
    contextFeatures: z.boolean().default(true),
    /** Length of the period the context features count by, and of each validation period: a day by default; shorter (e.g. 15) for logs of a few hours. */
    periodMinutes: z.number().int().min(1).max(10_080).default(1440),
    /** Latest events of the user whose categories feed the context term. */
    contextRecentEvents: z.number().int().min(1).default(10),
    /** Latest events of the user whose categories feed the longer-lived taste term. */
    contextTasteEvents: z.number().int().min(1).default(100),
    /** Events of the user's history scanned for the history features. */
    historyScanLimit: z.number().int().min(1).default(1000),
    /** Cap on env steps per epoch (0 = one full pass over the episodes). */
    maxStepsPerEpoch: z.number().int().min(0).default(0),
  })
  .strict();

/** DQN options as passed in (all optional). */
export type DqnConfigInput = z.input<typeof DqnConfigSchema>;

/** DQN options after defaults. */
export type DqnConfig = z.output<typeof DqnConfigSchema>;

/** Parses a config; a bad field throws TypeError naming it ("expected …, actual …"). */
export function parseDqnConfig(raw: unknown): DqnConfig {
  return parseConfig(DqnConfigSchema, 'DQN config', raw);
}

/** The reward table the DQN trains with: the default table, with a fixed purchase reward for `rewardSchedule: 'fixed'`. */
export function trainingRewards(config: Pick<DqnConfig, 'rewardSchedule'>): RewardTable {
  return config.rewardSchedule === 'fixed' ? { ...DEFAULT_REWARDS, purchase: 0.8 } : DEFAULT_REWARDS;
}

/**
 * Transitions collected before the first gradient step on data whose epochs hold `transitionsPerEpoch`
 * env transitions, with a replay buffer of `capacity`: `learningStarts`, but at most half an epoch (so
 * that a log smaller than learningStarts still trains from the middle of its first epoch) and at most
 * the buffer (which never holds more).
 */
export function effectiveLearningStarts(learningStarts: number, transitionsPerEpoch: number, capacity: number): number {
  return Math.min(learningStarts, Math.floor(transitionsPerEpoch / 2), capacity);
}
