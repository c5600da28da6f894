import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';
import type { DqnConfig } from './config.js';
import { gruEncode, matMul, matMulConstant, uploadSteps } from './gru.js';
import { softmaxCrossEntropy } from './losses.js';
import type { QNetwork } from './q-network.js';
import type { Scratch } from './scratch.js';
import type { StepCompute, StepGradients, StepInput } from './step-compute.js';

/** [B, T·N] selection over time-major concatenated states from the first T per-step blocks [B, N]. */
function selectAll(blocks: Float32Array, T: number, B: number, N: number): Float32Array {
  const out = new Float32Array(B * T * N);
  for (let t = 0; t < T; t++) {
    const base = t * B * N;
    for (let r = 0; r < B; r++) for (let i = 0; i < N; i++) out[r * T * N + t * N + i] = blocks[base + r * N + i];
  }
  return out;
}

/**
 * The train step's loss and gradients on tf ops with autodiff, on any backend (tfjs-node, CPU, and
 * WASM when its direct kernels are unavailable or `compute: 'tf-ops'` asks for the reference): the
 * GRU over the uploaded inputs, Q(s, a) = [h·Wq, 1]·E|bias[a] + V(s) + w·features, the TD loss and
 * the embedding head's softmax cross-entropy. The gathered rows (action rows, output rows, GRU inputs)
 * are arguments of the loss, so their gradients come back without a gather gradient.
 */
export class TfOpStep implements StepCompute {
  readonly tf: Tf;
  readonly config: DqnConfig;
  readonly online: QNetwork;
  readonly scratch: Scratch;

  constructor(tf: Tf, config: DqnConfig, online: QNetwork, scratch: Scratch) {
    this.tf = tf;
    this.config = config;
    this.online = online;
    this.scratch = scratch;
  }

  lossAndGradients(input: StepInput): StepGradients {
    const { tf, config, online, scratch } = this;
    const { X, T, numSeq, B, segments, Ea, Fa, y, embedding, variables } = input;
    const F = input.wf.length;
    const U = embedding ? embedding.U : 0;
    const width = config.itemDim + 1;
    const inputSize = online.inputSize;
    const rowsX = T * numSeq;
    let lossValue = 0;
    let gradients: { dX: Float32Array; dEa: Float32Array; dOu: Float32Array | undefined; dense: Float32Array[] } | undefined;
    const xSteps = uploadSteps(tf, X, T, numSeq, inputSize, false).steps;
    const xFlat = tf.tensor2d(X.slice(0, rowsX * inputSize), [rowsX, inputSize]);
    const XTr = scratch.float('XTr', rowsX * inputSize);
    for (let r = 0; r < rowsX; r++) for (let c = 0; c < inputSize; c++) XTr[c * rowsX + r] = X[r * inputSize + c];
    const xFlatT = tf.tensor2d(XTr.slice(0, rowsX * inputSize), [inputSize, rowsX]);
    const selBlocks: { t: number; sel: TF.Tensor2D; selT: TF.Tensor2D }[] = [];
    const selection = segments ? this.#selection(segments, T, B, numSeq) : undefined;
    const selAll = selection ? tf.tensor2d(selectAll(selection, T, B, numSeq), [B, T * numSeq]) : undefined;
    if (selection) {
      const sel = selection;
      const blockT = scratch.float('selT', numSeq * B);
      for (let t = 0; t < T; t++) {
        const block = sel.subarray(t * B * numSeq, (t + 1) * B * numSeq);
        if (!block.some((v) => v !== 0)) continue;
        for (let r = 0; r < B; r++) for (let c = 0; c < numSeq; c++) blockT[c * B + r] = block[r * numSeq + c];
        selBlocks.push({ t, sel: tf.tensor2d(block.slice(), [B, numSeq]), selT: tf.tensor2d(blockT.slice(0, numSeq * B), [numSeq, B]) });
      }
    }
    const eaT = tf.tensor2d(Ea.slice(0, B * width), [B, width]);
    const ouT = embedding ? tf.tensor2d(embedding.Ou.slice(0, U * width), [width, U]) : undefined;
    const offsetsT = embedding ? tf.tensor2d(embedding.offsets.slice(0, B * U), [B, U]) : undefined;
    const args: TF.Tensor[] = [eaT, ...(ouT ? [ouT] : []), ...variables, xFlat];
    const constants: TF.Tensor[] = [];
    const yT = tf.tensor1d(y.slice(0, B));
    const faT = tf.tensor2d(Fa.slice(0, B * Math.max(1, F)), [B, Math.max(1, F)]);
    const labelsT = embedding ? tf.tensor2d(embedding.labels.slice(0, B * U), [B, U]) : undefined;

    constants.push(yT, faT, xFlatT, ...xSteps, ...(selAll ? [selAll] : []), ...selBlocks.flatMap((b) => [b.sel, b.selT]), ...(labelsT ? [labelsT] : []), ...(offsetsT ? [offsetsT] : []));
    let partTensors: TF.Tensor[] = [];
    const lossFn = (...inputs: TF.Tensor[]): TF.Scalar => {
      const ea = inputs[0] as TF.Tensor2D;
      const ou = ouT ? (inputs[1] as TF.Tensor2D) : undefined;
      const flat = inputs[inputs.length - 1] as TF.Tensor2D;
      const h = gruEncode(tf, online.gru, flat, xSteps, xFlatT, selAll ? { kind: 'select', all: selAll, blocks: selBlocks } : { kind: 'last' });
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
      const dense = grads.slice(denseStart, denseStart + variables.length).map((g) => g.dataSync() as Float32Array);
      gradients = { dX, dEa, dOu, dense };
    });
    const td = partTensors[0].dataSync()[0];
    const qMean = partTensors[1].dataSync()[0];
    const supervised = partTensors[2] ? partTensors[2].dataSync()[0] : 0;
    tf.dispose([...partTensors, xFlat, eaT, ...(ouT ? [ouT] : []), ...constants]);
    const { dX, dEa, dOu, dense } = gradients as NonNullable<typeof gradients>;
    return { loss: lossValue, td, qMean, supervised, dX, dXStride: inputSize, dEa, dOu, isDOuRowMajor: false, dense };
  }

  /** Per-step selection blocks [T][B, numSeq]: batch row `row`'s state is GRU output `col` of its segment. */
  #selection(segments: NonNullable<StepInput['segments']>, T: number, B: number, numSeq: number): Float32Array {
    const selection = this.scratch.float('sel', T * B * numSeq);
    selection.fill(0, 0, T * B * numSeq);
    for (let s = 0; s < segments.count; s++) {
      const first = segments.start[s];
      const len = segments.length[s];
      for (let k = 0; k < len; k++) {
        const row = first + k;
        const col = segments.T - len + k - 1;
        selection[col * B * numSeq + row * numSeq + s] = 1;
      }
    }
    return selection;
  }
}
