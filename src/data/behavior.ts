/** Behaviour codes of the Tianchi log: 1 click, 2 favourite, 3 cart, 4 purchase. */
export const Behavior = { click: 1, favorite: 2, cart: 3, purchase: 4 } as const;

/** One of the four behaviour codes. */
export type BehaviorCode = (typeof Behavior)[keyof typeof Behavior];

/** Behaviour names in code order; index 0 is unused so that `BEHAVIOR_NAMES[code]` reads naturally. */
export const BEHAVIOR_NAMES = ['', 'click', 'favorite', 'cart', 'purchase'] as const;

/** The name of a behaviour code. */
export type BehaviorName = Exclude<(typeof BEHAVIOR_NAMES)[number], ''>;

/** True for 1..4. */
export function isBehaviorCode(value: number): value is BehaviorCode {
  return value === 1 || value === 2 || value === 3 || value === 4;
}
