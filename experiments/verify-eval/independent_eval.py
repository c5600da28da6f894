#!/usr/bin/env python3
"""Independent re-implementation of recgym issue 8 (test cases, baselines, metrics), numpy only.

usage: independent_eval.py DATA [--test-start YYYY-MM-DDTHH:MM | --test-day YYYY-MM-DD] [--catalogue train|all]
                           [--protocol full|seed|sampled] [--dump recgym_dump.json] [--k K] [--unweighted] [--bootstrap]
The dump comes from dump.mjs (recgym's cases, candidate sets and tie draws, read
through dist/); compare.py compares this script's output with `recgym eval --json`:
  node dump.mjs DATA PROTOCOL SEED [TEST_START|-] OUT.json [train|all] [K]   (TEST_DAY=... env)
  python3 independent_eval.py DATA --protocol P --dump OUT.json > mine.txt
  recgym eval --agents popularity,recent,cooccurrence --data DATA --protocol P --seed S --json > rg.json
  python3 compare.py mine.txt rg.json
Full protocol: for each metric prints ties-first / expected-under-uniform-ties / ties-last values,
and (with --dump, recgym's per-case tie draws u) the value with rank = above + floor(u * (equal + 1)).
Seed/sampled: needs --dump (recgym's candidate sets, which come from its own RNG); prints the same,
plus (seed) the exact expectation over uniformly drawn candidate sets (multivariate hypergeometric).
"""
import argparse, calendar, json, math, sys
from datetime import datetime, timezone
import numpy as np

W_POP = {1: 1.0, 2: 2.0, 3: 3.0, 4: 4.0}
REWARD = {1: 0.1, 2: 0.3, 3: 0.5, 4: 0.8}
BEH = {'pv': 1, 'fav': 2, 'cart': 3, 'buy': 4}
DAY = 86400


def load(path):
    users, items, behs, times = [], [], [], []
    with open(path) as f:
        first = f.readline()
        tianchi = first.startswith('user_id')
        if not tianchi:
            f.seek(0)
        for line in f:
            p = line.rstrip('\r\n').split(',')
            if tianchi:  # user_id,item_id,behavior_type,user_geohash,item_category,time
                users.append(int(p[0])); items.append(int(p[1])); behs.append(int(p[2]))
                times.append(calendar.timegm(datetime.strptime(p[5], '%Y-%m-%d %H').timetuple()))
            else:  # user,item,category,behavior,timestamp
                users.append(int(p[0])); items.append(int(p[1])); behs.append(BEH[p[3]]); times.append(int(p[4]))
    return np.array(users), np.array(items), np.array(behs), np.array(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('data'); ap.add_argument('--test-start'); ap.add_argument('--test-day'); ap.add_argument('--unweighted', action='store_true'); ap.add_argument('--catalogue', default='train')
    ap.add_argument('--protocol', default='full'); ap.add_argument('--dump'); ap.add_argument('--k', type=int); ap.add_argument('--bootstrap', action='store_true')
    a = ap.parse_args()
    U, I, B, T = load(a.data)
    order = np.lexsort((np.arange(len(U)), T, U))  # user, time, file order
    U, I, B, T = U[order], I[order], B[order], T[order]
    first_day = (T.min() // DAY) * DAY
    if a.test_start:
        ts = calendar.timegm(datetime.strptime(a.test_start, '%Y-%m-%dT%H:%M').replace(tzinfo=timezone.utc).timetuple())
        train = (min(first_day, ts), ts); test = (ts, (ts // DAY + 1) * DAY)
    else:
        td = (T.max() // DAY) * DAY if not a.test_day else calendar.timegm(datetime.strptime(a.test_day, '%Y-%m-%d').timetuple())
        train = (first_day, td); test = (td, td + DAY)
    is_train = (T >= train[0]) & (T < train[1]); is_test = (T >= test[0]) & (T < test[1])
    keep = is_train | is_test
    U, I, B, T, is_train, is_test = U[keep], I[keep], B[keep], T[keep], is_train[keep], is_test[keep]
    raw_items, item = np.unique(I, return_inverse=True)
    n_items = len(raw_items)
    cat = np.zeros(n_items, bool); cat[item[is_train if a.catalogue == 'train' else np.ones(len(U), bool)]] = True
    cat_idx = np.flatnonzero(cat)
    pop = np.zeros(n_items); np.add.at(pop, item[is_train], np.array([1.0 if a.unweighted else W_POP[b] for b in B[is_train]]))
    # transitions over consecutive training events of each user
    trans = [dict() for _ in range(n_items)]
    bounds = np.flatnonzero(np.r_[True, U[1:] != U[:-1], True])
    for s, e in zip(bounds[:-1], bounds[1:]):
        for p in range(s, e - 1):
            if is_train[p] and is_train[p + 1]:
                d = trans[item[p]]; d[item[p + 1]] = d.get(item[p + 1], 0) + 1
    # test cases
    cases = []  # (user_raw, start, pos, flags)
    for s, e in zip(bounds[:-1], bounds[1:]):
        if not is_train[s:e].any():
            continue
        for p in range(s, e):
            if not is_test[p]:
                continue
            x = item[p]
            if not cat[x]:
                kind = 'cold'
            else:
                seen = x in set(item[s:p].tolist()); rep = p > s and item[p - 1] == x
                kind = ('seen+repeat' if rep else 'seen') if seen else 'discovery'
            cases.append((U[p], s, p, kind))
    n = len(cases)
    kinds = [c[3] for c in cases]
    counts = dict(total=n, cold=kinds.count('cold'), warm=n - kinds.count('cold'),
                  seen=sum(k.startswith('seen') for k in kinds), repeat=kinds.count('seen+repeat'),
                  discovery=kinds.count('discovery'), users=len({c[0] for c in cases}))
    print('counts', json.dumps(counts))
    subsets = {'all': lambda k: True, 'cold': lambda k: k == 'cold', 'warm': lambda k: k != 'cold',
               'seen': lambda k: k.startswith('seen'), 'repeat': lambda k: k == 'seen+repeat', 'discovery': lambda k: k == 'discovery'}

    def scores(agent, s, p):
        """Lexicographic score keys (primary, secondary) over all items for the state item[s:p]."""
        if agent == 'popularity':
            return pop, np.zeros(n_items)
        if agent == 'recent':
            prim = np.full(n_items, -1.0)
            prim[item[s:p]] = np.arange(p - s)  # later assignment wins: last touch index
            return prim, pop
        if agent == 'cooccurrence':
            c = np.zeros(n_items)
            for j, w in enumerate((1.0, 0.5, 0.25)):
                q = p - 1 - j
                if q < s:
                    break
                for b, cnt in trans[item[q]].items():
                    c[b] += w * cnt
            return c, pop
        raise ValueError(agent)

    def above_equal(prim, sec, x, among):
        px, sx = prim[x], sec[x]
        pa, sa = prim[among], sec[among]
        above = int(np.sum((pa > px) | ((pa == px) & (sa > sx))))
        equal = int(np.sum((pa == px) & (sa == sx)))
        return above, equal

    dump = json.load(open(a.dump)) if a.dump else None
    if dump:
        assert len(dump['users']) == n, (len(dump['users']), n)
        rev = {int(r): i for i, r in enumerate(raw_items)}
        # recgym orders users by first appearance in the file: reorder its arrays to this case order
        slot, seen_u = {}, {}
        for j, uu in enumerate(dump['users']):
            slot[(uu, seen_u.get(uu, 0))] = j; seen_u[uu] = seen_u.get(uu, 0) + 1
        idx, seen_u = [], {}
        for (uu, _, _, _) in cases:
            idx.append(slot[(int(uu), seen_u.get(uu, 0))]); seen_u[uu] = seen_u.get(uu, 0) + 1
        dump = {key: ([v[j] for j in idx] if isinstance(v, list) and len(v) == n else v) for key, v in dump.items()}
        for i, (u, s, p, kind) in enumerate(cases):
            assert dump['users'][i] == u and rev[dump['items'][i]] == item[p] and dump['times'][i] == T[p], i
            f = dump['flags'][i]
            mine = (1 if kind == 'cold' else 0) | (2 if kind.startswith('seen') else 0) | (4 if kind == 'seen+repeat' else 0)
            assert f == mine, (i, f, kind)
        print('cases identical to recgym (user, item, time, flags)')
    proto = a.protocol
    k = a.k or {'seed': 4, 'sampled': 10, 'full': 20}[proto]
    if proto == 'full':
        metrics = {f'recall@{k}': lambda r: float(r < k), f'ndcg@{k}': lambda r: 1 / math.log2(r + 2) if r < k else 0.0,
                   'mrr': lambda r: 1 / (r + 1)}
    elif proto == 'seed':
        metrics = {f'recall@{k}': lambda r: float(r < k), 'top1': lambda r: float(r == 0)}
    else:
        metrics = {f'hr@{k}': lambda r: float(r < k), f'ndcg@{k}': lambda r: 1 / math.log2(r + 2) if r < k else 0.0}
    for agent in ('popularity', 'recent', 'cooccurrence'):
        rng_rows = []  # (above, equal) with equal counting the positive, or None for a miss
        hyper = []
        for i, (u, s, p, kind) in enumerate(cases):
            prim, sec = scores(agent, s, p)
            x = item[p]
            if proto == 'full':
                if kind == 'cold':
                    rng_rows.append(None); continue
                rng_rows.append(above_equal(prim, sec, x, cat_idx))
            else:
                cand = np.array([rev[r] for r in dump['cand'][i]])
                assert cand[dump['pos'][i]] == x and len(set(cand.tolist())) == len(cand) and cat[np.delete(cand, dump['pos'][i])].all()
                rng_rows.append(above_equal(prim, sec, x, cand))
                if proto == 'seed':
                    negs = cat_idx[cat_idx != x]
                    A, E = above_equal(prim, sec, x, negs)
                    hyper.append((len(negs), A, E))
        out = {}
        if dump and a.bootstrap:
            # percentile bootstrap over test users, case-weighted, 1000 resamples (numpy's own RNG)
            users = np.array([c[0] for c in cases]); uniq, uidx = np.unique(users, return_inverse=True)
            rs = np.random.default_rng(12345).integers(0, len(uniq), size=(1000, len(uniq)))
            cnt = np.stack([np.bincount(r, minlength=len(uniq)) for r in rs])
            w = np.bincount(uidx, minlength=len(uniq)).astype(float)
            for name, m in metrics.items():
                v = np.array([0.0 if row is None else m(row[0] + math.floor(dump['ties'][i] * row[1])) for i, row in enumerate(rng_rows)])
                sums = np.bincount(uidx, weights=v, minlength=len(uniq))
                est = (cnt @ sums) / (cnt @ w)
                out.setdefault('bootstrap', {})[name] = [float(np.percentile(est, 2.5)), float(np.percentile(est, 97.5))]
        for name, m in metrics.items():
            for sub, keep_k in subsets.items():
                if sub == 'bootstrap': continue
                lo = hi = ex = ux = 0.0; cnt = 0
                for i, row in enumerate(rng_rows):
                    if not keep_k(cases[i][3]):
                        continue
                    cnt += 1
                    if row is None:
                        continue
                    ab, eq = row
                    hi += m(ab); lo += m(ab + eq - 1); ex += sum(m(r) for r in range(ab, ab + eq)) / eq
                    if dump:
                        ux += m(ab + math.floor(dump['ties'][i] * eq))
                if cnt:
                    out.setdefault(sub, {})[name] = dict(tiesFirst=hi / cnt, expected=ex / cnt, tiesLast=lo / cnt,
                                                         **({'withRecgymTieDraws': ux / cnt} if dump else {}))
        if proto == 'seed':
            # reward per test user: the top-1 earns the positive's reward; summed per user, averaged over users
            per_user = {}
            for i, row in enumerate(rng_rows):
                u = cases[i][0]
                ab, eq = row
                r0 = 1 if ab + math.floor(dump['ties'][i] * eq) == 0 else 0
                per_user[u] = per_user.get(u, 0.0) + r0 * REWARD[B[cases[i][2]]]
            out['all']['rewardPerUser'] = dict(withRecgymTieDraws=sum(per_user.values()) / len(per_user))
            # expectation over uniformly drawn candidate sets (4 distinct negatives, never the positive)
            m4 = 4; tot = 0.0; tot1 = 0.0
            for (N, A, E) in hyper:
                C = math.comb(N, m4)
                for na in range(m4 + 1):
                    for ne in range(m4 + 1 - na):
                        pr = math.comb(A, na) * math.comb(E, ne) * math.comb(N - A - E, m4 - na - ne) / C
                        if pr == 0:
                            continue
                        tot += pr * sum(1.0 if na + t < k else 0.0 for t in range(ne + 1)) / (ne + 1)
                        tot1 += pr * (1.0 if na == 0 else 0.0) / (ne + 1)
            out['all']['expectedOverCandidateDraws'] = {f'recall@{k}': tot / n, 'top1': tot1 / n}
        print(agent, json.dumps(out))


if __name__ == '__main__':
    main()
