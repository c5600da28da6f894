/** The factorised taste: each user's top categories with counts, over the global category mix. */
export interface Taste {
  readonly users: {
    /** User u's categories are at start[u] .. start[u + 1] - 1. */
    readonly start: ArrayLike<number>;
    readonly categories: ArrayLike<number>;
    readonly counts: ArrayLike<number>;
    /** Sum of each user's kept counts (so that θ_u sums to 1 over the categories). */
    readonly totals: ArrayLike<number>;
  };
  /** Events per category. */
  readonly categoryCounts: ArrayLike<number>;
  /** κ: pseudo-events of the global mix in each user's taste. */
  readonly tasteSmoothing: number;
  /** Events in all. */
  readonly events: number;
}

/**
 * θ_u(c) = (n_uc + κ P(c)) / (n_u + κ): user u's share of category c, their own count (0 outside
 * their top categories) smoothed towards the global share P(c) = n_c / n.
 */
export function categoryTaste(taste: Taste, user: number, category: number): number {
  const { start, categories, counts, totals } = taste.users;
  let own = 0;
  for (let k = start[user], end = start[user + 1]; k < end; k++) {
    if (categories[k] === category) {
      own = counts[k];
      break;
    }
  }
  const kappa = taste.tasteSmoothing;
  return (own + (kappa * taste.categoryCounts[category]) / taste.events) / (totals[user] + kappa);
}

/** log P(x | c) of an item with `itemCount` events in a category with `categoryCount`, smoothed so that an item without events keeps a small share. */
export function itemLogShare(itemCount: number, categoryCount: number): number {
  return Math.log((itemCount + 0.5) / (categoryCount + 1));
}

/** Affinity of user u for an item: log θ_u(c) + log P(x | c) (pass 0 as `logShare` for the category alone). */
export function itemAffinity(taste: Taste, user: number, category: number, logShare: number): number {
  return Math.log(categoryTaste(taste, user, category)) + logShare;
}
