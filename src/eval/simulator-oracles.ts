import type { Agent, StateBatch } from '../agents/agent.js';
import type { VectorSimulatorEnv } from '../env/vector-simulator-env.js';

/**
 * Reference policies that read the simulator's state instead of learning from observations: what
 * an agent could reach at best by one rule. They answer a question about the world, not about a
 * learner — does trading the surest next click for something else pay over a session?
 *
 * - `own-item`: always the candidate holding the shopper's organic item (taken for sure): the
 *   myopic best action whenever a purchase is no likelier elsewhere.
 * - `variety`: the own item, unless the shopper's boredom with its category is at least
 *   `boredThreshold`; then the candidate of a category with boredom below `freshThreshold` that the
 *   shopper is likeliest to take (highest choice utility), or the own item when none is fresh.
 */
export type OracleRule = 'own-item' | 'variety';

/** Options of the `variety` rule (defaults: 2 and 1, in boredom units: one click adds 1, a purchase 3 more). */
export interface VarietyThresholds {
  readonly boredThreshold?: number;
  readonly freshThreshold?: number;
}

/**
 * An {@link Agent} over one {@link VectorSimulatorEnv}: `scoreCandidates` must get that env's current
 * observations (row i = slot i, as `evaluateOnline` passes them) and scores 1 for the rule's choice, 0
 * elsewhere. It cannot score states it does not hold the shopper of (`scoreItems` throws).
 */
export class SimulatorOracle implements Agent {
  readonly name: string;
  readonly #env: VectorSimulatorEnv;
  readonly #rule: OracleRule;
  readonly #bored: number;
  readonly #fresh: number;

  constructor(env: VectorSimulatorEnv, rule: OracleRule, thresholds: VarietyThresholds = {}) {
    if (env.numCandidates === 0) throw new TypeError(`SimulatorOracle: expected a candidates-mode env, actual slate mode (K = ${env.slateSize})`);
    this.name = `oracle-${rule}`;
    this.#env = env;
    this.#rule = rule;
    this.#bored = thresholds.boredThreshold ?? 2;
    this.#fresh = thresholds.freshThreshold ?? 1;
  }

  /** Nothing to learn: the rule reads the env's shoppers. */
  fit(): void {}

  scoreCandidates(batch: StateBatch, _candidates: Int32Array, numCandidates: number, out: Float64Array): void {
    const env = this.#env;
    if (batch.size !== env.numEnvs || numCandidates !== env.numCandidates) {
      throw new RangeError(`${this.name}: expected the env's ${env.numEnvs} slots x ${env.numCandidates} candidates, actual ${batch.size} x ${numCandidates}`);
    }
    out.fill(0, 0, batch.size * numCandidates);
    for (let slot = 0; slot < batch.size; slot++) out[slot * numCandidates + this.choose(slot)] = 1;
  }

  scoreItems(): never {
    throw new TypeError(`${this.name}: scores only the candidates of the env it reads`);
  }

  /** The candidate index the rule shows the slot's shopper now. */
  choose(slot: number): number {
    const dynamics = this.#env.dynamics;
    const own = dynamics.ownItemIndex(slot);
    if (this.#rule === 'own-item') return own;
    const sessions = dynamics.sessions;
    const category = sessions.model.itemCategory;
    if (sessions.boredom(slot, category[dynamics.candidateItem(slot, own)]) < this.#bored) return own;
    let best = own;
    let bestUtility = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < dynamics.numCandidates; k++) {
      const item = dynamics.candidateItem(slot, k);
      if (k === own || sessions.boredom(slot, category[item]) >= this.#fresh) continue;
      const utility = sessions.utility(slot, item, 0);
      if (utility > bestUtility) {
        bestUtility = utility;
        best = k;
      }
    }
    return best;
  }
}
