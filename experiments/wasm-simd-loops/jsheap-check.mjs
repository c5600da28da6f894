// Is the JS baseline slower on Float32Arrays over a WebAssembly.Memory than on ordinary ArrayBuffers?
// (recgym's loops run on both kinds.) Usage: node jsheap-check.mjs
import { performance } from 'node:perf_hooks';
const n = 256 * 382;
const mem = new WebAssembly.Memory({ initial: 64 });
const kinds = {
  wasmMemory: [new Float32Array(mem.buffer, 0, n), new Float32Array(mem.buffer, 4 * n, n)],
  jsHeap: [new Float32Array(n), new Float32Array(n)],
};
for (const [a, b] of Object.values(kinds)) for (let i = 0; i < n; i++) { a[i] = Math.sin(i); b[i] = Math.cos(i) * 1e-3; }
function add(logits, offsets, count) { for (let e = 0; e < count; e++) logits[e] += offsets[e]; }
const times = { wasmMemory: [], jsHeap: [] };
for (let r = 0; r < 600; r++) for (const k of Object.keys(kinds)) { const t0 = performance.now(); add(kinds[k][0], kinds[k][1], n); if (r >= 200) times[k].push((performance.now() - t0) * 1000); }
const med = (x) => x.sort((p, q) => p - q)[x.length >> 1];
console.log(`offsets add over ${n}: on WebAssembly.Memory ${med(times.wasmMemory).toFixed(1)} µs, on JS ArrayBuffer ${med(times.jsHeap).toFixed(1)} µs`);
