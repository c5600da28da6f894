import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { runMain, upperMedian } from './lib.js';

/**
 * Interleaved A/B of two builds in one process: the raw 256-slot replay vector step (C = 20, L = 10,
 * embedded data) and a server session's answers (500 single envs stepped round-robin by JSON
 * `step` frames; one 256-slot binary `stepVector` with binary results), no sockets. Each build's
 * modules are loaded from its `dist` folder; rounds alternate the order; CPU time per call, median
 * and minimum over the rounds.
 *
 * usage: node dist/bench/ab-builds.js DIST_A DIST_B   (e.g. a checkout's dist built before a change, and this one's)
 */

interface Build {
  readonly name: string;
  /** One measured call of each case. */
  readonly cases: Record<string, () => void>;
}

const N = 256;
const ROUNDS = 14;
/** Calls per case per round. */
const CALLS: Record<string, number> = { 'vector popularity': 800, 'vector uniform': 800, 'session single step': 10_000, 'session stepVector binary': 300 };

async function loadBuild(dist: string): Promise<Build> {
  const load = (path: string) => import(pathToFileURL(resolve(dist, path)).href);
  const { createDefaultEventStore } = await load('src/sim/default-data.js');
  const { VectorRecommendationEnv } = await load('src/env/vector-env.js');
  const { Session } = await load('src/server/session.js');
  const { createLogger } = await load('src/server/logger.js');
  const { PROTOCOL_VERSION } = await load('src/server/protocol.js');
  const { encodeBinaryRequest } = await load('src/server/binary-request.js');
  const store = createDefaultEventStore();
  const actions = Int32Array.from({ length: N }, (_, i) => i % 20);
  const vector = (negatives: string) => {
    const env = new VectorRecommendationEnv({ store, numCandidates: 20, historyLength: 10, negatives, seed: 1, numEnvs: N });
    env.reset({ seed: 1 });
    return () => void env.step(actions);
  };
  const logger = createLogger('warn', { write() {} });
  const session = (capabilities: string[] = []) => {
    const s = new Session({ token: undefined, store: undefined, maxEnvs: 256, maxVectorEnvs: 4096, maxObservationNumbers: 1 << 22, idleTimeoutMs: 1e9, now: () => 0, logger });
    s.answerFrame(JSON.stringify({ type: 'hello', id: 0, protocol: PROTOCOL_VERSION, capabilities }), false);
    return s;
  };
  const singles = Array.from({ length: 500 }, (_, seed) => {
    const s = session();
    s.answerFrame(JSON.stringify({ type: 'make', id: 1, envId: 'Tianchi-Replay-C20-v0', seed }), false);
    s.answerFrame(JSON.stringify({ type: 'reset', id: 2, handle: 1 }), false);
    return s;
  });
  const stepFrames = Array.from({ length: 20 }, (_, action) => Buffer.from(JSON.stringify({ type: 'step', id: 7, handle: 1, action })));
  const resetFrame = Buffer.from(JSON.stringify({ type: 'reset', id: 8, handle: 1 }));
  let next = 0;
  const vectorSession = session(['binary-batches', 'binary-requests']);
  vectorSession.answerFrame(JSON.stringify({ type: 'makeVector', id: 1, envId: 'Tianchi-Replay-C20-v0', n: N, seed: 1 }), false);
  vectorSession.answerFrame(JSON.stringify({ type: 'reset', id: 2, handle: 1 }), false);
  const vectorFrame = Buffer.from(encodeBinaryRequest({ type: 'stepVector', id: 9, handle: 1, actions }));
  return {
    name: dist,
    cases: {
      'vector popularity': vector('popularity'),
      'vector uniform': vector('uniform'),
      'session single step': () => {
        const s = singles[next % singles.length];
        const answer = s.answerFrame(stepFrames[next++ % 20], false);
        if (answer.type !== 'text' || /"(terminated|truncated)":true/.test(answer.text)) s.answerFrame(resetFrame, false);
      },
      'session stepVector binary': () => {
        const answer = vectorSession.answerFrame(vectorFrame, true);
        if (answer.type !== 'binary') throw new Error(`ab-builds: expected a binary answer, actual ${answer.type}`);
        vectorSession.recycleFrame(answer);
      },
    },
  };
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}


async function main(argv: string[]): Promise<number> {
  if (argv.length !== 2) {
    process.stderr.write('usage: node dist/bench/ab-builds.js DIST_A DIST_B\n');
    return 2;
  }
  const builds = [await loadBuild(argv[0]), await loadBuild(argv[1])];
  for (const name of Object.keys(CALLS)) {
    const times = builds.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const b of order) {
        const call = builds[b].cases[name];
        const start = cpuMicros();
        for (let k = 0; k < CALLS[name]; k++) call();
        times[b].push((cpuMicros() - start) / CALLS[name]);
      }
    }
    const [a, b] = times.map(upperMedian);
    process.stdout.write(`${name}: A ${a.toFixed(2)} µs (min ${Math.min(...times[0]).toFixed(2)}), B ${b.toFixed(2)} µs (min ${Math.min(...times[1]).toFixed(2)}), A/B ${(a / b).toFixed(2)}\n`);
  }
  return 0;
}

runMain('ab-builds', main);
