import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TurnWrites } from '../../src/server/turn-writes.js';

/** A Writable that records each write it is asked to do (one entry per _write / _writev). */
function recordingSink() {
  const batches: string[][] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      batches.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      batches.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      callback();
    },
  });
  return { sink, batches };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const ticked = () => new Promise((resolve) => process.nextTick(resolve));

describe('TurnWrites', () => {
  describe('#hold', () => {
    it("writes what the running callback wrote to a held socket as one batch once the callback is done, in order, then runs afterFlush", async () => {
      const turns = new TurnWrites();
      const { sink, batches } = recordingSink();
      const seen: string[][][] = [];
      const afterFlush = () => seen.push(batches.map((b) => [...b]));
      for (const text of ['a', 'b', 'c']) {
        turns.hold(sink, afterFlush);
        sink.write(text);
      }
      expect(batches).toEqual([]);
      await ticked();
      expect(batches).toEqual([['a', 'b', 'c']]);
      expect(seen).toEqual([[['a', 'b', 'c']]]);
      turns.hold(sink, afterFlush);
      sink.write('d');
      await ticked();
      expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
      expect(seen).toHaveLength(2);
    });

    it('keeps sockets apart and leaves a socket it does not hold alone', async () => {
      const turns = new TurnWrites();
      const one = recordingSink();
      const two = recordingSink();
      const free = recordingSink();
      turns.hold(one.sink);
      turns.hold(two.sink);
      one.sink.write('1a');
      two.sink.write('2a');
      free.sink.write('f');
      one.sink.write('1b');
      expect(free.batches).toEqual([['f']]);
      await nextTurn();
      expect(one.batches).toEqual([['1a', '1b']]);
      expect(two.batches).toEqual([['2a']]);
    });
  });

  describe('#flush', () => {
    it('uncorks every held socket at once, so that nothing waits', () => {
      const turns = new TurnWrites();
      const { sink, batches } = recordingSink();
      turns.hold(sink);
      sink.write('x');
      sink.write('y');
      turns.flush();
      expect(batches).toEqual([['x', 'y']]);
      expect(sink.writableCorked).toBe(0);
    });
  });
});
