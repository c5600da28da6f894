/**
 * The TypeScript DQN on a replay env, for comparison with an external learner on the same env
 * (examples/python_sb3_dqn.py prints this beside Stable-Baselines3's DQN): trains the DQN on the
 * env's training window with a budget of `--steps` env transitions, then plays its greedy policy
 * (argmax Q over the env's candidates) through every test-window episode of the env once, and
 * prints the hits, hit rate and reward per episode as one JSON line.
 *
 *   npm run build && node dist/experiments/dqn-on-env.js [--env Tianchi-Replay-v0] [--steps 3000] [--seed 0]
 */
import { parseArgs } from 'node:util';
import { argmaxRows } from '../src/agents/agent.js';
import { DqnAgent } from '../src/agents/dqn/dqn-agent.js';
import { createRng } from '../src/core/rng.js';
import { makeVectorEnv } from '../src/env/registry.js';
import type { VectorRecommendationEnv } from '../src/env/vector-env.js';
import { createDefaultEventStore } from '../src/sim/default-data.js';
import { isEntryPoint, runScript } from './common.js';

/** One greedy pass of an agent over every test episode of an env. */
export interface EnvEvaluation {
  readonly agent: string;
  readonly env: string;
  readonly trainTransitions: number;
  readonly episodes: number;
  readonly steps: number;
  readonly hits: number;
  readonly hitRate: number;
  readonly rewardPerEpisode: number;
}

function intFlag(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || !Number.isSafeInteger(n)) throw new TypeError(`--${name}: expected an integer >= ${min}, actual "${text}"`);
  return n;
}

/** Trains the DQN on `envId`'s training window for about `steps` transitions and plays it greedily through the env's test window once. */
export async function dqnOnEnv(envId: string, steps: number, seed: number): Promise<EnvEvaluation> {
  const store = createDefaultEventStore();
  const probe = makeVectorEnv<VectorRecommendationEnv>(envId, { store, split: 'test', seed, numEnvs: 1 });
  const agent = new DqnAgent({ epochs: 1, numEnvs: 16, maxStepsPerEpoch: Math.max(1, Math.ceil(steps / 16)) });
  const [stats] = await agent.train(store, probe.setup.split.train, createRng(`${seed}:dqn-on-env`));
  const C = probe.setup.options.numCandidates;
  if (C === undefined) throw new TypeError(`${envId}: expected a candidates-mode env, actual slate mode`);
  const scores = new Float64Array(C);
  const action = new Int32Array(1);
  const tieRng = createRng(`${seed}:dqn-on-env:ties`);
  let { observations } = probe.reset({ seed });
  let episodes = 0;
  let transitions = 0;
  let hits = 0;
  let reward = 0;
  while (episodes < probe.numEpisodes) {
    agent.scoreCandidates(observations.states, observations.candidates, C, scores);
    argmaxRows(scores, 1, C, tieRng, action);
    const result = probe.step(action);
    transitions++;
    hits += result.hits[0];
    reward += result.rewards[0];
    if (result.terminations[0] === 1 || result.truncations[0] === 1) episodes++;
    observations = result.observations;
  }
  probe.close();
  agent.dispose();
  return {
    agent: 'dqn (TypeScript)',
    env: envId,
    trainTransitions: stats.envTransitions,
    episodes,
    steps: transitions,
    hits,
    hitRate: hits / transitions,
    rewardPerEpisode: reward / episodes,
  };
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { env: { type: 'string' }, steps: { type: 'string' }, seed: { type: 'string' } } });
  const result = await dqnOnEnv(values.env ?? 'Tianchi-Replay-v0', intFlag('steps', values.steps, 3000, 1), intFlag('seed', values.seed, 0, 0));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (isEntryPoint(import.meta.url)) runScript(main);
