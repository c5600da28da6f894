import type * as TF from '@tensorflow/tfjs';
import type { WasmKernels } from './backend.js';
import type { DqnConfig } from './config.js';
import { gruTrainDirect, gruVariables } from './gru.js';
import { crossEntropyFromSoftmax } from './losses.js';
import type { QNetwork } from './q-network.js';
import type { Scratch } from './scratch.js';
import type { SparseTable } from './sparse-table.js';
import type { StepCompute, StepGradients, StepInput } from './step-compute.js';

/**
 * The train step's loss and gradients on direct WASM calls, with no tfjs kernel and no autodiff:
 * the function of {@link TfOpStep} (GRU states; Q(s, a) = [h·Wq, 1]·E|bias[a] + V(s) + w·features;
 * the TD loss; the embedding head's softmax cross-entropy over [h·Ws, 1]·(O|biasO)ᵀ + offsets) with
 * its backward pass written out: XNNPACK products and softmax for the matrices, typed-array loops
 * for the rest. Each kernel call on WASM costs ~15–60 µs of tfjs bookkeeping; this path makes none.
 */
export class DirectStep implements StepCompute {
  readonly config: DqnConfig;
  readonly online: QNetwork;
  readonly scratch: Scratch;
  readonly #kernels: WasmKernels;

  constructor(kernels: WasmKernels, config: DqnConfig, online: QNetwork, scratch: Scratch) {
    this.#kernels = kernels;
    this.config = config;
    this.online = online;
    this.scratch = scratch;
  }

  lossAndGradients(input: StepInput): StepGradients {
    const { config, online, scratch } = this;
    const k = this.#kernels;
    const { X, T, numSeq, B, segments, Ea, Fa, y, embedding, wf, variables } = input;
    const D = config.itemDim;
    const width = D + 1;
    const H = config.hiddenSize;
    const F = wf.length;
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
    const byVariable = new Map<TF.Variable, Float32Array>();
    gruVariables(online.gru).forEach((v, i) => byVariable.set(v, g.weights[i]));
    byVariable.set(online.wq, dWq);
    if (online.wv && dwv) byVariable.set(online.wv, dwv);
    byVariable.set(online.wf, dwf);
    if (online.ws && dWs) byVariable.set(online.ws, dWs);
    const dense = variables.map((v) => {
      const grad = byVariable.get(v);
      if (!grad) throw new TypeError(`DirectStep: expected a gradient for ${v.name}, actual none`);
      return grad;
    });
    return { loss: td + config.supervisedWeight * supervised, td, qMean: qSum / B, supervised, dX: g.dX, dXStride: D, dEa, dOu, isDOuRowMajor: true, dense };
  }

}
