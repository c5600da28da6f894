import sys, json
py, rg = sys.argv[1], sys.argv[2]
r = json.load(open(rg))
print('recgym cases', r['cases'])
mine = {}
for line in open(py):
    if line.startswith('counts'): print('mine  ', line.split(' ',1)[1].strip())
    elif line.startswith(('popularity','recent','cooccurrence')):
        n, js = line.split(' ', 1); mine[n] = json.loads(js)
    elif line.strip(): print(line.rstrip())
bad = 0
for a in r['agents']:
    m = mine.get(a['agent'])
    if not m: continue
    for sub, d in a['bySubset'].items():
        for met, v in d.items():
            if met == 'cases' or sub not in m or met not in m[sub]: continue
            x = m[sub][met]
            ok = abs(v['mean'] - x['withRecgymTieDraws']) < 1e-12 and ('tiesLast' not in x or x['tiesLast'] - 1e-12 <= v['mean'] <= x['tiesFirst'] + 1e-12)
            bad += not ok
            if sub == 'all' or not ok:
                print(('OK ' if ok else 'BAD'), a['agent'], sub, met, 'recgym', round(v['mean'], 6), 'mine[first,exp,last,u]', [round(x[k], 6) for k in ('tiesFirst','expected','tiesLast','withRecgymTieDraws') if k in x])
print('mismatches', bad)
