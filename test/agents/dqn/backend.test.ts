import { describe, expect, it } from 'vitest';
import { initBackend, wasmKernels } from '../../../src/agents/dqn/backend.js';

describe('initBackend', () => {
  it('starts the WASM backend from the local .wasm files', async () => {
    const { tf, backend } = await initBackend('wasm');
    expect(backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]))).dataSync())).toEqual([11]);
  });

  it('switches to the CPU backend on request', async () => {
    const { tf, backend } = await initBackend('cpu');
    expect(backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('auto picks tfjs-node when installed, else WASM', async () => {
    let hasNode = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      hasNode = false;
    }
    const { backend } = await initBackend('auto');
    expect(backend).toBe(hasNode ? 'tensorflow' : 'wasm');
  });

  it('fails with a clear message when tfjs-node is requested but absent', async () => {
    let hasNode = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      hasNode = false;
    }
    if (hasNode) return;
    await expect(initBackend('tensorflow')).rejects.toThrow(/expected @tensorflow\/tfjs-node to be installed/);
  });

  it('rejects an unknown preference', async () => {
    await expect(initBackend('gpu' as never)).rejects.toThrow(RangeError);
  });
});

describe('wasmKernels', () => {
  it('is undefined off the WASM backend', async () => {
    const { tf } = await initBackend('cpu');
    expect(wasmKernels(tf)).toBeUndefined();
  });

  it('multiplies heap buffers, and a refreshed right operand drops the cached packing', async () => {
    const { tf } = await initBackend('wasm');
    const k = wasmKernels(tf);
    if (!k) throw new Error('expected direct WASM kernels');
    const a = k.buffer('test/a', 4);
    const b = k.buffer('test/b', 6);
    const out = k.buffer('test/out', 6);
    k.view(a).set([1, 2, 3, 4]); // [2, 2]
    k.view(b).set([1, 0, -1, 2, 1, 0.5]); // [2, 3]
    k.refresh(b);
    k.matMul(a.id, 2, 2, b.id, 3, out.id);
    expect(Array.from(k.view(out))).toEqual([5, 2, 0, 11, 4, -1]);
    k.view(b).set([0, 0, 0, 0, 0, 1]);
    k.refresh(b);
    k.matMul(a.id, 2, 2, b.id, 3, out.id);
    expect(Array.from(k.view(out))).toEqual([0, 0, 2, 0, 0, 4]);
    k.sigmoid(a.id, a.id);
    expect(k.view(a)[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
  });
});
