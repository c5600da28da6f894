// dumps recgym's cases, candidate sets and tie draws for one (data, protocol, seed)
import { readEventLog } from '../../dist/src/data/read-event-log.js';
import { splitByDay } from '../../dist/src/data/split.js';
import { buildTestCases, splitAtTime, parseTestStart, prepareEvaluation } from '../../dist/src/eval/index.js';
import { writeFileSync } from 'node:fs';
const [data, protocol, seed, testStart, out] = process.argv.slice(2);
const { store } = await readEventLog(data, {});
const split = testStart && testStart !== '-' ? splitAtTime(store, parseTestStart(testStart)) : splitByDay(store, process.env.TEST_DAY);
const cases = buildTestCases(store, split, { catalogue: process.argv[7] ?? 'train' });
const setup = prepareEvaluation(store, cases, protocol, { seed: Number(seed), k: process.argv[8] ? Number(process.argv[8]) : undefined });
const rawItem = (d) => store.itemIds.rawOf(d);
const o = { users: [], items: [], times: [], flags: [], ties: Array.from(setup.tieDraws), cand: [], pos: [] };
for (let i = 0; i < cases.count; i++) {
  o.users.push(store.userIds.rawOf(cases.users[i])); o.items.push(rawItem(cases.items[i])); o.times.push(store.times[cases.positions[i]]); o.flags.push(cases.flags[i]);
  if (setup.candidates) { const c = setup.candidates.numCandidates; o.cand.push(Array.from(setup.candidates.items.subarray(i*c, (i+1)*c), rawItem)); o.pos.push(setup.candidates.positiveIndex[i]); }
}
writeFileSync(out, JSON.stringify(o));
