import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/agents/dqn/backend.js';

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
