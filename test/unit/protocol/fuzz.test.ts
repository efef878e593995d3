/** Seeded fuzz of decode + validate: the outcome is a typed request or a ProtocolError, nothing else. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, ProtocolError } from '../../../src/protocol/errors.js';
import { FrameDecoder, FrameEncoder } from '../../../src/protocol/frame.js';
import { REQUEST_TYPES } from '../../../src/protocol/messages.js';
import { parseRequest } from '../../../src/protocol/validate.js';
import { mulberry32 } from '../../helpers/random.js';
import { SAMPLES } from '../../helpers/samples.js';

const ITERATIONS = 20_000;

function mutate(bytes: Buffer, random: () => number): Buffer {
  const copy = Buffer.from(bytes);
  const kind = Math.floor(random() * 4);
  if (kind === 0) {
    for (let i = 0; i < 1 + random() * 3; i++) {
      const at = Math.floor(random() * copy.length);
      copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8));
    }
  }
  if (kind === 1) return copy.subarray(0, Math.floor(random() * copy.length));
  if (kind === 2) return Buffer.concat([copy, Buffer.from([Math.floor(random() * 256)])]);
  if (kind === 3) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
  return copy;
}

test('random and mutated streams yield typed requests or ProtocolErrors only', () => {
  const random = mulberry32(0xf00d);
  const encoder = new FrameEncoder();
  const valid = SAMPLES.map((sample) => encoder.encode(sample));
  const codes = new Set<string>(ERROR_CODES);
  let requests = 0;
  let errors = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const stream = random() < 0.2
      ? Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)))
      : Buffer.concat(Array.from({ length: 1 + Math.floor(random() * 3) }, () => mutate(valid[Math.floor(random() * valid.length)]!, random)));
    const decoder = new FrameDecoder({ maxFrame: 4096 });
    for (let at = 0; at < stream.length;) {
      const size = 1 + Math.floor(random() * 16);
      decoder.push(stream.subarray(at, at + size));
      at += size;
      for (;;) {
        try {
          const body = decoder.next();
          if (body === undefined) break;
          const request = parseRequest(body);
          assert.ok(REQUEST_TYPES.includes(request.type));
          requests += 1;
        } catch (error) {
          assert.ok(error instanceof ProtocolError, `unexpected ${String(error)}`);
          assert.ok(codes.has(error.code));
          errors += 1;
          if (error.fatal) break;
        }
      }
    }
  }
  assert.ok(requests > 1000 && errors > 1000, `both outcomes exercised (${requests} requests, ${errors} errors)`);
});
