#!/usr/bin/env python3
"""Full-protocol evaluation of the `recent` and `cooccurrence` baselines in vectorised numpy.

The same definitions as recgym's src/eval and src/agents (issue 8), written independently:
  test cases  = test-window events of users with >= 1 training event; state = the user's whole
                history before the event (store order: user, time, file order)
  catalogue   = items of training events; a cold positive is a miss
  popularity  = training events weighted click 1, fav 2, cart 3, buy 4; tie term = dense rank / levels
  recent      = own history items by last interaction (2 + history index), then the tie term
  cooccurrence= sum_j w_j * count(item_j -> b) over the last 3 events (w = 1, .5, .25) + 0.125 * tie term
  rank        = #catalogue items scoring above the positive + uniform tie-break among equals

usage: eval_full_numpy.py FILE TEST_START_UNIX_SECONDS [K] [SEED] [REPEATS]
Prints one JSON object: per agent the seconds (fit + rank, excluding file parsing; the fastest of
REPEATS runs) and Recall@K
with random, optimistic (ties first) and pessimistic (ties last) tie-breaking.
"""
import json
import sys
import time

import numpy as np

BEHAVIOR = {'pv': 1, 'fav': 2, 'cart': 3, 'buy': 4}
DAY = 86400


def load(path):
    users, items, behaviors, times = [], [], [], []
    with open(path) as f:
        for line in f:
            parts = line.rstrip('\n').split(',')
            if len(parts) != 5 or parts[3] not in BEHAVIOR:
                continue
            users.append(int(parts[0]))
            items.append(int(parts[1]))
            behaviors.append(BEHAVIOR[parts[3]])
            times.append(int(parts[4]))
    users = np.array(users, dtype=np.int64)
    items = np.array(items, dtype=np.int64)
    behaviors = np.array(behaviors, dtype=np.int64)
    times = np.array(times, dtype=np.int64)
    order = np.lexsort((np.arange(len(users)), times, users))  # user, time, file order
    _, item_ids = np.unique(items, return_inverse=True)
    return users[order], item_ids[order], behaviors[order], times[order]


def setup(users, items, behaviors, times, test_start):
    test_end = (test_start // DAY + 1) * DAY
    is_train = times < test_start
    is_test = (times >= test_start) & (times < test_end)
    starts = np.r_[0, np.flatnonzero(users[1:] != users[:-1]) + 1]
    user_start = np.repeat(starts, np.diff(np.r_[starts, len(users)]))
    has_train = np.zeros(len(users), dtype=bool)
    first_train = np.maximum.reduceat(is_train.astype(np.int8), starts).astype(bool)
    has_train = np.repeat(first_train, np.diff(np.r_[starts, len(users)]))
    cases = np.flatnonzero(is_test & has_train)
    n_items = int(items.max()) + 1
    return is_train, user_start, cases, n_items


def fit_popularity(items, behaviors, is_train, n_items):
    pop = np.bincount(items[is_train], weights=behaviors[is_train].astype(np.float64), minlength=n_items)
    levels = np.unique(np.r_[0.0, pop])
    tie = np.searchsorted(levels, pop) / len(levels)
    catalogue = np.flatnonzero(np.bincount(items[is_train], minlength=n_items) > 0)
    column = np.full(n_items, -1, dtype=np.int64)
    column[catalogue] = np.arange(len(catalogue))
    return tie, catalogue, column


def ranks_of(scores, positive_scores, draws):
    above = (scores > positive_scores[:, None]).sum(axis=1)
    equal = (scores == positive_scores[:, None]).sum(axis=1)
    return above, equal, above + np.floor(draws * equal).astype(np.int64)


def evaluate(agent, data, test_start, k, seed, batch=64):
    users, items, behaviors, times = data
    t0 = time.perf_counter()
    is_train, user_start, cases, n_items = setup(users, items, behaviors, times, test_start)
    tie, catalogue, column = fit_popularity(items, behaviors, is_train, n_items)
    if agent == 'cooccurrence':
        pair = np.flatnonzero(is_train[:-1] & is_train[1:] & (users[:-1] == users[1:]))
        codes = items[pair] * n_items + items[pair + 1]
        uniq, counts = np.unique(codes, return_counts=True)
        row_a, col_b = uniq // n_items, uniq % n_items
        indptr = np.searchsorted(row_a, np.arange(n_items + 1))
        base = tie[catalogue] * 0.125
    else:
        base = tie[catalogue]
    warm = cases[column[items[cases]] >= 0]
    rng = np.random.default_rng(seed)
    draws = rng.random(len(warm))
    hit, optimistic, pessimistic = 0, 0, 0
    for b0 in range(0, len(warm), batch):
        rows = warm[b0:b0 + batch]
        scores = np.tile(base, (len(rows), 1))
        if agent == 'recent':
            lengths = rows - user_start[rows]
            r = np.repeat(np.arange(len(rows)), lengths)
            pos = np.concatenate([np.arange(s, e) for s, e in zip(user_start[rows], rows)])
            h = pos - np.repeat(user_start[rows], lengths)
            c = column[items[pos]]
            keep = c >= 0
            np.maximum.at(scores, (r[keep], c[keep]), 2.0 + h[keep])
        else:
            cooc = np.zeros_like(scores)
            rr, cc, vv = [], [], []
            for i, p in enumerate(rows):
                for j, w in enumerate((1.0, 0.5, 0.25)):
                    q = p - 1 - j
                    if q < user_start[p]:
                        break
                    a = items[q]
                    lo, hi = indptr[a], indptr[a + 1]
                    rr.append(np.full(hi - lo, i))
                    cc.append(column[col_b[lo:hi]])
                    vv.append(w * counts[lo:hi])
            if rr:
                np.add.at(cooc, (np.concatenate(rr), np.concatenate(cc)), np.concatenate(vv))
            touched = cooc != 0
            scores[touched] = cooc[touched] + np.broadcast_to(base, scores.shape)[touched]
        positive = scores[np.arange(len(rows)), column[items[rows]]]
        above, equal, rank = ranks_of(scores, positive, draws[b0:b0 + batch])
        hit += int((rank < k).sum())
        optimistic += int((above < k).sum())
        pessimistic += int((above + equal - 1 < k).sum())
    seconds = time.perf_counter() - t0
    n = len(cases)
    return {
        'seconds': seconds,
        'cases': int(n),
        'warm': int(len(warm)),
        'catalogue': int(len(catalogue)),
        f'recall@{k}': hit / n,
        f'recall@{k}Optimistic': optimistic / n,
        f'recall@{k}Pessimistic': pessimistic / n,
    }


def main():
    path, test_start = sys.argv[1], int(sys.argv[2])
    k = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    data = load(path)
    out = {}
    for agent in ('recent', 'cooccurrence'):
        runs = [evaluate(agent, data, test_start, k, seed) for _ in range(repeats)]
        out[agent] = min(runs, key=lambda r: r['seconds'])
    print(json.dumps(out))


if __name__ == '__main__':
    main()
