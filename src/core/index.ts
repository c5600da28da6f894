export { assertRng, assertSeed, createRng, fork, isSeed, rngFromState, toRng, type Rng, type RngState } from './rng.js';
export { ErrorCode, RecGymError, isRecGymError } from './errors.js';
export { AliasTable } from './alias-table.js';
