import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA_ENV, sharedDataAbsent, sharedDataDir } from '../../experiments/shared-data.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('experiments/shared-data', () => {
  it('is ../shared/data beside the repository root, whatever the working directory', () => {
    expect(sharedDataDir({})).toBe(join(dirname(repoRoot), 'shared', 'data'));
  });

  it(`takes ${SHARED_DATA_ENV} (resolved) over the default`, () => {
    expect(sharedDataDir({ [SHARED_DATA_ENV]: '/elsewhere/samples' })).toBe('/elsewhere/samples');
    expect(sharedDataDir({ [SHARED_DATA_ENV]: 'rel' })).toBe(resolve('rel'));
    expect(sharedDataDir({ [SHARED_DATA_ENV]: '' })).toBe(sharedDataDir({}));
  });

  it('names the missing path and the variable in its skip message', () => {
    expect(sharedDataAbsent('/x/shared/data')).toMatch(/^\/x\/shared\/data is absent: .*RECGYM_SHARED_DATA/);
  });
});
