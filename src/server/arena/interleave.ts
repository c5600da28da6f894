import { fork, type Rng } from '../../core/rng.js';

/** A slate made by team-draft multileaving: the shown items, each one's team (index into the policies) and propensity. */
export interface Interleaving {
  readonly items: readonly number[];
  readonly teams: readonly number[];
  /** P(this item at this position) over the interleaving's randomness, given the policies' rankings. */
  readonly propensities: readonly number[];
}

/** Above this many equally likely draw sequences, propensities are estimated from {@link MONTE_CARLO_DRAWS} seeded draws instead of enumerated. */
export const MAX_ENUMERATED = 20_000;
export const MONTE_CARLO_DRAWS = 4000;

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** Every permutation of 0 .. n - 1, in lexicographic order. */
function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  const out: number[][] = [];
  for (const rest of permutations(n - 1)) for (let at = 0; at <= rest.length; at++) out.push([...rest.slice(0, at), n - 1, ...rest.slice(at)]);
  return out;
}

function shuffled(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The slate one sequence of round orders gives: each round, teams in `order(round)` each pick their best item not yet shown. */
function draft(rankings: readonly (readonly number[])[], size: number, order: (round: number) => readonly number[]): { items: number[]; teams: number[] } {
  const items: number[] = [];
  const teams: number[] = [];
  const shown = new Set<number>();
  const next = new Array<number>(rankings.length).fill(0);
  for (let round = 0; items.length < size; round++) {
    let picked = false;
    for (const team of order(round)) {
      if (items.length === size) break;
      const ranking = rankings[team];
      while (next[team] < ranking.length && shown.has(ranking[next[team]])) next[team]++;
      if (next[team] === ranking.length) continue;
      const item = ranking[next[team]++];
      shown.add(item);
      items.push(item);
      teams.push(team);
      picked = true;
    }
    if (!picked) break;
  }
  return { items, teams };
}

/** Checks the rankings and the slate size (programmer errors). */
function checkInput(rankings: readonly (readonly number[])[], size: number): void {
  if (rankings.length < 1) throw new RangeError('teamDraft: expected at least 1 ranking, actual 0');
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`teamDraft: expected size to be an integer >= 1, actual ${size}`);
}

/**
 * Team-draft interleaving (two rankings) and multileaving (more): each round the teams pick in a
 * uniformly drawn order, each taking its highest-ranked item not yet shown, until `size` items are
 * shown or every ranking is used up. With two teams this is Radlinski et al.'s team draft (the team
 * with fewer picks goes first, a coin breaks ties). Each item's propensity is the chance of that
 * item at that position: enumerated over every sequence of round orders when there are at most
 * {@link MAX_ENUMERATED} and every ranking has `size` items, else estimated from seeded draws. Every draw comes from `rng`.
 */
export function teamDraft(rankings: readonly (readonly number[])[], size: number, rng: Rng): Interleaving {
  checkInput(rankings, size);
  const n = rankings.length;
  const orders: number[][] = [];
  const { items, teams } = draft(rankings, size, (round) => (orders[round] ??= shuffled(n, rng)));
  const chance = positionChances(rankings, size, fork(rng, 'propensity'));
  const propensities = items.map((item, position) => chance.get(`${position}:${item}`) ?? 0);
  return { items, teams, propensities };
}

/** P(item at position) for every (position, item), keyed `position:item`. */
export function positionChances(rankings: readonly (readonly number[])[], size: number, rng: Rng): Map<string, number> {
  checkInput(rankings, size);
  const n = rankings.length;
  const rounds = Math.ceil(size / n);
  const perRound = factorial(n);
  const chance = new Map<string, number>();
  const add = (items: readonly number[], weight: number) => {
    items.forEach((item, position) => {
      const key = `${position}:${item}`;
      chance.set(key, (chance.get(key) ?? 0) + weight);
    });
  };
  // With every ranking at least `size` long each round fills n positions, so `rounds` rounds decide the slate.
  if (perRound ** rounds <= MAX_ENUMERATED && rankings.every((r) => r.length >= size)) {
    const all = permutations(n);
    const weight = 1 / perRound ** rounds;
    const choice = new Array<number>(rounds).fill(0);
    for (;;) {
      add(draft(rankings, size, (round) => all[choice[round]]).items, weight);
      let r = 0;
      while (r < rounds && ++choice[r] === perRound) choice[r++] = 0;
      if (r === rounds) break;
    }
  } else {
    for (let d = 0; d < MONTE_CARLO_DRAWS; d++) {
      const orders: number[][] = [];
      add(draft(rankings, size, (round) => (orders[round] ??= shuffled(n, rng))).items, 1 / MONTE_CARLO_DRAWS);
    }
  }
  return chance;
}

/** Credit per team: how many of the team's shown items the shopper acted on (`actedItems`). */
export function teamCredit(teams: readonly number[], items: readonly number[], actedItems: ReadonlySet<number>, numTeams: number): number[] {
  const credit = new Array<number>(numTeams).fill(0);
  items.forEach((item, position) => {
    if (actedItems.has(item)) credit[teams[position]]++;
  });
  return credit;
}
