import type { Rng } from '../../core/rng.js';
import type { StateBatch } from '../../data/state-batch.js';
import { softmaxCrossEntropyRows } from '../softmax.js';
import { contextWeightGradient, NUM_CONTEXT_FEATURES, type ContextFeatures } from './context-features.js';
import { NUM_HISTORY_FEATURES, type HistoryFeatures } from './history-features.js';

/** The negatives and label mask of a {@link FeatureSoftmax}. */
export interface FeatureSoftmaxOptions {
  /** Uniform catalogue negatives shared by the batch. */
  readonly uniformNegatives: number;
  /** Per state, its most recently touched items (with history features). */
  readonly historyNegatives: number;
  /** Per state, items that followed its last items on earlier days (with context features). */
  readonly transitionNegatives: number;
  /** Per state, items from the categories of its latest events (with context features). */
  readonly categoryNegatives: number;
  /** Leave out states whose next item is unseen before their day, and give such items no mass (with context features). */
  readonly dayByDay: boolean;
}

/** Logit of an item the state's day cannot rank (unseen before it): out of the softmax in effect. */
export const UNSEEN_LOGIT = -1e4;

/**
 * A sampled softmax over feature terms on typed arrays: for a batch of states, the candidate items
 * (the batch's next items, uniform catalogue negatives, and per state its recent items, transition
 * followers and category neighbours), their logits w_h · history features + w_c · context features,
 * the cross-entropy on the logged next item and the gradients of the two weight vectors. The ranker
 * trains on it; the DQN uses it as an auxiliary loss on Q's own feature weights. Scratch is reused.
 */
export class FeatureSoftmax {
  readonly #pool: Int32Array;
  readonly #history: HistoryFeatures | undefined;
  readonly #context: ContextFeatures | undefined;
  readonly #config: FeatureSoftmaxOptions;
  readonly #rng: Rng;
  readonly #slotOf = new Map<number, number>();
  #items = new Int32Array(0);
  #labelIndex = new Int32Array(0);
  #labels = new Float32Array(0);
  #logits = new Float32Array(0);
  #grad = new Float32Array(0);
  #contextValues = new Float32Array(0);
  #historyValues = new Float32Array(0);
  #historyAt = new Int32Array(0);
  /** Range of the uniform negatives in the step's item list. */
  #uniformStart = 0;
  #uniformEnd = 0;

  constructor(pool: Int32Array, history: HistoryFeatures | undefined, context: ContextFeatures | undefined, config: FeatureSoftmaxOptions, rng: Rng) {
    this.#pool = pool;
    this.#history = history;
    this.#context = context;
    this.#config = config;
    this.#rng = rng;
  }

  /**
   * Mean loss of the requests of `states` against the items the users acted on next (`nextItems[i]`,
   * the labels); writes the weights' gradients.
   */
  lossAndGradient(states: StateBatch, nextItems: Int32Array, historyWeights: Float32Array, contextWeights: Float32Array, dHistory: Float32Array, dContext: Float32Array): number {
    const B = states.size;
    const U = this.#collectItems(states, nextItems);
    const config = this.#config;
    const history = this.#history;
    const context = this.#context;
    const items = this.#items;
    const isDayByDay = config.dayByDay && context !== undefined;
    if (this.#logits.length < B * U) {
      this.#labels = new Float32Array(B * U);
      this.#logits = new Float32Array(B * U);
      this.#grad = new Float32Array(B * U);
    }
    const labels = this.#labels;
    const logits = this.#logits;
    const grad = this.#grad;
    labels.fill(0, 0, B * U);
    logits.fill(0, 0, B * U);
    for (let i = 0; i < B; i++) {
      // Day by day: a next item unseen before the state's day cannot be ranked on that day.
      if (isDayByDay && !context.seenBefore(states.times[i], nextItems[i])) continue;
      labels[i * U + this.#labelIndex[i]] = 1;
    }
    // Each uniform negative stands for pool / negatives catalogue items.
    const uniformStart = this.#uniformStart;
    const uniformEnd = this.#uniformEnd;
    if (uniformEnd > uniformStart && this.#pool.length > config.uniformNegatives) {
      const correction = Math.log(this.#pool.length / config.uniformNegatives);
      for (let i = 0; i < B; i++) logits.fill(correction, i * U + uniformStart, i * U + uniformEnd);
    }
    let sparseCount = 0;
    if (history) {
      const capacity = B * history.touched.length;
      if (this.#historyAt.length < capacity) {
        this.#historyAt = new Int32Array(capacity);
        this.#historyValues = new Float32Array(capacity * NUM_HISTORY_FEATURES);
      }
      const values = this.#historyValues;
      for (let i = 0; i < B; i++) {
        history.load(states, i);
        for (let k = 0; k < history.numTouched; k++) {
          const slot = this.#slotOf.get(history.touched[k]);
          if (slot === undefined) continue;
          const at = sparseCount * NUM_HISTORY_FEATURES;
          history.write(history.touched[k], values, at);
          let logit = 0;
          for (let j = 0; j < NUM_HISTORY_FEATURES; j++) logit += historyWeights[j] * values[at + j];
          logits[i * U + slot] += logit;
          this.#historyAt[sparseCount++] = i * U + slot;
        }
      }
    }
    if (context) {
      if (this.#contextValues.length < B * U * NUM_CONTEXT_FEATURES) this.#contextValues = new Float32Array(B * U * NUM_CONTEXT_FEATURES);
      for (let i = 0; i < B; i++) {
        context.load(states, i);
        context.writeRow(items, U, contextWeights, this.#contextValues, i * U * NUM_CONTEXT_FEATURES, logits, i * U, isDayByDay ? UNSEEN_LOGIT : undefined);
      }
    }
    const loss = softmaxCrossEntropyRows(logits, labels, B, U, 1, grad);
    dHistory.fill(0);
    for (let c = 0; c < sparseCount; c++) {
      const g = grad[this.#historyAt[c]];
      for (let j = 0; j < NUM_HISTORY_FEATURES; j++) dHistory[j] += g * this.#historyValues[c * NUM_HISTORY_FEATURES + j];
    }
    if (context) contextWeightGradient(grad, logits, UNSEEN_LOGIT, this.#contextValues, B * U, dContext);
    else dContext.fill(0);
    return loss;
  }

  /** The step's distinct items into `#items` (next items first); returns their count. */
  #collectItems(states: StateBatch, nextItems: Int32Array): number {
    const B = states.size;
    const config = this.#config;
    const history = this.#history;
    const context = this.#context;
    const historyNegatives = history ? config.historyNegatives : 0;
    const transitionNegatives = context ? config.transitionNegatives : 0;
    const categoryNegatives = context ? config.categoryNegatives : 0;
    const capacity = B * (1 + historyNegatives + transitionNegatives + categoryNegatives) + config.uniformNegatives;
    if (this.#items.length < capacity) this.#items = new Int32Array(capacity);
    if (this.#labelIndex.length < B) this.#labelIndex = new Int32Array(B);
    const slotOf = this.#slotOf;
    slotOf.clear();
    const items = this.#items;
    const rng = this.#rng;
    let U = 0;
    const add = (item: number): boolean => {
      if (slotOf.has(item)) return false;
      slotOf.set(item, U);
      items[U++] = item;
      return true;
    };
    for (let i = 0; i < B; i++) {
      const item = nextItems[i];
      add(item);
      this.#labelIndex[i] = slotOf.get(item) as number;
    }
    this.#uniformStart = U;
    const pool = this.#pool;
    for (let k = 0; k < config.uniformNegatives && pool.length > 0; k++) add(pool[rng.nextInt(pool.length)]);
    this.#uniformEnd = U;
    for (let i = 0; i < B && history && historyNegatives > 0; i++) {
      history.load(states, i);
      for (let k = 0, added = 0; k < history.numTouched && added < historyNegatives; k++) if (add(history.touched[k])) added++;
    }
    for (let i = 0; i < B && context && categoryNegatives > 0; i++) {
      context.load(states, i);
      if (context.numCategories === 0) continue;
      const { categoryStart, categoryItems } = context;
      for (let k = 0; k < categoryNegatives; k++) {
        let draw = rng.next() * context.numShare();
        let c = 0;
        while (c < context.numCategories - 1 && draw >= context.shares[c]) draw -= context.shares[c++];
        const category = context.categories[c];
        const size = categoryStart[category + 1] - categoryStart[category];
        if (size > 0) add(categoryItems[categoryStart[category] + rng.nextInt(size)]);
      }
    }
    for (let i = 0; i < B && context && transitionNegatives > 0; i++) {
      context.load(states, i);
      for (let k = 0; k < transitionNegatives && context.numFollowers > 0; k++) add(context.followers[rng.nextInt(context.numFollowers)]);
    }
    return U;
  }
}
