import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { ProtocolError } from '../../../src/protocol/errors.js';
import { type FrameBody, FrameDecoder, FrameEncoder, FrameReader } from '../../../src/protocol/frame.js';
import { mulberry32 } from '../../helpers/random.js';
import { SAMPLES } from '../../helpers/samples.js';

const encoder = new FrameEncoder();


function decodeAll(decoder: FrameDecoder): FrameBody[] {
  const out: FrameBody[] = [];
  for (let body = decoder.next(); body !== undefined; body = decoder.next()) out.push(body);
  return out;
}

function frameOf(body: Uint8Array): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

function expectCode(action: () => unknown, code: string): ProtocolError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ProtocolError, `a ProtocolError, got ${String(error)}`);
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected ${code}`);
}

test('every message round-trips: encode, decode, mirror', () => {
  for (const sample of SAMPLES) {
    const frame = encoder.encode(sample);
    assert.equal(frame.readUInt32BE(0), frame.length - 4);
    const decoder = new FrameDecoder({ maxFrame: 65536 });
    decoder.push(frame);
    const [decoded] = decodeAll(decoder);
    assert.deepEqual(decoded, sample);
    assert.deepEqual(encoder.encode(decoded!), frame, 'mirror: re-encoding gives the same bytes');
  }
});

test('hex vector: {type:"ping"}', () => {
  const hex = '0000000b81a474797065a470696e67';
  assert.equal(encoder.encode({ type: 'ping' }).toString('hex'), hex);
  const decoder = new FrameDecoder({ maxFrame: 64 });
  decoder.push(Buffer.from(hex, 'hex'));
  assert.deepEqual(decodeAll(decoder), [{ type: 'ping' }]);
});

test('the encoder returns buffers the caller owns (no shared reuse)', () => {
  const a = encoder.encode({ type: 'say', text: 'first' });
  const copy = Buffer.from(a);
  encoder.encode({ type: 'say', text: 'second, longer, overwriting' });
  assert.deepEqual(a, copy);
});

test('byte-at-a-time feeding and seeded random splits give the same frames', () => {
  const stream = Buffer.concat(SAMPLES.map((sample) => encoder.encode(sample)));
  const byByte = new FrameDecoder({ maxFrame: 65536 });
  const collected: FrameBody[] = [];
  for (let i = 0; i < stream.length; i++) {
    byByte.push(stream.subarray(i, i + 1));
    collected.push(...decodeAll(byByte));
  }
  assert.deepEqual(collected, SAMPLES);
  for (const seed of [1, 2, 3, 42, 1234]) {
    const random = mulberry32(seed);
    const decoder = new FrameDecoder({ maxFrame: 65536 });
    const out: FrameBody[] = [];
    for (let at = 0; at < stream.length;) {
      const size = 1 + Math.floor(random() * 40);
      decoder.push(stream.subarray(at, at + size));
      out.push(...decodeAll(decoder));
      at += size;
    }
    assert.deepEqual(out, SAMPLES, `seed ${seed}`);
  }
});

test('10,000 frames in one chunk, and one large frame fed 1 byte at a time', () => {
  const frames = Array.from({ length: 10_000 }, (_, i) => encoder.encode({ type: 'msg', group: 'g', seq: i + 1, from: 'a', text: 'x'.repeat(80), ts: i }));
  const chunk = Buffer.concat(frames);
  assert.ok(chunk.length > 1_000_000);
  const decoder = new FrameDecoder({ maxFrame: 65536 });
  decoder.push(chunk);
  const out = decodeAll(decoder);
  assert.equal(out.length, 10_000);
  assert.equal(out[9999]!['seq'], 10_000);
  assert.equal(decoder.pendingBytes, 0);

  const big = encoder.encode({ type: 'say', text: 'y'.repeat(60_000) });
  const slow = new FrameDecoder({ maxFrame: 65536 });
  for (let i = 0; i < big.length - 1; i++) {
    slow.push(big.subarray(i, i + 1));
    assert.equal(slow.next(), undefined);
  }
  slow.push(big.subarray(big.length - 1));
  assert.equal(String(slow.next()?.['text']).length, 60_000);
});

test('a body inside one chunk is a view of it; a body across chunks is copied once', () => {
  const frame = encoder.encode({ type: 'ping' });
  const reader = new FrameReader(1024);
  reader.push(frame);
  const view = reader.next();
  assert.ok(view);
  assert.equal(view.buffer, frame.buffer, 'no copy');
  reader.push(frame.subarray(0, 6));
  assert.equal(reader.next(), undefined);
  reader.push(frame.subarray(6));
  const copied = reader.next();
  assert.deepEqual(copied, frame.subarray(4));
});

test('length 0 and lengths over max_frame fail at once, holding nothing', () => {
  for (const prefix of ['00000000', 'ffffffff', '00000401']) {
    const reader = new FrameReader(1024);
    reader.push(Buffer.from(prefix, 'hex'));
    expectCode(() => reader.next(), 'frame_too_large');
    assert.equal(reader.pendingBytes, 0);
    reader.push(Buffer.from('anything'));
    expectCode(() => reader.next(), 'frame_too_large');
    assert.equal(reader.pendingBytes, 0, 'a broken reader keeps nothing');
  }
  const exact = new FrameDecoder({ maxFrame: 1024 });
  const overhead = encode({ type: 'say', text: 'z'.repeat(300) }).length - 300;
  const body = encode({ type: 'say', text: 'z'.repeat(1024 - overhead) });
  assert.equal(body.length, 1024);
  exact.push(frameOf(body));
  assert.equal(decodeAll(exact).length, 1);
  const over = new FrameDecoder({ maxFrame: 1023 });
  over.push(frameOf(body).subarray(0, 4));
  expectCode(() => over.next(), 'frame_too_large');
});

test('bodies that are not exactly one map are bad_frame, and the decoder stays broken', () => {
  const cases: Array<[string, Buffer]> = [
    ['never-used byte 0xc1', Buffer.from([0xc1])],
    ['array', Buffer.from(encode([1, 2]))],
    ['integer', Buffer.from(encode(5))],
    ['string', Buffer.from(encode('type'))],
    ['nil', Buffer.from([0xc0])],
    ['trailing bytes', Buffer.concat([Buffer.from(encode({ type: 'ping' })), Buffer.from([0x00])])],
    ['truncated map', Buffer.from(encode({ type: 'ping' })).subarray(0, 5)],
    ['integer key', Buffer.from([0x81, 0x01, 0xa1, 0x61])],
    ['map key', Buffer.from([0x81, 0x80, 0x01])],
    ['__proto__ key', Buffer.from(encode({ ['__proto__']: 1 }))],
  ];
  for (const [name, body] of cases) {
    const decoder = new FrameDecoder({ maxFrame: 1024 });
    decoder.push(Buffer.concat([frameOf(body), encoder.encode({ type: 'ping' })]));
    expectCode(() => decoder.next(), 'bad_frame');
    expectCode(() => decoder.next(), 'bad_frame'); // stays broken: the ping after it is never decoded
    assert.ok(name);
  }
});

test('binary, ext, floats and 64-bit integers in unknown fields are fine', () => {
  const body = encode({ type: 'ping', blob: new Uint8Array(300).fill(0xc1), when: new Date(0), f: 1.5, big: 2 ** 40, neg: -(2 ** 40) });
  const decoder = new FrameDecoder({ maxFrame: 4096 });
  decoder.push(frameOf(body));
  assert.equal(decodeAll(decoder)[0]!['type'], 'ping');
});

test('a string that is not valid UTF-8 is bad_message (not fatal) with the id; the next frame decodes', () => {
  const invalid: Array<[string, number[]]> = [
    ['overlong A', [0xc1, 0x81]],
    ['lone continuation', [0x80]],
    ['truncated euro', [0xe2, 0x82]],
    ['surrogate', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [name, bytes] of invalid) {
    for (const header of [[0xa0 | bytes.length], [0xd9, bytes.length], [0xda, 0, bytes.length], [0xdb, 0, 0, 0, bytes.length]]) {
      const body = Buffer.from([0x83, 0xa4, ...Buffer.from('type'), 0xa3, ...Buffer.from('say'), 0xa2, ...Buffer.from('id'), 0x05,
        0xa4, ...Buffer.from('text'), ...header, ...bytes]);
      const decoder = new FrameDecoder({ maxFrame: 1024 });
      decoder.push(Buffer.concat([frameOf(body), encoder.encode({ type: 'ping' })]));
      const error = expectCode(() => decoder.next(), 'bad_message');
      assert.equal(error.id, 5, name);
      assert.equal(error.fatal, false);
      assert.deepEqual(decoder.next(), { type: 'ping' }, name);
    }
  }
  const keyBody = Buffer.from([0x81, 0xa2, 0xc1, 0x81, 0x01]);
  const keys = new FrameDecoder({ maxFrame: 1024 });
  keys.push(frameOf(keyBody));
  expectCode(() => keys.next(), 'bad_message');
});

test('valid multi-byte UTF-8 and emoji pass, in every string width', () => {
  for (const text of ['é', '€', '𝄞', '👩‍👩‍👧', 'x'.repeat(40) + '日本', 'ü'.repeat(200), '😀'.repeat(20_000)]) {
    const decoder = new FrameDecoder({ maxFrame: 1 << 20 });
    decoder.push(encoder.encode({ type: 'say', text }));
    assert.equal(decoder.next()?.['text'], text);
  }
});

test('a limit changed between frames judges the next length prefix, even one already buffered', () => {
  const small = encoder.encode({ type: 'welcome', max_frame: 32 });
  const large = encoder.encode({ type: 'msg', text: 'x'.repeat(40) });
  const decoder = new FrameDecoder({ maxFrame: 64 });
  decoder.push(Buffer.concat([small, large, large]));
  assert.deepEqual(decoder.next(), { type: 'welcome', max_frame: 32 });
  decoder.setMaxFrame(32);
  assert.throws(() => decoder.next(), (error: unknown) => error instanceof ProtocolError && error.code === 'frame_too_large' && /outside 1\.\.32/.test(error.message));
  const widened = new FrameDecoder({ maxFrame: 16 });
  widened.setMaxFrame(64);
  widened.push(large);
  assert.deepEqual(decodeAll(widened), [{ type: 'msg', text: 'x'.repeat(40) }]);
});

test('a bin value stays bytes in every width (it never passes for a string), and a str in every width is a string, nested too', () => {
  const str32 = (text: string): number[] => [0xdb, 0, 0, 0, text.length, ...Buffer.from(text)];
  const bin32 = (bytes: number[]): number[] => [0xc6, 0, 0, 0, bytes.length, ...bytes];
  const raw = Buffer.from([0x84,
    0xa4, ...Buffer.from('type'), ...str32('ping'),
    0xa1, ...Buffer.from('b'), ...bin32([0x70, 0x69, 0x6e, 0x67]),
    0xa1, ...Buffer.from('a'), 0x92, 0xc4, 0x02, 0x68, 0x69, 0xd9, 0x02, 0x68, 0x69,
    0xa1, ...Buffer.from('m'), 0x81, 0xa1, ...Buffer.from('k'), 0xc4, 0x00]);
  const decoder = new FrameDecoder({ maxFrame: 1 << 20 });
  decoder.push(frameOf(raw));
  const body = decoder.next()!;
  assert.equal(body['type'], 'ping');
  assert.deepEqual(body['b'], new Uint8Array([0x70, 0x69, 0x6e, 0x67]));
  const array = body['a'] as unknown[];
  assert.ok(array[0] instanceof Uint8Array && array[0].length === 2);
  assert.equal(array[1], 'hi');
  assert.ok((body['m'] as Record<string, unknown>)['k'] instanceof Uint8Array);

  // A bin 16 whose length's high byte is 0xd9 (str 8's header), and a str 16 just as long.
  const long = 0xd9a5;
  const wide = encode({ type: 'say', blob: new Uint8Array(long).fill(0x61), text: 'b'.repeat(long) });
  decoder.push(frameOf(wide));
  const wideBody = decoder.next()!;
  assert.ok(wideBody['blob'] instanceof Uint8Array);
  assert.equal(wideBody['text'], 'b'.repeat(long));
});

test('invalid UTF-8 nested in an array or a map is bad_message with the id', () => {
  for (const nested of [[0x91, 0xa2, 0xc1, 0x81], [0x81, 0xa1, 0x6b, 0xa2, 0xc1, 0x81], [0x81, 0xa2, 0xc1, 0x81, 0x01]]) {
    const body = Buffer.from([0x83, 0xa4, ...Buffer.from('type'), 0xa3, ...Buffer.from('say'), 0xa2, ...Buffer.from('id'), 0x07,
      0xa1, ...Buffer.from('x'), ...nested]);
    const decoder = new FrameDecoder({ maxFrame: 1024 });
    decoder.push(Buffer.concat([frameOf(body), encoder.encode({ type: 'ping' })]));
    assert.equal(expectCode(() => decoder.next(), 'bad_message').id, 7);
    assert.deepEqual(decoder.next(), { type: 'ping' });
  }
});
