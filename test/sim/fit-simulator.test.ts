import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { EventStoreBuilder } from '../../src/data/event-store.js';
import { splitByDay } from '../../src/data/split.js';
import { defaultEventStore } from '../../src/env/registry.js';
import { fitSimulator } from '../../src/sim/fit-simulator.js';
import { applyPreset } from '../../src/sim/presets.js';
import { ShopperModel } from '../../src/sim/shopper-model.js';
import { parseSimModel } from '../../src/sim/sim-model.js';
import { simulateOrganicLog } from '../../src/sim/simulate-log.js';

const store = defaultEventStore();
const model = fitSimulator(store, splitByDay(store).train);

describe('fitSimulator', () => {
  it('gives a JSON-serialisable model that its schema accepts, with rates and shares in range', () => {
    const parsed = parseSimModel(JSON.parse(JSON.stringify(model)), 'model');
    expect(parsed).toEqual(model);
    expect(model.hourProfile.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(model.session.meanClicks).toBeGreaterThan(1);
    expect(model.repeat.repeat + model.repeat.revisit).toBeLessThanOrEqual(1);
    expect(model.tasteMix).toBeGreaterThan(0);
  });

  it('recovers the funnel rates, the hour profile and the mean click gap from a log the simulator generates (fit → generate → fit)', () => {
    // The embedded data's times are cut to the hour (every gap inside a session is 0 s), so the gap is set to one of second-resolution logs.
    const meanClickGapSeconds = 150;
    const seconds = { ...model, session: { ...model.session, meanClickGapSeconds } };
    const shoppers = new ShopperModel(seconds, store);
    const builder = new EventStoreBuilder();
    simulateOrganicLog(shoppers, 14, createRng(7), builder);
    const generated = builder.build();
    const refit = fitSimulator(generated, { start: generated.minTime, end: generated.maxTime + 1 });
    // The simulator draws 1 + ⌊Exp(mean)⌋ s before the next click (mean + ½ s), the funnel's 1–60 s gaps apart: the fit must not count those.
    expect(Math.abs(refit.session.meanClickGapSeconds - (meanClickGapSeconds + 0.5)) / meanClickGapSeconds).toBeLessThan(0.03);
    const f = model.funnel.global;
    const g = refit.funnel.global;
    for (const key of ['favorite', 'cart', 'purchaseAfterCart', 'directPurchase'] as const) {
      expect(Math.abs(g[key] - f[key]) / f[key], key).toBeLessThan(0.15);
    }
    let distance = 0;
    for (let h = 0; h < 24; h++) distance += Math.abs(refit.hourProfile[h] - model.hourProfile[h]) / 2;
    expect(distance).toBeLessThan(0.05);
  });
});

describe('parseSimModel', () => {
  it('names the field that is wrong', () => {
    const broken = { ...model, itemCounts: model.itemCounts.slice(1) };
    expect(() => parseSimModel(broken, 'sim.json')).toThrowErrorMatchingInlineSnapshot(`[RecGymError: sim.json: itemCounts: expected 3980 values, actual 3979]`);
    expect(() => parseSimModel({ ...model, hourProfile: [1] }, 'sim.json')).toThrowErrorMatchingInlineSnapshot(`[RecGymError: sim.json: hourProfile: Too small: expected array to have exactly 24 items (actual an array of 1)]`);
    expect(() => parseSimModel({ ...model, behaviour: { ...model.behaviour, patienceCost: -1 } }, 'sim.json')).toThrowErrorMatchingInlineSnapshot(`[RecGymError: sim.json: behaviour.patienceCost: Too small: expected number to be >=0 (actual -1)]`);
    expect(() => parseSimModel({ ...model, categoryCounts: model.categoryCounts.map(() => 0) }, 'sim.json')).toThrowErrorMatchingInlineSnapshot(`[RecGymError: sim.json: categoryCounts: expected at least one category with events, actual none]`);
    expect(() => parseSimModel({ ...model, users: { ...model.users, categories: model.users.categories.map(() => 99_999) } }, 'sim.json')).toThrowErrorMatchingInlineSnapshot(`[RecGymError: sim.json: users.categories[0]: expected a category id < 80, actual 99999]`);
    expect(() => parseSimModel({ ...model, transitions: { ...model.transitions, count: model.transitions.count.map(() => 0) } }, 'sim.json')).toThrowErrorMatchingInlineSnapshot(`[RecGymError: sim.json: transitions.count[0]: Too small: expected number to be >0 (actual 0)]`);
    expect(() => parseSimModel({ ...model, version: 1 }, 'sim.json')).toThrowErrorMatchingInlineSnapshot(`[RecGymError: sim.json: version: Invalid input: expected 2 (actual 1)]`);
    expect(() => parseSimModel('nope', 'sim.json')).toThrowErrorMatchingInlineSnapshot(`[RecGymError: sim.json: (model): Invalid input: expected object, received string (actual "nope")]`);
  });

  it('reads a model saved before boredomPatienceCost and leaveScale existed as one without them (0 and 1)', () => {
    const { boredomPatienceCost: _cost, leaveScale: _scale, ...older } = model.behaviour;
    const parsed = parseSimModel(JSON.parse(JSON.stringify({ ...model, behaviour: older })), 'old.json');
    expect(parsed.behaviour.boredomPatienceCost).toBe(0);
    expect(parsed.behaviour.leaveScale).toBe(1);
    expect(() => parseSimModel({ ...model, behaviour: { ...model.behaviour, leaveScale: 2 } }, 'sim.json')).toThrow('sim.json: behaviour.leaveScale: Too big: expected number to be <=1 (actual 2)');
  });

  it('applies presets to the behaviour only', () => {
    const loyal = applyPreset(model, 'loyal');
    expect(loyal.itemCounts).toBe(model.itemCounts);
    expect(loyal.preset).toBe('loyal');
    expect(loyal.behaviour.repeatBonus).toBe(2);
    expect(() => applyPreset(model, 'nobody')).toThrow(/expected one of default, loyal/);
  });
});
