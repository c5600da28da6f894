/** Adam hyper-parameters shared by the dense and the sparse updates. */
export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** Adam on one small Float32Array of parameters. */
export class ArrayAdam {
  readonly options: AdamOptions;
  #m: Float32Array;
  #v: Float32Array;
  #steps = 0;

  constructor(size: number, options: AdamOptions) {
    this.options = options;
    this.#m = new Float32Array(size);
    this.#v = new Float32Array(size);
  }

  /** values -= Adam(grad · scale). */
  step(values: Float32Array, grad: Float32Array, scale = 1): void {
    const { learningRate, beta1, beta2, epsilon } = this.options;
    const t = ++this.#steps;
    const alpha = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    const m = this.#m;
    const v = this.#v;
    for (let i = 0; i < values.length; i++) {
      const g = grad[i] * scale;
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      values[i] -= (alpha * m[i]) / (Math.sqrt(v[i]) + epsilon);
    }
  }
}
