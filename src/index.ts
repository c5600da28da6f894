/** recgym: logged e-commerce behaviour replayed as a Gymnasium-style MDP, agents and evaluation. */
export * from './core/index.js';
export * from './data/index.js';
export * from './sim/index.js';
export * from './env/index.js';
export * from './agents/index.js';
export * from './eval/index.js';
export * from './report/index.js';
