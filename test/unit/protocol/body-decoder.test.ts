/** The single-pass body decoder against @msgpack/msgpack (the reference) on valid bodies, and its own rules. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode, encode } from '@msgpack/msgpack';
import { BodyDecodeError, BodyDecoder, MAX_DEPTH } from '../../../src/protocol/body-decoder.js';
import { mulberry32 } from '../../helpers/random.js';

const decoder = new BodyDecoder();

function decodeAll(bytes: Uint8Array, pad = 0): Record<string, unknown> {
  const holder = Buffer.alloc(bytes.length + 2 * pad, 0xc1);
  holder.set(bytes, pad);
  return decoder.decode(holder, pad, pad + bytes.length);
}

test('scalars of every width decode as the library decodes them', () => {
  const values = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -32, -33, -128, -129, -32_768, -32_769,
    -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53) + 1, 1.5, -0.25, 1e300, null, true, false, '', 'a', 'x'.repeat(31), 'x'.repeat(32), 'y'.repeat(255),
    'y'.repeat(256), 'z'.repeat(70_000), 'é', '€ and 𝄞', '\ufeffbom kept', 'ascii then ü', [], [1, [2, [3]]], {}, { nested: { a: 1 } },
    new Array(20).fill('q'), Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]))];
  for (const value of values) {
    const body = encode({ v: value });
    assert.deepEqual(decodeAll(body, 3), decode(body), JSON.stringify(value)?.slice(0, 40));
    assert.equal(decoder.utf8Valid, true);
  }
  const float32 = Buffer.from([0x81, 0xa1, 0x66, 0xca, 0x3f, 0xc0, 0x00, 0x00]);
  assert.deepEqual(decodeAll(float32), { f: 1.5 });
});

test('random valid bodies decode as the library decodes them; keys sharing lengths stay apart', () => {
  const random = mulberry32(7);
  const word = (): string => Array.from({ length: 1 + Math.floor(random() * 18) }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
  for (let i = 0; i < 2_000; i++) {
    const body: Record<string, unknown> = {};
    for (let k = 0; k < 1 + random() * 6; k++) body[word()] = random() < 0.5 ? word() : Math.floor(random() * 2 ** 40) - 2 ** 39;
    const bytes = encode(body);
    assert.deepEqual(decodeAll(bytes, i % 5), decode(bytes));
  }
});

test('bin and ext values are copies of their bytes', () => {
  const bytes = Buffer.from(encode({ blob: new Uint8Array([1, 2, 3]), when: new Date(0) }));
  const body = decodeAll(bytes);
  bytes.fill(0);
  assert.deepEqual(Array.from(body['blob'] as Uint8Array), [1, 2, 3]);
  assert.ok(body['when'] instanceof Uint8Array);
});

test('invalid UTF-8 is reported after the whole body is read; BOM and valid forms are not', () => {
  const body = Buffer.from([0x82, 0xa2, 0x69, 0x64, 0x07, 0xa4, 0x74, 0x65, 0x78, 0x74, 0xa2, 0xc0, 0x80]);
  assert.deepEqual(decodeAll(body)['id'], 7);
  assert.equal(decoder.utf8Valid, false);
  for (const bytes of [[0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]]) {
    const long = [...Buffer.from('x'.repeat(40)), ...bytes];
    decodeAll(Buffer.from([0x81, 0xa1, 0x74, 0xd9, long.length, ...long]));
    assert.equal(decoder.utf8Valid, false, bytes.join(','));
  }
  decodeAll(encode({ ok: 'ok' }));
  assert.equal(decoder.utf8Valid, true, 'reset for the next body');
});

test('what is not one map of string keys throws BodyDecodeError', () => {
  let deep: unknown = 1;
  for (let i = 0; i < MAX_DEPTH; i++) deep = [deep];
  const cases = [
    Buffer.from([0x81, 0xa1, 0x61]), // ends before the value
    Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff]), // a count far past the body
    Buffer.from([0x81, 0xa1, 0x61, 0xdd, 0x7f, 0xff, 0xff, 0xff, 0x01]),
    Buffer.from([0x81, 0xc0, 0x01]),
    Buffer.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0x01]),
    Buffer.from(encode({ v: deep })),
    Buffer.from([0x80, 0x80]),
    Buffer.from([0x91, 0x01]),
  ];
  for (const bytes of cases) assert.throws(() => decodeAll(bytes), BodyDecodeError, bytes.toString('hex'));
  let within: unknown = 1;
  for (let i = 0; i < MAX_DEPTH - 1; i++) within = [within];
  assert.deepEqual(decodeAll(encode({ v: within })), { v: within });
});
