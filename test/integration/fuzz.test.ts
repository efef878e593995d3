/**
 * A bounded, seeded fuzz of the live server: random bytes and mutated valid
 * frames on many connections. Whatever happens to those connections, the
 * server must stay up and keep serving a normal client.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameEncoder } from '../../src/protocol/frame.js';
import { mulberry32 } from '../helpers/random.js';
import { signedInClient, startTestServer, TEST_PASSWORD } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

const SEED = 0x5eed;
const CONNECTIONS = 40;
const FRAMES_PER_CONNECTION = 30;

const TEMPLATES: object[] = [
  { type: 'register', user: 'fuzz', password: TEST_PASSWORD },
  { type: 'login', user: 'fuzz', password: TEST_PASSWORD },
  { type: 'list_groups', id: 1 },
  { type: 'create_group', group: 'fuzzing' },
  { type: 'join', group: 'fuzzing', since: 0 },
  { type: 'say', text: 'hello', id: 2 },
  { type: 'history', before: 10, limit: 5 },
  { type: 'dm', to: 'normal', text: 'hi' },
  { type: 'who' },
  { type: 'ping', id: 3 },
];

function mutate(frame: Buffer, random: () => number): Buffer {
  const copy = Buffer.from(frame);
  switch (Math.floor(random() * 5)) {
    case 0: { // flip a few bits anywhere, the length prefix included
      for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
        const at = Math.floor(random() * copy.length);
        copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8));
      }
      return copy;
    }
    case 1: return copy.subarray(0, Math.floor(random() * copy.length)); // truncated
    case 2: { // random body under a correct prefix
      const body = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(body.length);
      return Buffer.concat([prefix, body]);
    }
    case 3: return Buffer.from(Array.from({ length: Math.floor(random() * 32) }, () => Math.floor(random() * 256)));
    default: return copy; // valid: keeps the session moving through its states
  }
}

test('seeded fuzz: random and mutated frames never take the server down', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const normal = await signedInClient(t, server.port, 'normal', 'lobby');
  const random = mulberry32(SEED);
  const encoder = new FrameEncoder();
  for (let c = 0; c < CONNECTIONS; c++) {
    const client = await WireClient.connect(t, server.port);
    await client.next('welcome');
    for (let f = 0; f < FRAMES_PER_CONNECTION && !client.socket.destroyed; f++) {
      const template = TEMPLATES[Math.floor(random() * TEMPLATES.length)]!;
      client.sendRaw(mutate(encoder.encode(template), random));
    }
    // End the connection and wait until the server has let go of it.
    client.socket.end();
    await client.closed;
  }
  const reply = await normal.request({ type: 'say', text: 'still here' });
  assert.equal(reply.type, 'ack');
  assert.equal((await normal.request({ type: 'who' })).type, 'members');
  const fresh = await signedInClient(t, server.port, 'after', 'lobby');
  assert.equal((await fresh.request({ type: 'ping' })).type, 'pong');
});
