// Can a separate WebAssembly module share tfjs-backend-wasm's memory, before and after it grows?
// Needs the project built (npm run build, from the repository root). Usage: node share.mjs
import { readFileSync } from 'node:fs';
import { initBackend, wasmKernels } from '../../dist/src/agents/dqn/backend.js';

const { tf, backend } = await initBackend('wasm');
const wasm = tf.backend().wasm;
const memory = wasm.asm.memory;
console.log(`backend ${backend}; asm.memory is a WebAssembly.Memory: ${memory instanceof WebAssembly.Memory}; size ${memory.buffer.byteLength / 2 ** 20} MiB; shared: ${typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer}`);
const { instance } = await WebAssembly.instantiate(readFileSync(new URL('./kernels.wasm', import.meta.url)), { env: { memory } });
const K = instance.exports;
const k = wasmKernels(tf);

/** Our module writes `value` into a tfjs-registered heap buffer; tfjs's Sigmoid then reads it. */
function probe(name, n, value) {
  const x = k.buffer(`proto/${name}`, n);
  const y = k.buffer(`proto/${name}-out`, n);
  K.fill(x.offset * 4, n, value);
  k.sigmoid(x.id, y.id);
  const out = k.view(y);
  const want = Math.fround(1 / (1 + Math.exp(-value)));
  let bad = 0;
  for (let i = 0; i < n; i++) if (Math.abs(out[i] - want) > 1e-6) bad++;
  console.log(`${name}: buffer at byte ${x.offset * 4}, heap ${memory.buffer.byteLength / 2 ** 20} MiB: tfjs Sigmoid of module-written values ${bad === 0 ? 'correct' : `WRONG in ${bad}/${n}`}`);
  return x;
}

probe('before', 1000, 0.75);
const oldBuffer = memory.buffer;
const oldView = new Float32Array(oldBuffer, 0, 16);
const before = memory.buffer.byteLength;
// Grow the heap from tfjs's side: a 256 MiB tensor (malloc -> memory.grow).
const big = tf.zeros([64 * 2 ** 20]);
console.log(`after a 256 MiB tf.zeros: heap ${before / 2 ** 20} -> ${memory.buffer.byteLength / 2 ** 20} MiB; same Memory object as asm.memory: ${wasm.asm.memory === memory}; old ArrayBuffer detached: ${oldBuffer.byteLength === 0} (old JS view length ${oldView.length})`);
const x = probe('after-grow', 1000, -1.25);
console.log(`  (buffer beyond the old heap size: ${x.offset * 4 >= before})`);
// And a buffer allocated beyond the old end explicitly, after the tensor is gone.
big.dispose();
const far = k.buffer('proto/far', 8 * 2 ** 20);
K.fill(far.offset * 4, 8 * 2 ** 20, 2.5);
const view = k.view(far);
console.log(`32 MiB buffer at byte ${far.offset * 4}: module write visible to JS view: ${view[0] === 2.5 && view[view.length - 1] === 2.5}`);
// Our module growing the memory itself is possible (memory.grow on the shared object) but would
// bypass emscripten's sbrk; tfjs must own growth. Check emscripten's HEAP views follow a JS-side grow:
const pages = memory.grow(1);
console.log(`JS-side memory.grow(1): ${pages} -> ${memory.buffer.byteLength / 65536} pages; emscripten HEAPU8 refreshed immediately: ${wasm.HEAPU8.buffer === memory.buffer}`);
try {
  probe('after-js-grow', 1000, 0.5);
} catch (error) {
  console.log(`  then using tfjs's heap views fails: ${error.message} (so only emscripten's malloc may grow the memory)`);
}
