import type { DqnConfigInput } from '../../src/agents/dqn/config.js';
import { QUICK_DQN } from '../../experiments/common.js';

/** The experiments' quick DQN on the CPU backend: trains in well under a second on tiny data. */
export const TINY_DQN = { ...QUICK_DQN, backend: 'cpu' } satisfies DqnConfigInput;
