import { ErrorCode, RecGymError } from '../core/errors.js';
import type { BehaviourParams, SimModel } from './sim-model.js';

/** The behaviour parameters of a fitted model before any preset: documented choices, not fitted (the log has no impressions). */
export const DEFAULT_BEHAVIOUR: BehaviourParams = Object.freeze({
  choiceSharpness: 1,
  repeatBonus: 1,
  positionDecay: 0.1,
  boredomPerClick: 1,
  satiationPerPurchase: 3,
  boredomDecay: 0.7,
  boredomWeight: 0.3,
  boughtPenalty: 4,
  patienceCost: 0.15,
  patienceRefund: 0.1,
  funnelAffinitySlope: 0.3,
  returnSlope: 2,
  boredomPatienceCost: 0,
  leaveScale: 1,
});

/** A named teaching preset: a one-line description and what it changes in a fitted model. */
export interface SimPreset {
  readonly name: string;
  readonly description: string;
  /** Behaviour parameters replaced. */
  readonly behaviour: Partial<BehaviourParams>;
  /** Factors on the repeat and revisit shares (kept <= 1 together). */
  readonly repeatScale?: number;
  /** Replaces the taste mix α (weight of the user's own taste in organic browsing). */
  readonly tasteMix?: number;
}

/** The presets, in listing order; `default` is the fit as it is. */
export const SIM_PRESETS: readonly SimPreset[] = Object.freeze([
  { name: 'default', description: 'the fit as it is, with the documented default behaviour', behaviour: {} },
  {
    name: 'loyal',
    description: 'loyal shopper: sticks to a few favourite categories, comes back to items seen before, slow to tire of them',
    behaviour: { choiceSharpness: 1.5, repeatBonus: 2, boredomPerClick: 0.3, boredomWeight: 0.1 },
    repeatScale: 1.5,
    tasteMix: 0.95,
  },
  {
    name: 'explorer',
    description: 'explorer: wanders across categories, bored quickly by more of the same, repeats little',
    behaviour: { choiceSharpness: 0.5, repeatBonus: 0, boredomPerClick: 2, boredomWeight: 0.8, boredomDecay: 0.85 },
    repeatScale: 0.3,
    tasteMix: 0.2,
  },
  {
    name: 'bargain-hunter',
    description: 'bargain hunter: patient, compares many items (favourites and carts), buys rarely and only what fits well',
    behaviour: { patienceCost: 0.05, funnelAffinitySlope: 1.5, satiationPerPurchase: 10 },
  },
  {
    name: 'impatient',
    description: 'impatient shopper: poor recommendations use up patience fast, so what is shown early decides how long the session lasts',
    behaviour: { patienceCost: 0.5, patienceRefund: 0.3, returnSlope: 4 },
  },
  {
    name: 'easily-bored',
    description: 'easily bored shopper: shown more of a category they just had, they lose patience, and they seldom leave otherwise, so variety keeps them longer than the surest next click',
    behaviour: { boredomPatienceCost: 0.15, leaveScale: 0.25 },
  },
]);

/** The preset called `name`; an unknown name throws BAD_OPTION listing the known ones. */
export function simPreset(name: string): SimPreset {
  const preset = SIM_PRESETS.find((p) => p.name === name);
  if (!preset) throw new RecGymError(ErrorCode.BAD_OPTION, `simulator preset: expected one of ${SIM_PRESETS.map((p) => p.name).join(', ')}, actual "${name}"`);
  return preset;
}

/** `model` with preset `name` applied to its default behaviour (a new object; the fitted counts are shared). */
export function applyPreset(model: SimModel, name: string): SimModel {
  const preset = simPreset(name);
  const scale = preset.repeatScale ?? 1;
  let repeat = model.repeat.repeat * scale;
  let revisit = model.repeat.revisit * scale;
  if (repeat + revisit > 0.95) {
    const shrink = 0.95 / (repeat + revisit);
    repeat *= shrink;
    revisit *= shrink;
  }
  return {
    ...model,
    preset: name,
    repeat: { repeat, revisit },
    tasteMix: preset.tasteMix ?? model.tasteMix,
    behaviour: { ...DEFAULT_BEHAVIOUR, ...preset.behaviour },
  };
}
