import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { splitByDay } from '../../src/data/split.js';
import { defaultEventStore } from '../../src/env/registry.js';
import { simCheck, simulatedHeldOutLog } from '../../src/run/sim-check.js';
import { fitSimulator } from '../../src/sim/fit-simulator.js';
import { applyPreset } from '../../src/sim/presets.js';
import { ShopperModel } from '../../src/sim/shopper-model.js';

const store = defaultEventStore();
const split = splitByDay(store);
const model = fitSimulator(store, split.train);
// A log the simulator generated itself: the real training days, then the simulator's held-out day.
const generated = simulatedHeldOutLog(store, new ShopperModel(model, store), split.test, createRng(1)).store;
const refit = fitSimulator(generated, model.trainWindow);

describe('simCheck', () => {
  it('on a log the simulator generated itself ranks the policies alike (τ = 1) and passes every mark', async () => {
    const report = await simCheck(generated, refit, { steps: 40 });
    expect(report.kendallTau).toBe(1);
    expect(report.distances.filter((d) => !d.passed)).toEqual([]);
    expect(report.twoSample.passed).toBe(true);
    expect(report.responseAucs.map((a) => a.passed)).toEqual([true, true, true]);
    expect(report.policies.filter((p) => p.passed === false)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.rl4rs.map((r) => r.agent)).toEqual(['random', 'popularity', 'cooccurrence', 'recent']);
  }, 60_000);

  it('fails marks when the simulator behaves unlike the log (the explorer preset on the same fit)', async () => {
    const report = await simCheck(generated, applyPreset(refit, 'explorer'), { steps: 40 });
    expect(report.passed).toBe(false);
    expect(report.distances.filter((d) => !d.passed).map((d) => d.name)).toContain('repeat rate (clicks on an item clicked before)');
    // The classifier tells the explorer's sessions from the log's (0.77 here; 0.47–0.52 for the fit as it is, log seeds 1, 2, 3).
    expect(report.twoSample.auc).toBeGreaterThan(0.7);
  }, 60_000);

  it('refuses a simulator fitted on every day of the log (nothing held out)', async () => {
    const whole = fitSimulator(store, { start: store.minTime, end: store.maxTime + 1 });
    await expect(simCheck(store, whole)).rejects.toMatchObject({ code: ErrorCode.NO_EVENTS, message: expect.stringMatching(/^sim check: expected events after the simulator's training window/) });
  });
});
