// JS (recgym's current loops: copies of the module-private ones, the exported crossEntropyFromSoftmax
// itself) vs hand-written WASM SIMD kernels (kernels.wasm), on one WebAssembly.Memory, interleaved,
// median of many reps after warm-up. Also checks the results. Needs `npm run build` at the root.
// Usage: node bench.mjs [--reps 300] [--warm 300] [--only adam,gru,grub,softmax,cq]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { crossEntropyFromSoftmax as ceJs } from '../../dist/src/agents/dqn/losses.js';

const { values: flags } = parseArgs({ options: { reps: { type: 'string', default: '300' }, warm: { type: 'string', default: '300' }, only: { type: 'string', default: 'adam,gru,grub,softmax,cq' } } });
const REPS = Number(flags.reps);
const WARM = Number(flags.warm);
const ONLY = new Set(flags.only.split(','));

const memory = new WebAssembly.Memory({ initial: 2048 }); // 128 MiB
const { instance } = await WebAssembly.instantiate(readFileSync(new URL('./kernels.wasm', import.meta.url)), { env: { memory } });
const K = instance.exports;

let top = 1024;
function alloc(n, Type = Float32Array) {
  const ptr = top;
  top += Math.ceil((n * 4) / 64) * 64;
  if (top > memory.buffer.byteLength) throw new Error('out of memory');
  return { ptr, a: new Type(memory.buffer, ptr, n) };
}
function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(42);
const uniform = (a, lo, hi) => { for (let i = 0; i < a.length; i++) a[i] = lo + (hi - lo) * rnd(); };

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
/** Runs each variant WARM times, then REPS interleaved rounds (order rotated); returns medians in µs. */
function race(variants) {
  const names = Object.keys(variants);
  for (let w = 0; w < WARM; w++) for (const n of names) variants[n](w);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < REPS; r++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(r + k) % names.length];
      const t0 = performance.now();
      variants[n](r);
      times[n].push((performance.now() - t0) * 1000);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n])]));
}
const f32bits = new Int32Array(1);
const f32view = new Float32Array(f32bits.buffer);
function ulp(x) { f32view[0] = x; const b = f32bits[0]; return b < 0 ? 0x80000000 - b : b; } // monotone int order
/** Max |a-b|, max |a-b|/max(|a|,|b|), max ULP distance, count of elements not bit-identical. */
function compare(a, b) {
  let maxAbs = 0, maxRel = 0, maxUlp = 0, differ = 0;
  for (let i = 0; i < a.length; i++) {
    if (Object.is(a[i], b[i])) continue;
    differ++;
    const d = Math.abs(a[i] - b[i]);
    maxAbs = Math.max(maxAbs, d);
    maxRel = Math.max(maxRel, d / Math.max(Math.abs(a[i]), Math.abs(b[i]), 1e-30));
    maxUlp = Math.max(maxUlp, Math.abs(ulp(a[i]) - ulp(b[i])));
  }
  return `differ ${differ}/${a.length}, maxAbs ${maxAbs.toExponential(2)}, maxRel ${maxRel.toExponential(2)}, maxUlp ${maxUlp}`;
}
const fmt = (t, base) => Object.entries(t).map(([n, v]) => `${n} ${v.toFixed(1)} µs${base && n !== base ? ` (x${(t[base] / v).toFixed(2)})` : ''}`).join(' | ');

// ---------------- 1. Lazy Adam ----------------
if (ONLY.has('adam')) {
  const ROWS = 50_000, W = 65, TOUCHED = 900, SETS = 64;
  const opts = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const tables = [0, 1].map(() => ({ values: alloc(ROWS * W), m: alloc(ROWS * W), v: alloc(ROWS * W) }));
  uniform(tables[0].values.a, -0.05, 0.05);
  uniform(tables[0].m.a, -1e-3, 1e-3);
  for (let i = 0; i < ROWS * W; i++) tables[0].v.a[i] = 1e-6 * rnd() * rnd();
  const grad = alloc(TOUCHED * W);
  uniform(grad.a, -1e-2, 1e-2);
  const sets = [];
  for (let s = 0; s < SETS; s++) {
    const seen = new Set();
    const t = alloc(TOUCHED, Int32Array);
    for (let k = 0; k < TOUCHED; ) { const r = Math.floor(rnd() * ROWS); if (!seen.has(r)) { seen.add(r); t.a[k++] = r; } }
    sets.push(t);
  }
  let warmSink = 0;
  // Copy of SparseTable.step's loops (sparse-table.ts).
  function adamJs(values, m, v, g, touched, numTouched, width, options, scale, t) {
    const { learningRate, beta1, beta2, epsilon } = options;
    const alpha = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    let warm = 0;
    for (let s = 0; s < numTouched; s++) {
      const base = touched[s] * width;
      for (let c = 0; c < width; c += 16) warm += values[base + c] + m[base + c] + v[base + c];
      warm += values[base + width - 1] + m[base + width - 1] + v[base + width - 1];
    }
    warmSink += warm;
    for (let s = 0; s < numTouched; s++) {
      const base = touched[s] * width;
      const gBase = s * width;
      for (let c = 0; c < width; c++) {
        const grad = g[gBase + c] * scale;
        const i = base + c;
        const mi = (m[i] = beta1 * m[i] + (1 - beta1) * grad);
        const vi = (v[i] = beta2 * v[i] + (1 - beta2) * grad * grad);
        values[i] -= (alpha * mi) / (Math.sqrt(vi) + epsilon);
      }
    }
  }
  const alphaAt = (t) => (opts.learningRate * Math.sqrt(1 - opts.beta2 ** t)) / (1 - opts.beta1 ** t);
  const wasmAdam = (kind, tb, set, t, warm) => { warmSink += K[`adam_${kind}`](tb.values.ptr, tb.m.ptr, tb.v.ptr, grad.ptr, set.ptr, TOUCHED, W, 0.5, opts.beta1, opts.beta2, alphaAt(t), opts.epsilon, warm); };
  // Correctness: same start state, 3 steps on the same touched rows, JS on table 0 vs WASM on table 1.
  for (const kind of ['f32', 'f64']) {
    for (const key of ['values', 'm', 'v']) tables[1][key].a.set(tables[0][key].a);
    const snap = { values: tables[0].values.a.slice(), m: tables[0].m.a.slice(), v: tables[0].v.a.slice() };
    for (let t = 1; t <= 3; t++) {
      adamJs(tables[0].values.a, tables[0].m.a, tables[0].v.a, grad.a, sets[t].a, TOUCHED, W, opts, 0.5, t);
      wasmAdam(kind, tables[1], sets[t], t, 1);
    }
    console.log(`adam ${kind} vs JS after 3 steps: values ${compare(tables[0].values.a, tables[1].values.a)}; m ${compare(tables[0].m.a, tables[1].m.a)}; v ${compare(tables[0].v.a, tables[1].v.a)}`);
    for (const key of ['values', 'm', 'v']) tables[0][key].a.set(snap[key]);
  }
  const tb = tables[0];
  const t = race({
    js: (r) => adamJs(tb.values.a, tb.m.a, tb.v.a, grad.a, sets[r % SETS].a, TOUCHED, W, opts, 0.5, 100),
    wasm_f32: (r) => wasmAdam('f32', tb, sets[(r + 7) % SETS], 100, 1),
    wasm_f32_nowarm: (r) => wasmAdam('f32', tb, sets[(r + 13) % SETS], 100, 0),
    wasm_f64: (r) => wasmAdam('f64', tb, sets[(r + 29) % SETS], 100, 1),
  });
  console.log(`adam (${TOUCHED} rows x ${W} of ${ROWS}): ${fmt(t, 'js')}  [sink ${warmSink > 0 ? '+' : '-'}]`);
  // Hot-cache variant: the same touched set every rep (rows stay in L1/L2).
  const th = race({
    js: () => adamJs(tb.values.a, tb.m.a, tb.v.a, grad.a, sets[0].a, TOUCHED, W, opts, 0.5, 100),
    wasm_f32: () => wasmAdam('f32', tb, sets[0], 100, 1),
    wasm_f64: () => wasmAdam('f64', tb, sets[0], 100, 1),
  });
  console.log(`adam hot rows (same set every rep): ${fmt(th, 'js')}`);
}

// ---------------- 2. GRU gate loops ----------------
if (ONLY.has('gru')) {
  const N = 13, H = 64, T = 21, G3 = 3 * H, NH = N * H;
  const xp = alloc(T * N * G3), g = alloc(N * G3), sig = alloc(T * 2 * NH), tn = alloc(T * NH), bhN = alloc(H);
  uniform(xp.a, -2, 2); uniform(g.a, -2, 2); uniform(sig.a, 0, 1); uniform(tn.a, 0, 1); uniform(bhN.a, -0.1, 0.1);
  const outs = [0, 1].map(() => ({ s: alloc(2 * NH), an: alloc(NH), states: alloc(T * NH), h: alloc(NH), r: alloc(T * NH), z: alloc(T * NH), n: alloc(T * NH), hn: alloc(T * NH) }));
  // Copies of gatesIn, candidateIn, stateOut (gru.ts); the sigmoids between them are left out, so sig
  // and tn hold fixed values per step.
  function gatesIn(xp, xpBase, g, s, N, H) {
    const G3 = 3 * H, H2 = 2 * H;
    for (let i = 0; i < N; i++) {
      const x = xpBase + i * G3, o = i * H2;
      if (g) for (let j = 0; j < H2; j++) s[o + j] = xp[x + j] + g[i * G3 + j];
      else for (let j = 0; j < H2; j++) s[o + j] = xp[x + j];
    }
  }
  function candidateIn(xp, xpBase, g, bhN, sig, an, N, H, stepBase, saved) {
    const G3 = 3 * H, H2 = 2 * H;
    for (let i = 0; i < N; i++) {
      const x = xpBase + i * G3 + H2, gn = i * G3 + H2, rr = i * H2, o = i * H;
      for (let j = 0; j < H; j++) {
        const r = sig[rr + j];
        const hn = g ? g[gn + j] + bhN[j] : bhN[j];
        an[o + j] = 2 * (xp[x + j] + r * hn);
        if (saved) { saved.r[stepBase + o + j] = r; saved.hn[stepBase + o + j] = hn; }
      }
    }
  }
  function stateOut(tn, sig, states, stepBase, hasPrev, h, N, H, saved) {
    const H2 = 2 * H, NH = N * H;
    for (let i = 0; i < N; i++) {
      const zr = i * H2 + H, o = i * H;
      for (let j = 0; j < H; j++) {
        const n = 2 * tn[o + j] - 1;
        const z = sig[zr + j];
        const hPrev = hasPrev ? states[stepBase - NH + o + j] : 0;
        const value = n + z * (hPrev - n);
        states[stepBase + o + j] = value;
        h[o + j] = value;
        if (saved) { saved.z[stepBase + o + j] = z; saved.n[stepBase + o + j] = n; }
      }
    }
  }
  const gruJs = (o) => {
    const saved = { r: o.r.a, z: o.z.a, n: o.n.a, hn: o.hn.a };
    for (let t = 0; t < T; t++) {
      const xpBase = t * N * G3, sigT = sig.a.subarray(t * 2 * NH, (t + 1) * 2 * NH), tnT = tn.a.subarray(t * NH, (t + 1) * NH);
      gatesIn(xp.a, xpBase, t > 0 ? g.a : undefined, o.s.a, N, H);
      candidateIn(xp.a, xpBase, t > 0 ? g.a : undefined, bhN.a, sigT, o.an.a, N, H, t * NH, saved);
      stateOut(tnT, sigT, o.states.a, t * NH, t > 0, o.h.a, N, H, saved);
    }
  };
  const gruWasm = (kind, o) => {
    for (let t = 0; t < T; t++) {
      const xpT = xp.ptr + t * N * G3 * 4, sigT = sig.ptr + t * 2 * NH * 4, tnT = tn.ptr + t * NH * 4, sb = t * NH * 4;
      K.gates_in(xpT, g.ptr, t > 0 ? 1 : 0, o.s.ptr, N, H);
      K[`candidate_in_${kind}`](xpT, g.ptr, t > 0 ? 1 : 0, bhN.ptr, sigT, o.an.ptr, N, H, o.r.ptr + sb, o.hn.ptr + sb);
      K[`state_out_${kind}`](tnT, sigT, o.states.ptr + sb, o.states.ptr + sb - NH * 4, t > 0 ? 1 : 0, o.h.ptr, N, H, o.z.ptr + sb, o.n.ptr + sb);
    }
  };
  for (const kind of ['f32', 'f64']) {
    gruJs(outs[0]);
    gruWasm(kind, outs[1]);
    console.log(`gru ${kind} vs JS: s ${compare(outs[0].s.a, outs[1].s.a)}; an ${compare(outs[0].an.a, outs[1].an.a)}; states ${compare(outs[0].states.a, outs[1].states.a)}; saved hn ${compare(outs[0].hn.a, outs[1].hn.a)}; saved n ${compare(outs[0].n.a, outs[1].n.a)}`);
  }
  const t = race({ js: () => gruJs(outs[0]), wasm_f32: () => gruWasm('f32', outs[1]), wasm_f64: () => gruWasm('f64', outs[1]) });
  console.log(`gru gate loops (N=${N}, H=${H}, T=${T}, 3 loops per step, 63 calls): ${fmt(t, 'js')}`);
}

// ---------------- 2b. GRU backward gate gradients ----------------
if (ONLY.has('grub')) {
  const N = 13, H = 64, T = 21, G3 = 3 * H, NH = N * H;
  const states = alloc(T * NH), R = alloc(T * NH), Z = alloc(T * NH), Nn = alloc(T * NH), Hn = alloc(T * NH), dStates = alloc(T * NH);
  uniform(states.a, -1, 1); uniform(R.a, 0, 1); uniform(Z.a, 0, 1); uniform(Nn.a, -1, 1); uniform(Hn.a, -2, 2); uniform(dStates.a, -1e-2, 1e-2);
  const outs = [0, 1].map(() => ({ dh: alloc(NH), dbhN: alloc(H), da: alloc(T * N * G3), dg: alloc(N * G3) }));
  // Copy of gateGradients (gru.ts).
  function gateGradients(states, saved, dStates, dh, dbhN, da, daBase, dg, t, N, H) {
    const G3 = 3 * H, H2 = 2 * H, NH = N * H;
    const { r: R, z: Z, n: Nn, hn: Hn } = saved;
    const stepBase = t * NH;
    for (let i = 0; i < N; i++) {
      const o = i * G3;
      for (let j = 0; j < H; j++) {
        const e = stepBase + i * H + j;
        const d = dh[i * H + j] + dStates[e];
        const r = R[e], z = Z[e], n = Nn[e];
        const hPrev = t > 0 ? states[e - NH] : 0;
        const oneMinusZ = 1 - z;
        const dan = d * oneMinusZ * (1 - n * n);
        const dhn = dan * r;
        const dar = dan * Hn[e] * (r * (1 - r));
        const daz = d * (hPrev - n) * (z * oneMinusZ);
        da[daBase + o + j] = dar; da[daBase + o + H + j] = daz; da[daBase + o + H2 + j] = dan;
        dg[o + j] = dar; dg[o + H + j] = daz; dg[o + H2 + j] = dhn;
        dbhN[j] += dhn;
        dh[i * H + j] = d * z;
      }
    }
  }
  const saved = { r: R.a, z: Z.a, n: Nn.a, hn: Hn.a };
  const reset = (o) => { o.dh.a.fill(0); o.dbhN.a.fill(0); };
  const bwdJs = (o) => { reset(o); for (let t = T - 1; t >= 0; t--) gateGradients(states.a, saved, dStates.a, o.dh.a, o.dbhN.a, o.da.a, t * N * G3, o.dg.a, t, N, H); };
  const bwdWasm = (kind, o) => {
    reset(o);
    const f = K[`gate_grad_${kind}`];
    for (let t = T - 1; t >= 0; t--) {
      const sb = t * NH * 4;
      f(o.dh.ptr, dStates.ptr + sb, R.ptr + sb, Z.ptr + sb, Nn.ptr + sb, Hn.ptr + sb, states.ptr + sb - NH * 4, t > 0 ? 1 : 0, o.da.ptr + t * N * G3 * 4, o.dg.ptr, o.dbhN.ptr, N, H);
    }
  };
  for (const kind of ['f32', 'f64']) {
    bwdJs(outs[0]);
    bwdWasm(kind, outs[1]);
    console.log(`gru backward ${kind} vs JS: da ${compare(outs[0].da.a, outs[1].da.a)}; dg ${compare(outs[0].dg.a, outs[1].dg.a)}; dh ${compare(outs[0].dh.a, outs[1].dh.a)}; dbhN ${compare(outs[0].dbhN.a, outs[1].dbhN.a)}`);
  }
  const t = race({ js: () => bwdJs(outs[0]), wasm_f32: () => bwdWasm('f32', outs[1]), wasm_f64: () => bwdWasm('f64', outs[1]) });
  console.log(`gru backward gateGradients (N=${N}, H=${H}, T=${T}, 21 calls; stepColumns not ported): ${fmt(t, 'js')}`);
}

// ---------------- 3. Softmax gradient, offsets, cross-entropy ----------------
if (ONLY.has('softmax')) {
  const B = 256, U = 382, BU = B * U;
  const prob = alloc(BU), labels = alloc(BU), logits = alloc(BU), logits2 = alloc(BU), offsets = alloc(BU), idx = alloc(BU, Int32Array);
  const sums = [alloc(B), alloc(B)];
  const dls = [0, 1].map(() => ({ dl: alloc(BU), dlT: alloc(BU) }));
  uniform(logits.a, -3, 3); uniform(offsets.a, -1, 1);
  for (let i = 0; i < B; i++) {
    let z = 0;
    for (let u = 0; u < U; u++) z += (prob.a[i * U + u] = Math.exp(logits.a[i * U + u]));
    for (let u = 0; u < U; u++) prob.a[i * U + u] /= z;
    if (i % 16 !== 5) labels.a[i * U + Math.floor(rnd() * U)] = 1; // a few rows without label (day by day)
  }
  function logSumExp(values, start, count) {
    let max = -Infinity;
    for (let u = 0; u < count; u++) max = Math.max(max, values[start + u]);
    let sum = 0;
    for (let u = 0; u < count; u++) sum += Math.exp(values[start + u] - max);
    return max + Math.log(sum);
  }
  function ceWasm(prob, logits, labels, U, sumsBuf) {
    const count = K.ce_scan(labels.ptr, sumsBuf.ptr, B, U, idx.ptr);
    const ix = idx.a;
    let loss = 0;
    for (let k = 0; k < count; k++) {
      const e = ix[k];
      const p = prob[e];
      loss -= labels.a[e] * (p > 1e-30 ? Math.log(p) : logits[e] - logSumExp(logits, e - (e % U), U));
    }
    return loss;
  }
  // Copy of the dL/dlogits loop (dqn-learner.ts #directLossAndGradients).
  function dlJs(prob, labels, labelSums, dl, dlT, B, U, scale) {
    for (let i0 = 0; i0 < B; i0 += 16) {
      const i1 = Math.min(B, i0 + 16);
      for (let u = 0; u < U; u++) {
        const column = u * B;
        for (let i = i0; i < i1; i++) {
          const e = i * U + u;
          const g = scale * (labelSums[i] * prob[e] - labels[e]);
          dl[e] = g;
          dlT[column + i] = g;
        }
      }
    }
  }
  const offJs = (logits, offsets) => { for (let e = 0; e < B * U; e++) logits[e] += offsets[e]; };
  const scale = 1.0 / B;
  // Correctness.
  const lossJ = ceJs(prob.a, logits.a, labels.a, B, U, sums[0].a);
  const lossW = ceWasm(prob.a, logits.a, labels, U, sums[1]);
  console.log(`ce: JS loss ${lossJ} vs WASM scan + JS logs ${lossW} (${lossJ === lossW ? 'identical' : 'DIFFERENT'}); labelSums ${compare(sums[0].a, sums[1].a)}`);
  // supervisedWeight 1 (default) gives scale 1/B, a power of two; 0.3 shows a non-power-of-two weight.
  for (const weight of [1, 0.3]) {
    for (const kind of ['f32', 'f64']) {
      dlJs(prob.a, labels.a, sums[0].a, dls[0].dl.a, dls[0].dlT.a, B, U, weight / B);
      K[`softmax_grad_${kind}`](prob.ptr, labels.ptr, sums[1].ptr, dls[1].dl.ptr, dls[1].dlT.ptr, B, U, weight / B);
      console.log(`dl ${kind} vs JS (supervisedWeight ${weight}): dl ${compare(dls[0].dl.a, dls[1].dl.a)}; dlT ${compare(dls[0].dlT.a, dls[1].dlT.a)}`);
    }
  }
  logits2.a.set(logits.a);
  offJs(logits.a, offsets.a);
  K.offsets_add(logits2.ptr, offsets.ptr, BU);
  console.log(`offsets add vs JS: ${compare(logits.a, logits2.a)}`);
  const to = race({ js: () => offJs(logits.a, offsets.a), wasm: () => K.offsets_add(logits2.ptr, offsets.ptr, BU) });
  console.log(`offsets add (B*U=${BU}): ${fmt(to, 'js')}`);
  const tc = race({ js: () => ceJs(prob.a, logits.a, labels.a, B, U, sums[0].a), wasm_scan: () => ceWasm(prob.a, logits.a, labels, U, sums[1]) });
  console.log(`cross-entropy (B=${B}, U=${U}, 1 label/row): ${fmt(tc, 'js')}`);
  const td = race({
    js: () => dlJs(prob.a, labels.a, sums[0].a, dls[0].dl.a, dls[0].dlT.a, B, U, scale),
    wasm_f32: () => K.softmax_grad_f32(prob.ptr, labels.ptr, sums[1].ptr, dls[1].dl.ptr, dls[1].dlT.ptr, B, U, scale),
    wasm_f64: () => K.softmax_grad_f64(prob.ptr, labels.ptr, sums[1].ptr, dls[1].dl.ptr, dls[1].dlT.ptr, B, U, scale),
  });
  console.log(`dl + dlT (B=${B}, U=${U}): ${fmt(td, 'js')}`);
}

// ---------------- 4. Candidate Q dots ----------------
if (ONLY.has('cq')) {
  const ROWS = 50_000, W = 65, n = 256, C = 20, SETS = 32;
  const table = alloc(ROWS * W), qs = alloc(n * W);
  uniform(table.a, -0.1, 0.1); uniform(qs.a, -1, 1);
  const cands = [];
  for (let s = 0; s < SETS; s++) { const c = alloc(n * C, Int32Array); for (let e = 0; e < n * C; e++) c.a[e] = Math.floor(rnd() * ROWS); cands.push(c); }
  for (let i = 0; i < n; i += 50) cands[0].a[i * C + C - 1] = -1; // a few absent candidates
  const outs = [alloc(n * C), alloc(n * C), alloc(n * C), alloc(n * C), alloc(n * C)];
  const dots = new Float64Array(C);
  // Copy of candidateQ's dot part (dqn-learner.ts), history features off.
  function cqJs(table, width, qs, candidates, C, n, out) {
    for (let i = 0; i < n; i++) {
      const qBase = i * width, row = i * C;
      let j = 0;
      for (; j + 4 <= C; j += 4) {
        const a = candidates[row + j], b = candidates[row + j + 1], c = candidates[row + j + 2], e = candidates[row + j + 3];
        if (a < 0 || b < 0 || c < 0 || e < 0) break;
        const ea = a * width, eb = b * width, ec = c * width, ee = e * width;
        let qa = 0, qb = 0, qc = 0, qe = 0;
        for (let d = 0; d < width; d++) {
          const s = qs[qBase + d];
          qa += s * table[ea + d]; qb += s * table[eb + d]; qc += s * table[ec + d]; qe += s * table[ee + d];
        }
        dots[j] = qa; dots[j + 1] = qb; dots[j + 2] = qc; dots[j + 3] = qe;
      }
      for (; j < C; j++) {
        const item = candidates[row + j];
        if (item < 0) continue;
        let q = 0;
        const e = item * width;
        for (let d = 0; d < width; d++) q += qs[qBase + d] * table[e + d];
        dots[j] = q;
      }
      for (j = 0; j < C; j++) out[row + j] = candidates[row + j] < 0 ? -Infinity : dots[j];
    }
  }
  cqJs(table.a, W, qs.a, cands[0].a, C, n, outs[0].a);
  K.candidate_q_f32(qs.ptr, table.ptr, cands[0].ptr, C, n, W, outs[1].ptr);
  K.candidate_q_f64(qs.ptr, table.ptr, cands[0].ptr, C, n, W, outs[2].ptr);
  K.candidate_q4_f32(qs.ptr, table.ptr, cands[0].ptr, C, n, W, outs[3].ptr);
  K.candidate_q4_f64(qs.ptr, table.ptr, cands[0].ptr, C, n, W, outs[4].ptr);
  console.log(`candidate Q f32 vs JS: ${compare(outs[0].a, outs[1].a)}; f64 vs JS: ${compare(outs[0].a, outs[2].a)}; q4_f32 vs JS: ${compare(outs[0].a, outs[3].a)}; q4_f64 vs JS: ${compare(outs[0].a, outs[4].a)}`);
  const t = race({
    js: (r) => cqJs(table.a, W, qs.a, cands[r % SETS].a, C, n, outs[0].a),
    wasm_f32: (r) => K.candidate_q_f32(qs.ptr, table.ptr, cands[(r + 5) % SETS].ptr, C, n, W, outs[1].ptr),
    wasm_f64: (r) => K.candidate_q_f64(qs.ptr, table.ptr, cands[(r + 11) % SETS].ptr, C, n, W, outs[2].ptr),
    wasm_q4_f32: (r) => K.candidate_q4_f32(qs.ptr, table.ptr, cands[(r + 17) % SETS].ptr, C, n, W, outs[3].ptr),
    wasm_q4_f64: (r) => K.candidate_q4_f64(qs.ptr, table.ptr, cands[(r + 23) % SETS].ptr, C, n, W, outs[4].ptr),
  });
  console.log(`candidate Q (${n} x ${C} dots of ${W}, rows of ${ROWS}): ${fmt(t, 'js')}`);
}
