import type { AdamOptions } from '../adam.js';
import type { Rng } from '../../core/rng.js';

/**
 * An embedding table on a Float32Array (`rows` x `width`, row-major) trained with lazy Adam: a step
 * updates only the rows that received gradient, so its cost is O(touched rows x width), never
 * O(rows x width). Gradients are accumulated per row with `addGradient` (duplicates summed), then
 * applied by `step`.
 */
export class SparseTable {
  readonly rows: number;
  readonly width: number;
  readonly values: Float32Array;
  /** Bumped by every change of `values`, so that cached device copies know when to refresh. */
  version = 0;
  #m: Float32Array;
  #v: Float32Array;
  #steps = 0;
  #slot: Int32Array;
  #stamp = 1;
  #touched: Int32Array;
  #numTouched = 0;
  #grad: Float32Array;
  /** Sink of the warm-up loads in {@link step} (so that they are not optimised away). */
  #warm = 0;

  constructor(rows: number, width: number) {
    if (!(Number.isInteger(rows) && rows >= 1)) throw new RangeError(`expected rows >= 1, actual ${rows}`);
    if (!(Number.isInteger(width) && width >= 1)) throw new RangeError(`expected width >= 1, actual ${width}`);
    this.rows = rows;
    this.width = width;
    this.values = new Float32Array(rows * width);
    this.#m = new Float32Array(rows * width);
    this.#v = new Float32Array(rows * width);
    this.#slot = new Int32Array(rows * 2);
    this.#touched = new Int32Array(64);
    this.#grad = new Float32Array(64 * width);
  }

  /** Fills the first `columns` columns uniformly in [-limit, limit) from `rng`; other columns 0. */
  initUniform(limit: number, rng: Rng, columns = this.width): void {
    const { values, width } = this;
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < width; c++) values[r * width + c] = c < columns ? (rng.next() * 2 - 1) * limit : 0;
    }
    this.version++;
  }

  /** Copies `src` (same shape) into this table, optimizer state excluded. */
  copyFrom(src: SparseTable): void {
    this.values.set(src.values);
    this.version++;
  }

  /** values = (1 - tau) * values + tau * src.values. */
  polyakFrom(src: SparseTable, tau: number): void {
    const a = this.values;
    const b = src.values;
    const keep = 1 - tau;
    for (let i = 0; i < a.length; i++) a[i] = keep * a[i] + tau * b[i];
    this.version++;
  }

  /** Writes row `row` (columns 0 .. count - 1) to `out` at `offset`; a negative row writes zeros. */
  readRow(row: number, out: Float32Array, offset: number, count = this.width): void {
    if (row < 0) out.fill(0, offset, offset + count);
    else out.set(this.values.subarray(row * this.width, row * this.width + count), offset);
  }

  /** Adds `grad[offset .. offset + count)` to the pending gradient of `row` (columns 0 .. count - 1). */
  addGradient(row: number, grad: Float32Array, offset: number, count = this.width): void {
    if (row < 0) return;
    const slot = this.#slotOf(row);
    const g = this.#grad;
    const base = slot * this.width;
    for (let c = 0; c < count; c++) g[base + c] += grad[offset + c];
  }

  /** Sum of squares of the pending gradient. */
  pendingSquaredNorm(): number {
    const g = this.#grad;
    let s = 0;
    for (let i = 0, n = this.#numTouched * this.width; i < n; i++) s += g[i] * g[i];
    return s;
  }

  /** Number of rows with pending gradient. */
  get pendingRows(): number {
    return this.#numTouched;
  }

  /** Applies one lazy-Adam step to the touched rows with the pending gradient times `scale`, then clears it. */
  step(options: AdamOptions, scale = 1): void {
    const { learningRate, beta1, beta2, epsilon } = options;
    const t = ++this.#steps;
    const alpha = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    const { values, width } = this;
    const m = this.#m;
    const v = this.#v;
    const g = this.#grad;
    const touched = this.#touched;
    // The touched rows are scattered over large tables: one independent load per cache line first lets
    // their misses overlap (the update loop's long per-element chain issues them one by one).
    let warm = 0;
    for (let s = 0; s < this.#numTouched; s++) {
      const base = touched[s] * width;
      for (let c = 0; c < width; c += 16) warm += values[base + c] + m[base + c] + v[base + c];
      warm += values[base + width - 1] + m[base + width - 1] + v[base + width - 1];
    }
    this.#warm += warm;
    for (let s = 0; s < this.#numTouched; s++) {
      const base = touched[s] * width;
      const gBase = s * width;
      for (let c = 0; c < width; c++) {
        const grad = g[gBase + c] * scale;
        const i = base + c;
        const mi = (m[i] = beta1 * m[i] + (1 - beta1) * grad);
        const vi = (v[i] = beta2 * v[i] + (1 - beta2) * grad * grad);
        values[i] -= (alpha * mi) / (Math.sqrt(vi) + epsilon);
      }
    }
    this.clearGradient();
    this.version++;
  }

  /** Drops the pending gradient. */
  clearGradient(): void {
    this.#grad.fill(0, 0, this.#numTouched * this.width);
    this.#numTouched = 0;
    if (++this.#stamp === 0x7fffffff) {
      this.#slot.fill(0);
      this.#stamp = 1;
    }
  }

  #slotOf(row: number): number {
    const slots = this.#slot;
    if (slots[2 * row] === this.#stamp) return slots[2 * row + 1];
    const slot = this.#numTouched++;
    if (slot === this.#touched.length) {
      const touched = new Int32Array(slot * 2);
      touched.set(this.#touched);
      this.#touched = touched;
      const grad = new Float32Array(slot * 2 * this.width);
      grad.set(this.#grad);
      this.#grad = grad;
    }
    this.#touched[slot] = row;
    slots[2 * row] = this.#stamp;
    slots[2 * row + 1] = slot;
    return slot;
  }
}

/**
 * Adam for the dense tf variables, computed on typed arrays: tf's optimizer runs about eight
 * scalar-broadcast kernels per variable, and scalar broadcasts cost ~0.2 ms each on WASM (measured).
 * `step` reads the current values, updates them and writes them back with one `assign` per variable.
 */
export class DenseAdam {
  readonly options: AdamOptions;
  #state = new Map<string, { m: Float32Array; v: Float32Array }>();
  #steps = 0;

  constructor(options: AdamOptions) {
    this.options = options;
  }

  /** One step: `grads[i]` (values, times `scale`) belongs to `variables[i]`; `learningRates` overrides the rate per variable name. */
  step(
    tf: typeof import('@tensorflow/tfjs'),
    variables: readonly import('@tensorflow/tfjs').Variable[],
    grads: readonly Float32Array[],
    scale = 1,
    learningRates?: ReadonlyMap<string, number>,
  ): void {
    const { beta1, beta2, epsilon } = this.options;
    const t = ++this.#steps;
    const correction = Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t);
    tf.tidy(() => {
      variables.forEach((variable, k) => {
        const alpha = (learningRates?.get(variable.name) ?? this.options.learningRate) * correction;
        const g = grads[k];
        let state = this.#state.get(variable.name);
        if (!state) this.#state.set(variable.name, (state = { m: new Float32Array(g.length), v: new Float32Array(g.length) }));
        const { m, v } = state;
        const values = (variable.dataSync() as Float32Array).slice();
        for (let i = 0; i < values.length; i++) {
          const grad = g[i] * scale;
          const mi = (m[i] = beta1 * m[i] + (1 - beta1) * grad);
          const vi = (v[i] = beta2 * v[i] + (1 - beta2) * grad * grad);
          values[i] -= (alpha * mi) / (Math.sqrt(vi) + epsilon);
        }
        variable.assign(tf.tensor(values, variable.shape));
      });
    });
  }
}
