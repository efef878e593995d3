/** The frame encoder writes the bytes @msgpack/msgpack writes (ignoreUndefined), after the length prefix. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Encoder } from '@msgpack/msgpack';
import { BodyEncoder } from '../../../src/protocol/body-encoder.js';
import { mulberry32 } from '../../helpers/random.js';
import { SAMPLES } from '../../helpers/samples.js';

const reference = new Encoder({ ignoreUndefined: true });
const encoder = new BodyEncoder();

function assertSame(value: object, label: string): void {
  const frame = encoder.encodeFrame(value);
  const body = Buffer.from(reference.encode(value));
  assert.equal(frame.readUInt32BE(0), body.length, label);
  assert.deepEqual(frame.subarray(4), body, label);
}

test('every sample message encodes as the library encodes it', () => {
  for (const sample of SAMPLES) assertSame(sample, String(sample['type']));
});

test('numbers, strings, arrays and maps of every width encode as the library encodes them', () => {
  const values: unknown[] = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -32, -33, -128, -129,
    -32_768, -32_769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53) + 1, 1.5, -0.25, 2 ** 60, Number.NaN, null, true, false, undefined, '',
    'x'.repeat(31), 'x'.repeat(32), 'é', 'y'.repeat(255), 'y'.repeat(256), 'é'.repeat(40), '€ 𝄞 👩‍👩‍👧', 'z'.repeat(70_000),
    [], new Array(15).fill(1), new Array(16).fill('a'), new Array(70_000).fill(0), new Uint8Array(3), new Uint8Array(300),
    { nested: { deeper: [1, { a: 'b' }] } }, Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]))];
  for (const value of values) assertSame({ v: value, skipped: undefined, after: 1 }, JSON.stringify(value)?.slice(0, 30) ?? String(value));
});

test('random messages encode as the library encodes them, and the buffer grows as needed', () => {
  const random = mulberry32(11);
  for (let i = 0; i < 500; i++) {
    const text = Array.from({ length: Math.floor(random() * (i % 50 === 0 ? 100_000 : 200)) }, () => String.fromCodePoint(random() < 0.9 ? 32 + Math.floor(random() * 90) : 0x80 + Math.floor(random() * 0x2000))).join('');
    assertSame({ type: 'msg', group: 'g', seq: Math.floor(random() * 2 ** 40), from: 'alice', text, ts: Date.now() }, `message ${i}`);
  }
});

test('a frame is the caller\'s: the next encode does not change it', () => {
  const first = encoder.encodeFrame({ type: 'ping' });
  const copy = Buffer.from(first);
  encoder.encodeFrame({ type: 'pong', text: 'something else entirely' });
  assert.deepEqual(first, copy);
});
