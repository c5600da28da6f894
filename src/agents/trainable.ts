import type { Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import type { Agent } from './agent.js';

/** What every learning agent reports after an epoch; agents add their own figures (the DQN's TD loss, reward, ε). */
export interface EpochStats {
  readonly epoch: number;
  readonly gradientSteps: number;
  /** Training transitions the epoch's gradient steps consumed. */
  readonly transitions: number;
  /** Mean training loss over the epoch's gradient steps (NaN when none). */
  readonly loss: number;
  /** Wall seconds of the epoch. */
  readonly seconds: number;
  /** Training transitions per second of gradient work. */
  readonly trainTransitionsPerSec: number;
}

/** Where training stands within an epoch; `loss` is the running mean of the epoch's gradient steps (NaN before the first). */
export interface TrainProgress {
  readonly epoch: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly loss: number;
}

/** Hooks of a learning agent's `train` for progress and diagnostics. */
export interface TrainHooks<S extends EpochStats = EpochStats> {
  /** After every epoch. */
  onEpoch?(stats: S): void | Promise<void>;
  /** Within an epoch, through {@link throttledProgress}: at its first step, at most once a second after, and at its end (`step === stepsPerEpoch`). */
  onProgress?(progress: TrainProgress): void;
  /** Diagnostics (sizes, backend). */
  log?(line: string): void;
}

/** An agent trained epoch by epoch (the ranker, the DQN): what training with validation drives. */
export interface TrainableAgent<S extends EpochStats = EpochStats> extends Agent {
  readonly config: { readonly epochs: number; readonly periodMinutes: number };
  /** Trains `config.epochs` epochs on the events of `train`, calling `hooks.onEpoch` after each. */
  train(store: EventStore, train: TimeWindow, rng: Rng, hooks?: TrainHooks<S>): Promise<S[]>;
  save(dir: string): Promise<void>;
  /** Gradient steps taken in training (kept in checkpoints): 0 means the agent is untrained. */
  readonly gradientSteps: number;
  /** Releases what the agent holds (tensors); a no-op for agents on typed arrays. */
  dispose?(): void;
}

/**
 * The learners' one way to call `hooks.onProgress`: a function of (epoch, step, stepsPerEpoch, loss)
 * that passes step 0, the end of the epoch, and between them at most one call per `intervalMs` of
 * wall time; `loss` is a function so that it is only computed when passed. Reads the clock only,
 * never randomness. Undefined without a hook.
 */
export function throttledProgress<S extends EpochStats>(hooks: TrainHooks<S>, intervalMs = 1000): ((epoch: number, step: number, stepsPerEpoch: number, loss: () => number) => void) | undefined {
  const onProgress = hooks.onProgress;
  if (!onProgress) return undefined;
  let lastAt = -Infinity;
  return (epoch, step, stepsPerEpoch, loss) => {
    const t = performance.now();
    if (step !== 0 && step !== stepsPerEpoch && t - lastAt < intervalMs) return;
    lastAt = t;
    onProgress({ epoch, step, stepsPerEpoch, loss: loss() });
  };
}
