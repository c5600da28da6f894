import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkedMessage, parseClientFrame } from '../../src/server/parse-frame.js';

const number = fc.oneof(
  fc.integer({ min: -(2 ** 31) - 2, max: 2 ** 31 + 2 }),
  fc.double(),
  fc.constantFrom(0, -0, 1, 2 ** 53 - 1, 2 ** 53, 1.5, -1),
);
const id = fc.oneof(number, fc.string({ maxLength: 140 }), fc.constant(null));
const action = fc.oneof(number, fc.array(number, { maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }));
const record = fc.record(
  {
    type: fc.constantFrom('step', 'stepVector', 'close', 'reset'),
    id,
    handle: fc.oneof(number, fc.string({ maxLength: 3 })),
    action,
    actions: action,
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['type'] },
);

/** The answer of the schema alone (no hand-checked fast path). */
function checked(text: string) {
  return checkedMessage(JSON.parse(text));
}

describe('parseClientFrame', () => {
  it('answers step and stepVector frames as the zod schema does (the hand-checked fast path changes nothing)', () => {
    fc.assert(
      fc.property(record, (value) => {
        const text = JSON.stringify(value);
        expect(parseClientFrame(text, false)).toEqual(checked(text));
      }),
      { numRuns: 5000, seed: 11 },
    );
    // numbers JSON.stringify never writes: out of range, exponents, negative zero
    for (const raw of ['1e400', '-1e400', '-0', '1.0', '2147483648', '-2147483649', '1e2', '9007199254740993']) {
      for (const text of [
        `{"type":"step","id":1,"handle":1,"action":${raw}}`,
        `{"type":"step","id":1,"handle":1,"action":[1,${raw}]}`,
        `{"type":"stepVector","id":${raw},"handle":1,"actions":[${raw}]}`,
        `{"type":"stepVector","id":1,"handle":${raw},"actions":[0]}`,
      ]) {
        expect(parseClientFrame(text, false), text).toEqual(checked(text));
      }
    }
  });
});
