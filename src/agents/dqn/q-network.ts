import type * as TF from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { StateBatch } from '../../data/state-batch.js';
import { readAndDispose, type Tf, type WasmKernels } from './backend.js';
import { createGruWeights, gruVariables, matMul, uniformValues, type GruWeights } from './gru.js';
import { SparseTable } from './sparse-table.js';

/**
 * Columns appended to each event's item embedding: one-hot behaviour (click, favourite, cart,
 * purchase), one-hot hour of day, and a constant 1 (so the GRU input biases are rows of its input matrices).
 */
export const EVENT_EXTRA_COLUMNS = 4 + 24 + 1;

/** Shape of a {@link QNetwork}. */
export interface QNetworkShape {
  readonly numItems: number;
  /** D: item embedding size. */
  readonly itemDim: number;
  /** H: GRU hidden size. */
  readonly hiddenSize: number;
  /** Width of the (state, item) features Q adds with the weights `wf` (0 = none). */
  readonly numFeatures: number;
  /** With a state-value head: Q(s, a) = V(s) + A(s, a) (dueling). */
  readonly isDueling: boolean;
  /** Item embeddings start uniform in ±itemInitScale·sqrt(3 / D) (default 1). */
  readonly itemInitScale?: number;
  /** With the auxiliary next-item head and its output table. */
  readonly isSupervised: boolean;
}

let networkCount = 0;

/**
 * The DQN's network: item embeddings (+ behaviour and hour embeddings, the one-hot rows of the GRU
 * input matrix) -> GRU -> state h; Q(s, a) = (h·Wq) · E[a] + bias[a] + w · features(s, a) [+ h·wv, dueling]
 * (history and context features, `src/agents/features`); auxiliary next-item logits (h·Ws) · O[x] + biasO[x]. The tables E|bias and O|biasO live on Float32Arrays
 * ({@link SparseTable}: width D + 1, the bias last) and are trained sparsely; the dense weights are
 * tf variables.
 */
export class QNetwork {
  readonly tf: Tf;
  readonly shape: QNetworkShape;
  readonly name: string;
  readonly inputSize: number;
  readonly items: SparseTable;
  readonly outputs: SparseTable | undefined;
  readonly gru: GruWeights;
  /** State -> Q state vector [H, D]. */
  readonly wq: TF.Variable;
  /** History feature weights [F, 1]. */
  readonly wf: TF.Variable;
  /** State -> supervised state vector [H, D] (supervised only). */
  readonly ws: TF.Variable | undefined;
  /** State -> state value V(s) [H, 1] (dueling only). */
  readonly wv: TF.Variable | undefined;
  #catalogue: { version: number; tensor: TF.Tensor2D } | undefined;
  #outputCatalogue: { version: number; tensor: TF.Tensor2D } | undefined;

  constructor(tf: Tf, shape: QNetworkShape, rng: Rng) {
    const { numItems, itemDim: D, hiddenSize: H } = shape;
    for (const [k, v] of Object.entries({ numItems, itemDim: D, hiddenSize: H })) {
      if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`QNetwork: expected ${k} to be an integer >= 1, actual ${v}`);
    }
    this.tf = tf;
    this.shape = { ...shape };
    this.name = `qnet${networkCount++}`;
    this.inputSize = D + EVENT_EXTRA_COLUMNS;
    this.items = new SparseTable(numItems, D + 1);
    this.items.initUniform((shape.itemInitScale ?? 1) * Math.sqrt(3 / D), rng, D);
    this.outputs = shape.isSupervised ? new SparseTable(numItems, D + 1) : undefined;
    this.outputs?.initUniform(Math.sqrt(3 / D), rng, D);
    this.gru = createGruWeights(tf, this.inputSize, H, rng, `${this.name}/gru`);
    const glorot = (rows: number, cols: number, name: string) =>
      tf.variable(tf.tensor2d(uniformValues(rows * cols, Math.sqrt(6 / (rows + cols)), rng), [rows, cols]), true, `${this.name}/${name}`);
    this.wq = glorot(H, D, 'wq');
    this.wf = tf.variable(tf.zeros([Math.max(1, shape.numFeatures), 1]), true, `${this.name}/wf`);
    this.ws = shape.isSupervised ? glorot(H, D, 'ws') : undefined;
    this.wv = shape.isDueling ? tf.variable(tf.zeros([H, 1]), true, `${this.name}/wv`) : undefined;
  }

  /** Dense variables in a fixed order (the checkpoint order). */
  variables(): TF.Variable[] {
    return [...gruVariables(this.gru), this.wq, this.wf, ...(this.ws ? [this.ws] : []), ...(this.wv ? [this.wv] : [])];
  }

  /** Makes this network an exact copy of `src` (same shape). */
  copyFrom(src: QNetwork): void {
    const mine = this.variables();
    src.variables().forEach((v, i) => mine[i].assign(v));
    this.items.copyFrom(src.items);
    if (this.outputs && src.outputs) this.outputs.copyFrom(src.outputs);
  }

  /** θ ← (1 - τ)θ + τ·θ_src. */
  polyakFrom(src: QNetwork, tau: number): void {
    const tf = this.tf;
    const mine = this.variables();
    tf.tidy(() =>
      src.variables().forEach((v, i) => {
        const a = (mine[i].dataSync() as Float32Array).slice();
        const b = v.dataSync() as Float32Array;
        for (let k = 0; k < a.length; k++) a[k] = (1 - tau) * a[k] + tau * b[k];
        mine[i].assign(tf.tensor(a, mine[i].shape));
      }),
    );
    this.items.polyakFrom(src.items, tau);
    if (this.outputs && src.outputs) this.outputs.polyakFrom(src.outputs, tau);
  }

  /**
   * Writes the GRU inputs of `n` requests time-major ([T, n, inputSize]), right-aligned in `T`
   * steps: request `i`'s last (up to) T visible events, oldest first; padding steps are zero
   * (bias column included). `itemRows[t * n + i]` gets the item of each step (-1 for padding) for the
   * sparse gradient.
   */
  fillInputs(states: StateBatch, n: number, T: number, out: Float32Array, itemRows: Int32Array): void {
    const D = this.shape.itemDim;
    const width = this.inputSize;
    const rowWidth = D + 1;
    const table = this.items.values;
    const numItems = this.shape.numItems;
    out.fill(0, 0, n * T * width);
    itemRows.fill(-1, 0, n * T);
    for (let i = 0; i < n; i++) {
      const count = Math.min(states.lengths[i], T);
      for (let k = count - 1, t = T - count; k >= 0; k--, t++) {
        const step = t * n + i;
        const base = step * width;
        const item = states.item(i, k);
        if (item < numItems) {
          out.set(table.subarray(item * rowWidth, item * rowWidth + D), base);
          itemRows[step] = item;
        }
        out[base + D + states.behavior(i, k) - 1] = 1;
        out[base + D + 4 + states.hour(i, k)] = 1;
        out[base + D + 28] = 1;
      }
    }
  }

  /** Q state vectors with a ones column for the bias: [N, D + 1]. */
  qState(h: TF.Tensor2D): TF.Tensor2D {
    const tf = this.tf;
    return tf.concat([matMul(tf, h, this.wq as TF.Tensor2D), tf.ones([h.shape[0], 1])], 1) as TF.Tensor2D;
  }

  /**
   * Q state vectors of `n` states given as values (`h` [n, H] row-major) into `out` [n, D + 1]: with the
   * direct WASM kernels `k` one product (no tfjs kernel, no readback), without them {@link qState}.
   */
  qStateValues(k: WasmKernels | undefined, h: Float32Array, n: number, out: Float32Array = new Float32Array(n * (this.shape.itemDim + 1))): Float32Array {
    const tf = this.tf;
    const H = this.shape.hiddenSize;
    const D = this.shape.itemDim;
    if (!k) {
      out.set(readAndDispose(tf.tidy(() => this.qState(tf.tensor2d(h.slice(0, n * H), [n, H])))));
      return out;
    }
    const hB = k.buffer('qstate/h', n * H);
    const pB = k.buffer('qstate/p', n * D);
    k.view(hB).set(h.subarray(0, n * H));
    // wq's own data is the right operand: assign gives it a new id, so its cached packing never goes stale.
    k.matMul(hB.id, n, H, k.tensorData(this.wq).id, D, pB.id);
    const p = k.view(pB);
    const width = D + 1;
    for (let i = 0; i < n; i++) {
      out.set(p.subarray(i * D, i * D + D), i * width);
      out[i * width + D] = 1;
    }
    return out;
  }

  /** V(s) of `n` states given as values (`h` [n, H] row-major) into `out` [n]; zeros without the value head. */
  stateValues(h: Float32Array, n: number, out: Float32Array = new Float32Array(n)): Float32Array {
    if (!this.wv) return out.fill(0, 0, n);
    const wv = this.wv.dataSync() as Float32Array;
    const H = this.shape.hiddenSize;
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < H; j++) v += h[i * H + j] * wv[j];
      out[i] = v;
    }
    return out;
  }

  /** Supervised state vectors with a ones column: [N, D + 1]. */
  supervisedState(h: TF.Tensor2D): TF.Tensor2D {
    const tf = this.tf;
    if (!this.ws) throw new TypeError('QNetwork.supervisedState: expected a network with the supervised head, actual none');
    return tf.concat([matMul(tf, h, this.ws as TF.Tensor2D), tf.ones([h.shape[0], 1])], 1) as TF.Tensor2D;
  }

  /** The item table transposed on the device, [D + 1, numItems], refreshed when the table changed. */
  catalogue(head: 'q' | 'supervised' = 'q'): TF.Tensor2D {
    const table = head === 'q' ? this.items : this.outputs;
    if (!table) throw new TypeError('QNetwork.catalogue: expected a network with the supervised head, actual none');
    const cached = head === 'q' ? this.#catalogue : this.#outputCatalogue;
    if (cached && cached.version === table.version) return cached.tensor;
    cached?.tensor.dispose();
    const { rows, width, values } = table;
    const transposed = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) transposed[c * rows + r] = values[r * width + c];
    const entry = { version: table.version, tensor: this.tf.keep(this.tf.tensor2d(transposed, [width, rows])) };
    if (head === 'q') this.#catalogue = entry;
    else this.#outputCatalogue = entry;
    return entry.tensor;
  }

  /** Releases every tensor of the network. */
  dispose(): void {
    for (const v of this.variables()) v.dispose();
    this.#catalogue?.tensor.dispose();
    this.#outputCatalogue?.tensor.dispose();
    this.#catalogue = undefined;
    this.#outputCatalogue = undefined;
  }
}
