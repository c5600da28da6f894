import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { makeEnv } from '../../src/env/registry.js';
import { Box } from '../../src/env/spaces/box.js';
import { describeSpace, spaceFromDescription, SpaceDescriptionSchema } from '../../src/env/spaces/describe.js';
import { Discrete } from '../../src/env/spaces/discrete.js';
import { parseClientFrame } from '../../src/server/parse-frame.js';
import { protocolJsonSchema, renderProtocolDoc } from '../../src/server/protocol-doc.js';
import { compareProtocol, PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../../src/server/protocol.js';
import { batchSlot, decodeBatch, decodeValue, encodeBatch, encodeValue } from '../../src/server/wire.js';
import { runCli } from '../helpers/collecting-io.js';

describe('protocol', () => {
  it('types messages from the schemas', () => {
    expectTypeOf<Extract<ClientMessage, { type: 'step' }>>().toHaveProperty('handle').toEqualTypeOf<number>();
    expectTypeOf<Extract<ServerMessage, { type: 'error' }>['id']>().toEqualTypeOf<string | number | null>();
  });

  it('refuses a different major version and warns about a different minor one', () => {
    expect(compareProtocol('1.3.7')).toEqual({ ok: true });
    expect(compareProtocol('1.1.0')).toMatchObject({ ok: true, warning: expect.stringContaining('client protocol 1.1.0') });
    expect(compareProtocol('0.9.0')).toEqual({ ok: false, message: `hello.protocol: expected major version 1 (server ${PROTOCOL_VERSION}), actual 0.9.0` });
  });

  it('parses frames into messages or error frames with the id', () => {
    expect(parseClientFrame('{"id": 3, "type": "close", "handle": 2}', false)).toEqual({ ok: true, message: { id: 3, type: 'close', handle: 2 } });
    expect(parseClientFrame('{"id": 3, "type": "close", "handle": 0}', false)).toMatchObject({ ok: false, error: { id: 3, code: 'RECGYM_ERR_INVALID_MESSAGE' } });
    expect(parseClientFrame('nul', false)).toMatchObject({ ok: false, error: { id: null, code: 'RECGYM_ERR_BAD_FRAME' } });
    expect(parseClientFrame(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), false)).toMatchObject({ ok: false, error: { message: 'expected a text frame of UTF-8 JSON, actual bytes that are not UTF-8' } });
    expect(parseClientFrame('"hello"', false)).toMatchObject({ ok: false, error: { id: null, message: 'expected a JSON object, actual a string' } });
  });

  it('prints the JSON Schema of every message (recgym protocol --json-schema)', async () => {
    const { code, stdout } = await runCli(['protocol', '--json-schema']);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed).toEqual(JSON.parse(JSON.stringify(protocolJsonSchema())));
    expect(printed.protocol).toBe(PROTOCOL_VERSION);
    const clientTypes = printed.client.oneOf.map((o: { properties: { type: { const: string } } }) => o.properties.type.const);
    expect(clientTypes).toEqual(['hello', 'make', 'makeVector', 'reset', 'step', 'stepVector', 'close', 'registerPolicy', 'recommendation']);
    const serverTypes = printed.server.oneOf.map((o: { properties: { type: { const: string } } }) => o.properties.type.const);
    expect(serverTypes).toContain('error');
  });

  it('docs/protocol.md is the generated reference (regenerate: npm run build && node dist/src/cli/main.js protocol > docs/protocol.md)', () => {
    const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    expect(doc === renderProtocolDoc(), 'docs/protocol.md is stale: run `npm run build && node dist/src/cli/main.js protocol > docs/protocol.md`').toBe(true);
  });

  it.skipIf(spawnSync('python3', ['--version']).status !== 0)("compiles the scale-out section's RLlib env-factory code with python3 -m py_compile (Ray itself is not run)", () => {
    const section = renderProtocolDoc().split('## Scale-out')[1].split('\n## ')[0];
    const blocks = [...section.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBe(1);
    const dir = mkdtempSync(join(tmpdir(), 'recgym-rllib-'));
    try {
      const compile = (code: string) => {
        const file = join(dir, 'rllib_env_factory.py');
        writeFileSync(file, code);
        return spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      };
      const run = compile(blocks[0]);
      expect(run.status, run.stderr).toBe(0);
      expect(blocks[0]).toContain('register_env("recgym", env_creator)');
      // the check can fail: the same code with one bracket left open does not compile
      expect(compile(blocks[0].replace('config = {', 'config = {{')).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('space descriptions', () => {
  it('rebuild every registered env space and infinite bounds', () => {
    for (const id of ['Tianchi-Replay-v0', 'Tianchi-Slate-v0']) {
      const env = makeEnv(id);
      for (const space of [env.observationSpace, env.actionSpace]) {
        const description = JSON.parse(JSON.stringify(describeSpace(space)));
        expect(SpaceDescriptionSchema.parse(description)).toEqual(description);
        const rebuilt = spaceFromDescription(description);
        expect(rebuilt.toString()).toBe(space.toString());
        const sample = space.sample(createRng(1));
        expect(rebuilt.contains(sample)).toBe(true);
      }
    }
    const box = new Box({ low: -Infinity, high: Infinity, shape: [2], dtype: 'float32' });
    expect(describeSpace(box)).toEqual({ kind: 'Box', low: '-inf', high: 'inf', shape: [2], dtype: 'float32' });
    expect(spaceFromDescription(describeSpace(box)).toString()).toBe(box.toString());
    expect(() => SpaceDescriptionSchema.parse({ kind: 'Dict', spaces: { a: { kind: 'Discrete', n: 0, start: 0 } } })).toThrow(/too_small|>=1/);
  });
});

describe('wire', () => {
  it('round-trips values and batches through JSON and refuses what a dtype cannot hold', () => {
    const env = makeEnv('Tianchi-Replay-v0');
    const { observation } = env.reset({ seed: 1 });
    const json = JSON.parse(JSON.stringify(encodeValue(env.observationSpace, observation)));
    expect(decodeValue(env.observationSpace, json)).toEqual({ ok: true, value: observation });
    const box = new Box({ low: -5, high: 5, shape: [2], dtype: 'int8' });
    expect(decodeValue(box, [1, 300])).toEqual({ ok: false, reason: 'value: expected int8 numbers, actual 300 at index 1' });
    expect(decodeValue(box, [1])).toEqual({ ok: false, reason: 'value: expected an array of 2 int8 numbers, actual Array(1)' });
    expect(decodeValue(new Discrete(3), '1')).toEqual({ ok: false, reason: 'value: expected a number, actual "1"' });
    const batch = encodeBatch(box, 2, undefined, (slot) => Int8Array.of(slot, -slot));
    expect(batch).toEqual([0, 0, 1, -1]);
    const decoded = decodeBatch(box, 2, batch);
    expect(decoded.ok && batchSlot(box, decoded.value, 1)).toEqual(Int8Array.of(1, -1));
  });
});
