import type * as TF from '@tensorflow/tfjs';

/** What a train step hands its loss-and-gradient computation: typed arrays, laid out once for both compute paths. */
export interface StepInput {
  /** GRU inputs [T, numSeq, inputSize], time-major; `T` is the online side's span. */
  readonly X: Float32Array;
  readonly T: number;
  readonly numSeq: number;
  readonly B: number;
  /** Session mode: the replayed segments and the span length (`T + 1`: the last step feeds only s') they were laid out in. */
  readonly segments: { readonly count: number; readonly start: Int32Array; readonly length: Int32Array; readonly T: number } | undefined;
  /** Action rows [B, D + 1], their (state, action) features [B, F] and the Bellman targets [B]. */
  readonly Ea: Float32Array;
  readonly Fa: Float32Array;
  readonly y: Float32Array;
  /** Q's feature weights as values (the direct path reads them; the tf-op path uses the variable). */
  readonly wf: Float32Array;
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
  /** The dense variables in the loss, in the order `StepGradients.dense` follows. */
  readonly variables: readonly TF.Variable[];
}

/**
 * Loss parts and gradients of a {@link StepInput}: dX (the embedding columns of the GRU inputs, row
 * `step` at `step * dXStride`), dEa [B, D + 1], dOu (row-major [U, D + 1] or transposed [D + 1, U]),
 * dense gradients per variable.
 */
export interface StepGradients {
  readonly loss: number;
  readonly td: number;
  readonly qMean: number;
  readonly supervised: number;
  readonly dX: Float32Array;
  readonly dXStride: number;
  readonly dEa: Float32Array;
  readonly dOu: Float32Array | undefined;
  readonly isDOuRowMajor: boolean;
  readonly dense: Float32Array[];
}

/**
 * The DQN's loss and its gradients on one of two compute paths, chosen once when the learner is
 * built: direct WASM kernels with the backward pass written out ({@link DirectStep}), or tf ops
 * with autodiff on any backend ({@link TfOpStep}). Both compute the same function; tests hold them equal.
 */
export interface StepCompute {
  lossAndGradients(input: StepInput): StepGradients;
}
