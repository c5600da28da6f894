// Generates kernels.wat (hand-written WASM SIMD kernels) and compiles it to kernels.wasm with wabt.
// Every kernel takes byte addresses into the imported memory. Two flavours where the JS loop computes
// in float64: `_f32` (f32x4 arithmetic, faster, not bit-identical to JS) and `_f64` (f64x2 arithmetic on
// promoted values, demoted on store: the same operations in the same order as the JS loop).
import { writeFileSync } from 'node:fs';
import wabtInit from 'wabt';

// i8x16.shuffle immediates from f32 lanes (0..3 first operand, 4..7 second).
const lanes = (...ls) => ls.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]).join(' ');
const HI_TO_LO = lanes(2, 3, 0, 1);
const CAT_LO = lanes(0, 1, 4, 5);
const CAT_HI = lanes(2, 3, 6, 7);
const promoteLo = (x) => `(f64x2.promote_low_f32x4 ${x})`;
const promoteHi = (x) => `(f64x2.promote_low_f32x4 (i8x16.shuffle ${HI_TO_LO} ${x} ${x}))`;
const demote2 = (a, b) => `(i8x16.shuffle ${CAT_LO} (f32x4.demote_f64x2_zero ${a}) (f32x4.demote_f64x2_zero ${b}))`;
// An f64 kernel handles each f32x4 as two f64x2 halves: half(h, promote) writes the code for half h.
const halves = (half) => half(0, promoteLo) + half(1, promoteHi);
const ld = (addr) => `(v128.load ${addr})`;
const st = (addr, v) => `(v128.store ${addr} ${v})`;
const add = (a, b) => `(i32.add ${a} ${b})`;
const get = (n) => `(local.get $${n})`;
const set = (n, v) => `(local.set $${n} ${v})`;
const ZERO = '(v128.const i32x4 0 0 0 0)';
const loadOrZero = (flag, addr) => `(if (result v128) ${get(flag)} (then ${ld(addr)}) (else ${ZERO}))`;
const hsum32 = (v) => `(f32.add (f32.add (f32x4.extract_lane 0 ${v}) (f32x4.extract_lane 1 ${v})) (f32.add (f32x4.extract_lane 2 ${v}) (f32x4.extract_lane 3 ${v})))`;
// Byte sizes of n floats, and of the whole f32x4 groups among them.
const bytes = (n) => `(i32.shl ${n} (i32.const 2))`;
const vecBytes = (n) => bytes(`(i32.and ${n} (i32.const -4))`);

// Loops. In the body `br $label` continues and `br $label_done` leaves.
const loopUntil = (label, exitIf, body) => `(block $${label}_done (loop $${label}
      (br_if $${label}_done ${exitIf})
      ${body}
      (br $${label})))`;
// for (; counter < end; counter += step) body, unsigned; the caller sets the counter's start.
const countedLoop = (label, counter, end, step, body) =>
  loopUntil(label, `(i32.ge_u ${get(counter)} ${end})`, `${body}
      ${set(counter, add(get(counter), `(i32.const ${step})`))}`);

// Spellings of one flavour: F/V its scalar/vector types; cvt: f32 from memory -> F; back: F -> f32 for
// memory; fromF64: an f64 parameter -> F.
function flavour(kind) {
  const isF32 = kind === 'f32';
  const F = isF32 ? 'f32' : 'f64';
  const V = isF32 ? 'f32x4' : 'f64x2';
  return {
    F,
    V,
    cvt: (x) => (isF32 ? x : `(f64.promote_f32 ${x})`),
    back: (x) => (isF32 ? x : `(f32.demote_f64 ${x})`),
    fromF64: (x) => (isF32 ? `(f32.demote_f64 ${x})` : x),
    splat: (x) => `(${V}.splat ${x})`,
    vconst: (c) => `(${V}.splat (${F}.const ${c}))`,
  };
}

// ---------- 1. Lazy Adam over touched rows ----------
function adam(kind) {
  const { F, cvt, back, fromF64, splat } = flavour(kind);
  const at = (p) => add(get(p), add(get('base'), get('c')));
  const gAt = add(get('gp'), get('c'));
  // Vector body for 4 floats at byte offset c of the row.
  let vec;
  if (kind === 'f32') {
    vec = `
        ${set('g', `(f32x4.mul ${ld(gAt)} ${get('vscale')})`)}
        ${set('mi', `(f32x4.add (f32x4.mul ${get('vb1')} ${ld(at('m'))}) (f32x4.mul ${get('vb1c')} ${get('g')}))`)}
        ${set('vi', `(f32x4.add (f32x4.mul ${get('vb2')} ${ld(at('v'))}) (f32x4.mul (f32x4.mul ${get('vb2c')} ${get('g')}) ${get('g')}))`)}
        ${st(at('m'), get('mi'))}
        ${st(at('v'), get('vi'))}
        ${st(at('values'), `(f32x4.sub ${ld(at('values'))} (f32x4.div (f32x4.mul ${get('valpha')} ${get('mi')}) (f32x4.add (f32x4.sqrt ${get('vi')}) ${get('veps')})))`)}`;
  } else {
    const half = (h, pr) => `
        ${set(`g${h}`, `(f64x2.mul ${pr(get('graw'))} ${get('vscale')})`)}
        ${set(`mi${h}`, `(f64x2.add (f64x2.mul ${get('vb1')} ${pr(get('mraw'))}) (f64x2.mul ${get('vb1c')} ${get(`g${h}`)}))`)}
        ${set(`vi${h}`, `(f64x2.add (f64x2.mul ${get('vb2')} ${pr(get('vraw'))}) (f64x2.mul (f64x2.mul ${get('vb2c')} ${get(`g${h}`)}) ${get(`g${h}`)}))`)}
        ${set(`x${h}`, `(f64x2.sub ${pr(get('xraw'))} (f64x2.div (f64x2.mul ${get('valpha')} ${get(`mi${h}`)}) (f64x2.add (f64x2.sqrt ${get(`vi${h}`)}) ${get('veps')})))`)}`;
    vec = `
        ${set('graw', ld(gAt))}
        ${set('mraw', ld(at('m')))}
        ${set('vraw', ld(at('v')))}
        ${set('xraw', ld(at('values')))}
        ${halves(half)}
        ${st(at('m'), demote2(get('mi0'), get('mi1')))}
        ${st(at('v'), demote2(get('vi0'), get('vi1')))}
        ${st(at('values'), demote2(get('x0'), get('x1')))}`;
  }
  const scalar = `
        ${set('gs', `(${F}.mul ${cvt(`(f32.load ${gAt})`)} ${get('sscale')})`)}
        ${set('ms', `(${F}.add (${F}.mul ${get('sb1')} ${cvt(`(f32.load ${at('m')})`)}) (${F}.mul ${get('sb1c')} ${get('gs')}))`)}
        ${set('vs', `(${F}.add (${F}.mul ${get('sb2')} ${cvt(`(f32.load ${at('v')})`)}) (${F}.mul (${F}.mul ${get('sb2c')} ${get('gs')}) ${get('gs')}))`)}
        (f32.store ${at('m')} ${back(get('ms'))})
        (f32.store ${at('v')} ${back(get('vs'))})
        (f32.store ${at('values')} ${back(`(${F}.sub ${cvt(`(f32.load ${at('values')})`)} (${F}.div (${F}.mul ${get('salpha')} ${get('ms')}) (${F}.add (${F}.sqrt ${get('vs')}) ${get('seps')})))`)})`;
  const extraLocals =
    kind === 'f32'
      ? '(local $g v128) (local $mi v128) (local $vi v128)'
      : '(local $graw v128) (local $mraw v128) (local $vraw v128) (local $xraw v128) (local $g0 v128) (local $g1 v128) (local $mi0 v128) (local $mi1 v128) (local $vi0 v128) (local $vi1 v128) (local $x0 v128) (local $x1 v128)';
  // Each parameter p becomes a scalar $sp and a vector $vp of the flavour.
  const params = {
    scale: get('scale'),
    b1: get('b1'),
    b1c: `(f64.sub (f64.const 1) ${get('b1')})`,
    b2: get('b2'),
    b2c: `(f64.sub (f64.const 1) ${get('b2')})`,
    alpha: get('alpha'),
    eps: get('eps'),
  };
  const names = Object.keys(params);
  const rowBase = set('base', `(i32.mul (i32.load ${add(get('touched'), bytes(get('s')))}) ${get('rowBytes')})`);
  const touch = set('w', `(f32.add (local.get $w) (f32.add (f32.load ${at('values')}) (f32.add (f32.load ${at('m')}) (f32.load ${at('v')}))))`);
  return `
  ;; Lazy Adam (${kind}): rows touched[0..n) of width floats; grad is compact [n, width]. warm=1 runs the
  ;; same one-load-per-cache-line pass as the JS first; returns its sum (so it is not dropped).
  (func (export "adam_${kind}") (param $values i32) (param $m i32) (param $v i32) (param $grad i32) (param $touched i32) (param $n i32) (param $width i32)
      (param $scale f64) (param $b1 f64) (param $b2 f64) (param $alpha f64) (param $eps f64) (param $warm i32) (result f32)
    (local $s i32) (local $base i32) (local $gp i32) (local $c i32) (local $vecEnd i32) (local $rowBytes i32) (local $w f32)
    ${names.map((n) => `(local $s${n} ${F})`).join(' ')}
    ${names.map((n) => `(local $v${n} v128)`).join(' ')}
    (local $gs ${F}) (local $ms ${F}) (local $vs ${F}) ${extraLocals}
    ${names.map((n) => set(`s${n}`, fromF64(params[n]))).join('\n    ')}
    ${names.map((n) => set(`v${n}`, splat(get(`s${n}`)))).join('\n    ')}
    ${set('rowBytes', bytes(get('width')))}
    ${set('vecEnd', vecBytes(get('width')))}
    (if (local.get $warm) (then
      ${set('s', '(i32.const 0)')}
      ${countedLoop('warmRow', 's', get('n'), 1, `
        ${rowBase}
        ${set('c', '(i32.const 0)')}
        ${countedLoop('warmLine', 'c', get('rowBytes'), 64, touch)}
        ${set('c', '(i32.sub (local.get $rowBytes) (i32.const 4))')}
        ${touch}`)}))
    ${set('gp', get('grad'))}
    ${set('s', '(i32.const 0)')}
    ${countedLoop('row', 's', get('n'), 1, `
      ${rowBase}
      ${set('c', '(i32.const 0)')}
      ${countedLoop('vec', 'c', get('vecEnd'), 16, vec)}
      ${countedLoop('tail', 'c', get('rowBytes'), 4, scalar)}
      ${set('gp', add(get('gp'), get('rowBytes')))}`)}
    (local.get $w))`;
}

// ---------- 2. GRU gate loops (H % 4 == 0) ----------
// Rows i < N (i starts at 0): rowSetup, then j = 0 and the column loop(s).
const gruRows = (rowSetup, columns) =>
  countedLoop('row', 'i', get('N'), 1, `${rowSetup}
      ${set('j', '(i32.const 0)')}
      ${columns}`);
// Byte columns j < end of a row, one f32x4 a step.
const gruColumns = (label, end, body) => countedLoop(label, 'j', get(end), 16, body);

// gatesIn: s[i, 0:2H] = xp[i, 0:2H] (+ g[i, 0:2H]); xp, g rows of 3H. Exact in f32 (one f32 add).
const gatesIn = `
  (func (export "gates_in") (param $xp i32) (param $g i32) (param $hasG i32) (param $s i32) (param $N i32) (param $H i32)
    (local $i i32) (local $j i32) (local $rowIn i32) (local $rowOut i32) (local $end i32)
    ${set('end', '(i32.shl (local.get $H) (i32.const 3))')}
    ${gruRows(
      `
      ${set('rowIn', '(i32.mul (local.get $i) (i32.mul (local.get $H) (i32.const 12)))')}
      ${set('rowOut', '(i32.mul (local.get $i) (local.get $end))')}`,
      `(if (local.get $hasG)
        (then ${gruColumns('sum', 'end', st(add(get('s'), add(get('rowOut'), get('j'))), `(f32x4.add ${ld(add(get('xp'), add(get('rowIn'), get('j'))))} ${ld(add(get('g'), add(get('rowIn'), get('j'))))})`))})
        (else ${gruColumns('copy', 'end', st(add(get('s'), add(get('rowOut'), get('j'))), ld(add(get('xp'), add(get('rowIn'), get('j'))))))}))`,
    )})`;

// candidateIn: r = sig[i, j]; hn = g[i, 2H + j] + bhN[j] (or bhN[j]); an[i, j] = 2 (xp[i, 2H + j] + r hn);
// saved r[i, j] = r, hn[i, j] = hn (savedR = 0: no saving). Pointers: xp, g at their row 0.
function candidateIn(kind) {
  const { vconst } = flavour(kind);
  const x3 = add(get('xp'), add(get('r3'), get('j')));
  const g3 = add(get('g'), add(get('r3'), get('j')));
  const sg = add(get('sig'), add(get('r2'), get('j')));
  const bh = add(get('bhN'), get('j'));
  const o1 = add(get('r1'), get('j'));
  let compute, an, hn;
  if (kind === 'f32') {
    compute = `
        (if (local.get $hasG) (then ${set('hn', `(f32x4.add ${ld(g3)} ${ld(bh)})`)}) (else ${set('hn', ld(bh))}))`;
    an = `(f32x4.mul ${get('two')} (f32x4.add ${ld(x3)} (f32x4.mul ${get('r')} ${get('hn')})))`;
    hn = get('hn');
  } else {
    // hn in f64 (g + bhN unrounded, as in JS); its saved copy is the f32 rounding = one f32 add.
    const half = (h, pr) => `
        ${set(`hn${h}`, `(if (result v128) (local.get $hasG) (then (f64x2.add ${pr(get('graw'))} ${pr(get('braw'))})) (else ${pr(get('braw'))}))`)}
        ${set(`a${h}`, `(f64x2.mul ${get('two')} (f64x2.add ${pr(get('xraw'))} (f64x2.mul ${pr(get('r'))} ${get(`hn${h}`)})))`)}`;
    compute = `
        ${set('braw', ld(bh))}
        (if (local.get $hasG) (then ${set('graw', ld(g3))}))
        ${set('xraw', ld(x3))}
        ${halves(half)}`;
    an = demote2(get('a0'), get('a1'));
    hn = demote2(get('hn0'), get('hn1'));
  }
  const body = `
        ${set('r', ld(sg))}${compute}
        ${st(add(get('an'), o1), an)}
        (if (local.get $savedR) (then ${st(add(get('savedR'), o1), get('r'))} ${st(add(get('savedHn'), o1), hn)}))`;
  return `
  (func (export "candidate_in_${kind}") (param $xp i32) (param $g i32) (param $hasG i32) (param $bhN i32) (param $sig i32) (param $an i32) (param $N i32) (param $H i32) (param $savedR i32) (param $savedHn i32)
    (local $i i32) (local $j i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $hb i32) (local $two v128)
    (local $r v128) (local $hn v128) (local $braw v128) (local $graw v128) (local $xraw v128) (local $hn0 v128) (local $hn1 v128) (local $a0 v128) (local $a1 v128)
    ${set('two', vconst(2))}
    ${set('hb', bytes(get('H')))}
    ${gruRows(
      `
      ${set('r1', '(i32.mul (local.get $i) (local.get $hb))')}
      ${set('r2', '(i32.shl (local.get $r1) (i32.const 1))')}
      ${set('r3', '(i32.add (i32.mul (local.get $r1) (i32.const 3)) (i32.shl (local.get $hb) (i32.const 1)))')}`,
      gruColumns('col', 'hb', body),
    )})`;
}

// stateOut: n = 2 tn - 1; z = sig[i, H + j]; value = n + z (hPrev - n) (hPrev = prev[i, j] or 0);
// states[i, j] = h[i, j] = value; saved z, n.
function stateOut(kind) {
  const { vconst } = flavour(kind);
  const o1 = add(get('r1'), get('j'));
  const sz = add(get('sig'), add(add(get('r1'), get('r1')), add(get('hb'), get('j'))));
  let first, value, n;
  if (kind === 'f32') {
    first = set('n', `(f32x4.sub (f32x4.mul ${get('two')} ${ld(add(get('tn'), o1))}) ${get('one')})`);
    value = set('val', `(f32x4.add ${get('n')} (f32x4.mul ${get('z')} (f32x4.sub ${get('hp')} ${get('n')})))`);
    n = get('n');
  } else {
    const half = (h, pr) => `
        ${set(`n${h}`, `(f64x2.sub (f64x2.mul ${get('two')} ${pr(get('traw'))}) ${get('one')})`)}
        ${set(`v${h}`, `(f64x2.add ${get(`n${h}`)} (f64x2.mul ${pr(get('z'))} (f64x2.sub ${pr(get('hp'))} ${get(`n${h}`)})))`)}`;
    first = set('traw', ld(add(get('tn'), o1)));
    value = `${halves(half)}
        ${set('val', demote2(get('v0'), get('v1')))}`;
    n = demote2(get('n0'), get('n1'));
  }
  const body = `
        ${first}
        ${set('z', ld(sz))}
        ${set('hp', loadOrZero('hasPrev', add(get('prev'), o1)))}
        ${value}
        ${st(add(get('states'), o1), get('val'))}
        ${st(add(get('h'), o1), get('val'))}
        (if (local.get $savedZ) (then ${st(add(get('savedZ'), o1), get('z'))} ${st(add(get('savedN'), o1), n)}))`;
  return `
  (func (export "state_out_${kind}") (param $tn i32) (param $sig i32) (param $states i32) (param $prev i32) (param $hasPrev i32) (param $h i32) (param $N i32) (param $H i32) (param $savedZ i32) (param $savedN i32)
    (local $i i32) (local $j i32) (local $r1 i32) (local $hb i32) (local $two v128) (local $one v128)
    (local $n v128) (local $z v128) (local $hp v128) (local $val v128) (local $traw v128) (local $n0 v128) (local $n1 v128) (local $v0 v128) (local $v1 v128)
    ${set('two', vconst(2))}
    ${set('one', vconst(1))}
    ${set('hb', bytes(get('H')))}
    ${gruRows(set('r1', '(i32.mul (local.get $i) (local.get $hb))'), gruColumns('col', 'hb', body))})`;
}

// gateGradients (backward, per step): pointers at the step's rows (dStates, R, Z, Nn, Hn at stepBase;
// prev = states at stepBase - NH; da at daBase).
function gateGrad(kind) {
  const { V, vconst } = flavour(kind);
  const e = add(get('r1'), get('j'));
  const at3 = (p, k) => add(get(p), add(get('r3'), add(get('j'), `(i32.mul (local.get $hb) (i32.const ${k}))`)));
  const math = (h, pr) => `
        ${set(`d${h}`, `(${V}.add ${pr(get('xdh'))} ${pr(get('xds'))})`)}
        ${set(`omz${h}`, `(${V}.sub ${get('one')} ${pr(get('xz'))})`)}
        ${set(`dan${h}`, `(${V}.mul (${V}.mul ${get(`d${h}`)} ${get(`omz${h}`)}) (${V}.sub ${get('one')} (${V}.mul ${pr(get('xn'))} ${pr(get('xn'))})))`)}
        ${set(`dhn${h}`, `(${V}.mul ${get(`dan${h}`)} ${pr(get('xr'))})`)}
        ${set(`dar${h}`, `(${V}.mul (${V}.mul ${get(`dan${h}`)} ${pr(get('xhn'))}) (${V}.mul ${pr(get('xr'))} (${V}.sub ${get('one')} ${pr(get('xr'))})))`)}
        ${set(`daz${h}`, `(${V}.mul (${V}.mul ${get(`d${h}`)} (${V}.sub ${pr(get('xhp'))} ${pr(get('xn'))})) (${V}.mul ${pr(get('xz'))} ${get(`omz${h}`)}))`)}
        ${set(`bh${h}`, `(${V}.add ${pr(get('xbh'))} ${get(`dhn${h}`)})`)}
        ${set(`dz${h}`, `(${V}.mul ${get(`d${h}`)} ${pr(get('xz'))})`)}`;
  const loads = `
        ${set('xdh', ld(add(get('dh'), e)))}
        ${set('xds', ld(add(get('dS'), e)))}
        ${set('xr', ld(add(get('R'), e)))}
        ${set('xz', ld(add(get('Z'), e)))}
        ${set('xn', ld(add(get('Nn'), e)))}
        ${set('xhn', ld(add(get('Hn'), e)))}
        ${set('xbh', ld(add(get('dbhN'), get('j'))))}
        ${set('xhp', loadOrZero('hasPrev', add(get('prev'), e)))}`;
  const out = (name) => (kind === 'f32' ? get(`${name}0`) : demote2(get(`${name}0`), get(`${name}1`)));
  const stores = `
        ${set('sar', out('dar'))} ${set('saz', out('daz'))}
        ${st(at3('da', 0), get('sar'))}
        ${st(at3('da', 1), get('saz'))}
        ${st(at3('da', 2), out('dan'))}
        ${st(at3('dg', 0), get('sar'))}
        ${st(at3('dg', 1), get('saz'))}
        ${st(at3('dg', 2), out('dhn'))}
        ${st(add(get('dbhN'), get('j')), out('bh'))}
        ${st(add(get('dh'), e), out('dz'))}`;
  const body = loads + (kind === 'f32' ? math(0, (x) => x) : halves(math)) + stores;
  const hv = (n) => `(local $${n}0 v128) (local $${n}1 v128)`;
  return `
  (func (export "gate_grad_${kind}") (param $dh i32) (param $dS i32) (param $R i32) (param $Z i32) (param $Nn i32) (param $Hn i32) (param $prev i32) (param $hasPrev i32)
      (param $da i32) (param $dg i32) (param $dbhN i32) (param $N i32) (param $H i32)
    (local $i i32) (local $j i32) (local $r1 i32) (local $r3 i32) (local $hb i32) (local $one v128)
    (local $xdh v128) (local $xds v128) (local $xr v128) (local $xz v128) (local $xn v128) (local $xhn v128) (local $xbh v128) (local $xhp v128) (local $sar v128) (local $saz v128)
    ${['d', 'omz', 'dan', 'dhn', 'dar', 'daz', 'bh', 'dz'].map(hv).join(' ')}
    ${set('one', vconst(1))}
    ${set('hb', bytes(get('H')))}
    ${gruRows(
      `
      ${set('r1', '(i32.mul (local.get $i) (local.get $hb))')}
      ${set('r3', '(i32.mul (local.get $r1) (i32.const 3))')}`,
      gruColumns('col', 'hb', body),
    )})`;
}

// ---------- 3. Softmax gradient, offsets, cross-entropy scan ----------
const offsetsAdd = `
  (func (export "offsets_add") (param $logits i32) (param $offsets i32) (param $n i32)
    (local $e i32) (local $vend i32) (local $end i32)
    ${set('end', bytes(get('n')))}
    ${set('vend', vecBytes(get('n')))}
    ${countedLoop('vec', 'e', get('vend'), 16, st(add(get('logits'), get('e')), `(f32x4.add ${ld(add(get('logits'), get('e')))} ${ld(add(get('offsets'), get('e')))})`))}
    ${countedLoop('tail', 'e', get('end'), 4, `(f32.store ${add(get('logits'), get('e'))} (f32.add (f32.load ${add(get('logits'), get('e'))}) (f32.load ${add(get('offsets'), get('e'))})))`)})`;

// dl[i, u] = dlT[u, i] = scale (labelSums[i] prob[i, u] - labels[i, u]); B % 4 == 0. 4x4 blocks: four
// rows computed with contiguous loads, stored to dl, transposed with shuffles and stored to dlT.
function softmaxGrad(kind) {
  const { F, V, cvt, back, fromF64, splat } = flavour(kind);
  const R4 = [0, 1, 2, 3];
  const rowAddr = (p, r) => add(get(p), add(get(`row${r}`), get('ub')));
  const compute = (r) => {
    if (kind === 'f32') return set(`g${r}`, `(f32x4.mul ${get('vscale')} (f32x4.sub (f32x4.mul ${get(`s${r}`)} ${ld(rowAddr('prob', r))}) ${ld(rowAddr('labels', r))}))`);
    const g = (pr) => `(f64x2.mul ${get('vscale')} (f64x2.sub (f64x2.mul ${get(`s${r}`)} ${pr(get('praw'))}) ${pr(get('yraw'))}))`;
    return `${set('praw', ld(rowAddr('prob', r)))} ${set('yraw', ld(rowAddr('labels', r)))}
        ${set(`g${r}`, demote2(g(promoteLo), g(promoteHi)))}`;
  };
  const sLoad = (r) => cvt(`(f32.load (i32.add (local.get $labelSums) (i32.shl (i32.add (local.get $i) (i32.const ${r})) (i32.const 2))))`);
  const tAddr = (k) => add(get('dlT'), `(i32.shl (i32.add (i32.mul (i32.add (local.get $u) (i32.const ${k})) (local.get $B)) (local.get $i)) (i32.const 2))`);
  const scalarTail = R4.map(
    (r) => `
        ${set('gs', back(`(${F}.mul ${get('sscale')} (${F}.sub (${F}.mul ${get(`ss${r}`)} ${cvt(`(f32.load ${rowAddr('prob', r)})`)}) ${cvt(`(f32.load ${rowAddr('labels', r)})`)}))`))}
        (f32.store ${rowAddr('dl', r)} (local.get $gs))
        (f32.store (i32.add (local.get $dlT) (i32.shl (i32.add (i32.mul (local.get $u) (local.get $B)) (i32.add (local.get $i) (i32.const ${r}))) (i32.const 2))) (local.get $gs))`,
  ).join('');
  return `
  (func (export "softmax_grad_${kind}") (param $prob i32) (param $labels i32) (param $labelSums i32) (param $dl i32) (param $dlT i32) (param $B i32) (param $U i32) (param $scale f64)
    (local $i i32) (local $u i32) (local $ub i32) (local $U4 i32) (local $rowBytes i32) (local $row0 i32) (local $row1 i32) (local $row2 i32) (local $row3 i32)
    (local $sscale ${F}) (local $vscale v128) (local $ss0 ${F}) (local $ss1 ${F}) (local $ss2 ${F}) (local $ss3 ${F}) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128) (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $praw v128) (local $yraw v128) (local $gs f32)
    ${set('sscale', fromF64(get('scale')))}
    ${set('vscale', splat(get('sscale')))}
    ${set('rowBytes', bytes(get('U')))}
    ${set('U4', '(i32.and (local.get $U) (i32.const -4))')}
    ${countedLoop('rows', 'i', get('B'), 4, `
      ${R4.map((r) => set(`row${r}`, `(i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $rowBytes))`)).join(' ')}
      ${R4.map((r) => `${set(`ss${r}`, sLoad(r))} ${set(`s${r}`, `(${V}.splat ${get(`ss${r}`)})`)}`).join(' ')}
      ${set('u', '(i32.const 0)')}
      ${countedLoop('vec', 'u', get('U4'), 4, `
        ${set('ub', bytes(get('u')))}
        ${R4.map(compute).join('\n        ')}
        ${R4.map((r) => st(rowAddr('dl', r), get(`g${r}`))).join(' ')}
        ${set('a', `(i8x16.shuffle ${lanes(0, 4, 1, 5)} ${get('g0')} ${get('g1')})`)}
        ${set('b', `(i8x16.shuffle ${lanes(2, 6, 3, 7)} ${get('g0')} ${get('g1')})`)}
        ${set('c', `(i8x16.shuffle ${lanes(0, 4, 1, 5)} ${get('g2')} ${get('g3')})`)}
        ${set('d', `(i8x16.shuffle ${lanes(2, 6, 3, 7)} ${get('g2')} ${get('g3')})`)}
        ${st(tAddr(0), `(i8x16.shuffle ${CAT_LO} ${get('a')} ${get('c')})`)}
        ${st(tAddr(1), `(i8x16.shuffle ${CAT_HI} ${get('a')} ${get('c')})`)}
        ${st(tAddr(2), `(i8x16.shuffle ${CAT_LO} ${get('b')} ${get('d')})`)}
        ${st(tAddr(3), `(i8x16.shuffle ${CAT_HI} ${get('b')} ${get('d')})`)}`)}
      ${countedLoop('tail', 'u', get('U'), 1, `
        ${set('ub', bytes(get('u')))}
        ${scalarTail}`)}`)})`;
}

// The label scan of crossEntropyFromSoftmax: labelSums[i] = Σ labels[i, :] (f32 lanes; labels are 0/1
// so exact) and the element indices of the non-zero labels, in order, into idx; returns their count.
// The log terms (few: one label per row) stay in JS.
const labelAt = (u) => `(f32.load (i32.add (local.get $labels) (i32.shl (i32.add (local.get $row) ${u}) (i32.const 2))))`;
const pushIndex = (u) => `(i32.store ${add(get('idx'), bytes(get('count')))} (i32.add (local.get $row) ${u}))
          ${set('count', add(get('count'), '(i32.const 1)'))}`;
const ceScan = `
  (func (export "ce_scan") (param $labels i32) (param $labelSums i32) (param $B i32) (param $U i32) (param $idx i32) (result i32)
    (local $i i32) (local $u i32) (local $row i32) (local $U4 i32) (local $count i32) (local $y v128) (local $acc v128) (local $t f32) (local $k i32) (local $sum f32)
    ${set('U4', '(i32.and (local.get $U) (i32.const -4))')}
    ${countedLoop('rows', 'i', get('B'), 1, `
      ${set('row', '(i32.mul (local.get $i) (local.get $U))')}
      ${set('acc', ZERO)}
      ${set('u', '(i32.const 0)')}
      ${countedLoop('vec', 'u', get('U4'), 4, `
        ${set('y', '(v128.load (i32.add (local.get $labels) (i32.shl (i32.add (local.get $row) (local.get $u)) (i32.const 2))))')}
        (if (v128.any_true (local.get $y)) (then
          ${set('acc', '(f32x4.add (local.get $acc) (local.get $y))')}
          ${set('k', '(i32.const 0)')}
          ${countedLoop('lane', 'k', '(i32.const 4)', 1, `(if (f32.ne ${labelAt('(i32.add (local.get $u) (local.get $k))')} (f32.const 0)) (then
              ${pushIndex('(i32.add (local.get $u) (local.get $k))')}))`)}))`)}
      ${set('sum', hsum32(get('acc')))}
      ${countedLoop('tail', 'u', get('U'), 1, `
        ${set('t', labelAt(get('u')))}
        (if (f32.ne (local.get $t) (f32.const 0)) (then
          ${set('sum', '(f32.add (local.get $sum) (local.get $t))')}
          ${pushIndex(get('u'))}))`)}
      (f32.store (i32.add (local.get $labelSums) (i32.shl (local.get $i) (i32.const 2))) (local.get $sum))`)}
    (local.get $count))`;

// ---------- 4. Candidate Q dots ----------
// out[i, j] = qs[i, :] · table[cand[i, j], :] (width floats), -inf for cand < 0.
// A dot keeps its f32x4 partial sums in acc.lo (f64: low lanes in acc.lo, high lanes in acc.hi), adds
// them up into q (f64: through acc.sum), then adds the last width % 4 products one by one: in f32 as
// the f32 kernels round, in f64 as the JS loop.
const SET_SLOT = set('slot', '(i32.shl (i32.add (i32.mul (local.get $i) (local.get $C)) (local.get $j)) (i32.const 2))');
const storeQ = (slot) => `(f32.store (i32.add (local.get $out) ${slot}) (f32.demote_f64 (local.get $q)))`;

function dotStep(kind, acc) {
  const qa = add(get('qrow'), get('d'));
  const ta = add(get(acc.row), get('d'));
  if (kind === 'f32') return set(acc.lo, `(f32x4.add ${get(acc.lo)} (f32x4.mul ${ld(qa)} ${ld(ta)}))`);
  return `${set('a', ld(qa))} ${set('b', ld(ta))}
            ${set(acc.lo, `(f64x2.add ${get(acc.lo)} (f64x2.mul ${promoteLo(get('a'))} ${promoteLo(get('b'))}))`)}
            ${set(acc.hi, `(f64x2.add ${get(acc.hi)} (f64x2.mul ${promoteHi(get('a'))} ${promoteHi(get('b'))}))`)}`;
}

function dotSum(kind, acc) {
  if (kind === 'f32') return set('q', `(f64.promote_f32 ${hsum32(get(acc.lo))})`);
  return `${set(acc.sum, `(f64x2.add ${get(acc.lo)} ${get(acc.hi)})`)}
            ${set('q', `(f64.add (f64x2.extract_lane 0 ${get(acc.sum)}) (f64x2.extract_lane 1 ${get(acc.sum)}))`)}`;
}

function dotTail(kind, label, counter, row) {
  const qa = add(get('qrow'), get(counter));
  const ta = add(get(row), get(counter));
  const q =
    kind === 'f32'
      ? `(f64.promote_f32 (f32.add (f32.demote_f64 (local.get $q)) (f32.mul (f32.load ${qa}) (f32.load ${ta}))))`
      : `(f64.add (local.get $q) (f64.mul (f64.promote_f32 (f32.load ${qa})) (f64.promote_f32 (f32.load ${ta}))))`;
  return countedLoop(label, counter, get('rowBytes'), 4, set('q', q));
}

// Rows i < n: qrow = qs[i, :], then the candidates from j = 0.
const candidateRows = (candidates) =>
  countedLoop('row', 'i', get('n'), 1, `
      ${set('qrow', '(i32.add (local.get $qs) (i32.mul (local.get $i) (local.get $rowBytes)))')}
      ${set('j', '(i32.const 0)')}
      ${candidates}`);

// Candidates j < C one by one.
const singleCandidates = (kind, acc) =>
  countedLoop('one', 'j', get('C'), 1, `
        ${SET_SLOT}
        ${set('item', '(i32.load (i32.add (local.get $cand) (local.get $slot)))')}
        (if (i32.lt_s (local.get $item) (i32.const 0))
          (then (f32.store (i32.add (local.get $out) (local.get $slot)) (f32.const -inf)))
          (else
            ${set(acc.row, '(i32.add (local.get $table) (i32.mul (local.get $item) (local.get $rowBytes)))')}
            ${set(acc.lo, ZERO)} ${set(acc.hi, ZERO)}
            ${set('d', '(i32.const 0)')}
            ${countedLoop('dot', 'd', get('vend'), 16, dotStep(kind, acc))}
            ${dotSum(kind, acc)}
            ${dotTail(kind, 'tail', 'd', acc.row)}
            ${storeQ(get('slot'))}))`);

const candidateQHead = (name, locals) => `
  (func (export "${name}") (param $qs i32) (param $table i32) (param $cand i32) (param $C i32) (param $n i32) (param $width i32) (param $out i32)
    ${locals}
    ${set('rowBytes', bytes(get('width')))}
    ${set('vend', vecBytes(get('width')))}`;

function candidateQ(kind) {
  return `${candidateQHead(
    `candidate_q_${kind}`,
    `(local $i i32) (local $j i32) (local $item i32) (local $qrow i32) (local $trow i32) (local $d i32) (local $vend i32) (local $rowBytes i32) (local $slot i32)
    (local $acc0 v128) (local $acc1 v128) (local $a v128) (local $b v128) (local $q f64)`,
  )}
    ${candidateRows(singleCandidates(kind, { row: 'trow', lo: 'acc0', hi: 'acc1', sum: 'acc0' }))})`;
}

// Four candidates at a time (independent accumulators, one qs load shared), as the JS loop does; a
// group with an absent candidate and the last C % 4 go one by one.
function candidateQ4(kind) {
  const qa = add(get('qrow'), get('d'));
  const ta = (k) => add(get(`t${k}`), get('d'));
  const K4 = [0, 1, 2, 3];
  const acc = (k) => ({ row: `t${k}`, lo: `c${k}`, hi: `e${k}`, sum: 'a' });
  const vecQ =
    kind === 'f32'
      ? `${set('a', ld(qa))} ${K4.map((k) => set(`c${k}`, `(f32x4.add ${get(`c${k}`)} (f32x4.mul ${get('a')} ${ld(ta(k))}))`)).join(' ')}`
      : `${set('a', ld(qa))} ${set('ql', promoteLo(get('a')))} ${set('qh', promoteHi(get('a')))}
            ${K4.map((k) => `${set('b', ld(ta(k)))} ${set(`c${k}`, `(f64x2.add ${get(`c${k}`)} (f64x2.mul ${get('ql')} ${promoteLo(get('b'))}))`)} ${set(`e${k}`, `(f64x2.add ${get(`e${k}`)} (f64x2.mul ${get('qh')} ${promoteHi(get('b'))}))`)}`).join('\n            ')}`;
  const finQ = K4.map(
    (k) => `${dotSum(kind, acc(k))}
            ${set('dd', get('d'))}
            ${dotTail(kind, 'tail', 'dd', `t${k}`)}
            ${storeQ(`(i32.add (local.get $slot) (i32.const ${4 * k}))`)}`,
  ).join('\n');
  const itemAt = (k) => `(i32.load (i32.add (local.get $cand) (i32.add (local.get $slot) (i32.const ${4 * k}))))`;
  const quads = loopUntil('quads', '(i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $C))', `
        ${SET_SLOT}
        ${K4.map((k) => set(`i${k}`, itemAt(k))).join(' ')}
        (br_if $quads_done (i32.lt_s (i32.or (i32.or (local.get $i0) (local.get $i1)) (i32.or (local.get $i2) (local.get $i3))) (i32.const 0)))
        ${K4.map((k) => set(`t${k}`, `(i32.add (local.get $table) (i32.mul (local.get $i${k}) (local.get $rowBytes)))`)).join(' ')}
        ${K4.map((k) => `${set(`c${k}`, ZERO)} ${set(`e${k}`, ZERO)}`).join(' ')}
        ${set('d', '(i32.const 0)')}
        ${countedLoop('dot', 'd', get('vend'), 16, vecQ)}
        ${finQ}
        ${set('j', '(i32.add (local.get $j) (i32.const 4))')}`);
  return `${candidateQHead(
    `candidate_q4_${kind}`,
    `(local $i i32) (local $j i32) (local $item i32) (local $qrow i32) (local $d i32) (local $dd i32) (local $vend i32) (local $rowBytes i32) (local $slot i32) (local $lim i32)
    (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $i3 i32) (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (local $a v128) (local $b v128) (local $ql v128) (local $qh v128) (local $q f64)`,
  )}
    ${candidateRows(`${quads}
      ${singleCandidates(kind, acc(0))}`)})`;
}

// ---------- Memory-sharing probe: writes value at byte address ptr, n floats ----------
const fill = `
  (func (export "fill") (param $ptr i32) (param $n i32) (param $value f32)
    (local $e i32)
    ${countedLoop('fill', 'e', get('n'), 1, `(f32.store ${add(get('ptr'), bytes(get('e')))} (local.get $value))`)})`;

const wat = `(module
  (import "env" "memory" (memory 1))
  ${adam('f32')}
  ${adam('f64')}
  ${gatesIn}
  ${candidateIn('f32')}
  ${candidateIn('f64')}
  ${stateOut('f32')}
  ${stateOut('f64')}
  ${gateGrad('f32')}
  ${gateGrad('f64')}
  ${offsetsAdd}
  ${softmaxGrad('f32')}
  ${softmaxGrad('f64')}
  ${ceScan}
  ${candidateQ('f32')}
  ${candidateQ('f64')}
  ${candidateQ4('f32')}
  ${candidateQ4('f64')}
  ${fill}
)
`;

writeFileSync(new URL('./kernels.wat', import.meta.url), wat);
const wabt = await wabtInit();
const mod = wabt.parseWat('kernels.wat', wat, { simd: true });
mod.validate();
const { buffer } = mod.toBinary({});
writeFileSync(new URL('./kernels.wasm', import.meta.url), buffer);
console.log(`kernels.wasm: ${buffer.length} bytes`);
