import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { positionChances, teamCredit, teamDraft } from '../../../src/server/arena/interleave.js';

describe('teamDraft', () => {
  it('gives the hand-enumerated slates and propensities of two rankings', () => {
    // Round orders AB,AB → [1,2,3,4]; AB,BA → [1,2,3,4]; BA,AB → [2,1,3,4]; BA,BA → [2,1,3,4].
    const a = [1, 2, 3, 4, 5];
    const b = [2, 3, 4, 5, 1];
    expect(Object.fromEntries(positionChances([a, b], 4, createRng(0)))).toEqual({ '0:1': 0.5, '1:2': 0.5, '0:2': 0.5, '1:1': 0.5, '2:3': 1, '3:4': 1 });
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const slate = teamDraft([a, b], 4, createRng(seed));
      seen.add(JSON.stringify(slate));
      expect(slate.propensities).toEqual([0.5, 0.5, 1, 1]);
    }
    expect([...seen].sort()).toEqual([
      JSON.stringify({ items: [1, 2, 3, 4], teams: [0, 1, 0, 1], propensities: [0.5, 0.5, 1, 1] }),
      JSON.stringify({ items: [1, 2, 3, 4], teams: [0, 1, 1, 0], propensities: [0.5, 0.5, 1, 1] }),
      JSON.stringify({ items: [2, 1, 3, 4], teams: [1, 0, 0, 1], propensities: [0.5, 0.5, 1, 1] }),
      JSON.stringify({ items: [2, 1, 3, 4], teams: [1, 0, 1, 0], propensities: [0.5, 0.5, 1, 1] }),
    ]);
  });

  it('gives every team of a multileave an equal share of positions when the rankings are disjoint', () => {
    const rankings = [
      [10, 11, 12],
      [20, 21, 22],
      [30, 31, 32],
    ];
    const chance = positionChances(rankings, 3, createRng(1));
    for (let position = 0; position < 3; position++) {
      for (const item of [10, 20, 30]) expect(chance.get(`${position}:${item}`)).toBeCloseTo(1 / 3, 12);
    }
    const slate = teamDraft(rankings, 3, createRng(5));
    expect([...slate.teams].sort()).toEqual([0, 1, 2]);
    expect(slate.items.map((item, k) => Math.floor(item / 10) - 1 === slate.teams[k])).toEqual([true, true, true]);
  });

  it('estimates propensities from seeded draws when a ranking is short, the same for the same seed', () => {
    const short = [[1], [2, 3, 4]];
    const slate = teamDraft(short, 3, createRng(3));
    expect(slate.items.length).toBe(3);
    expect(teamDraft(short, 3, createRng(3))).toEqual(slate);
    const chance = positionChances(short, 3, createRng(9));
    // Item 1 is first when team A goes first (1/2), else second.
    expect(chance.get('0:1')).toBeCloseTo(0.5, 1);
    expect(chance.get('2:3')).toBeCloseTo(1, 12);
  });

  it('stops when every ranking is used up and refuses bad sizes', () => {
    expect(teamDraft([[1], [1]], 5, createRng(0)).items).toEqual([1]);
    expect(() => teamDraft([], 2, createRng(0))).toThrow('teamDraft: expected at least 1 ranking, actual 0');
    expect(() => teamDraft([[1]], 0, createRng(0))).toThrow('teamDraft: expected size to be an integer >= 1, actual 0');
  });
});

describe('teamCredit', () => {
  it('counts the acted-on items of each team', () => {
    expect(teamCredit([0, 1, 0, 1], [1, 2, 3, 4], new Set([2, 4, 9]), 2)).toEqual([0, 2]);
    expect(teamCredit([0, 1, 1, 0], [1, 2, 3, 4], new Set([1]), 3)).toEqual([1, 0, 0]);
  });
});
