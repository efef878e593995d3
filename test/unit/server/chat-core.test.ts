/**
 * Behaviour of the chat core in memory (ChatCore, in-memory FrameLink
 * pairs, the codec both ways): cases moved from the TLS integration tests
 * that need no socket.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startMemoryServer } from '../../helpers/memory-server.js';
import { TEST_PASSWORD } from '../../helpers/server.js';
import { expectError, type FrameClient, say } from '../../helpers/wire-client.js';

test('three clients chat: everyone else gets each message once, the sender gets an ack only', async (t) => {
  const server = await startMemoryServer(t);
  const alice = await server.signedIn('alice', 'general');
  const bob = await server.signedIn('bob', 'general');
  const carol = await server.signedIn('carol', 'general');
  const seq1 = await say(alice, 'hi all');
  const seq2 = await say(bob, 'hello alice');
  carol.send({ type: 'say', text: 'no ack for me' }); // no id: no ack
  const received = async (client: FrameClient, count: number) => {
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      const m = await client.next('msg');
      lines.push(`${m.seq}:${m.from}:${m.text}`);
    }
    await client.sync();
    assert.equal(client.take('msg').length, 0, 'no extra deliveries');
    return lines;
  };
  assert.equal(seq2, seq1 + 1);
  const seq3 = seq2 + 1;
  assert.deepEqual(await received(alice, 2), [`${seq2}:bob:hello alice`, `${seq3}:carol:no ack for me`]);
  assert.deepEqual(await received(bob, 2), [`${seq1}:alice:hi all`, `${seq3}:carol:no ack for me`]);
  assert.deepEqual(await received(carol, 2), [`${seq1}:alice:hi all`, `${seq2}:bob:hello alice`]);
  assert.equal(carol.take('ack').length, 0);
});

test('ping works in every state; bye closes without a reply', async (t) => {
  const server = await startMemoryServer(t);
  const client = server.connect();
  await client.next('welcome');
  assert.equal((await client.request({ type: 'ping' })).type, 'pong');
  const chat = await server.signedIn('pinger', 'room');
  assert.equal((await chat.request({ type: 'ping' })).type, 'pong');
  chat.send({ type: 'bye', id: 77 });
  await chat.closed;
  assert.equal(chat.inbox.filter((m) => 'id' in m && m.id === 77).length, 0);
});

test('bad_message keeps the connection open and echoes a valid id', async (t) => {
  const server = await startMemoryServer(t);
  const client = server.connect();
  await client.next('welcome');
  expectError(await client.request({ type: 'fly' }), 'bad_message');
  expectError(await client.request({ type: 'login', user: 5, password: TEST_PASSWORD }), 'bad_message');
  client.send({ type: 'ping', id: -1 });
  const noId = await client.next('error');
  assert.equal(noId.code, 'bad_message');
  assert.equal(noId.id, undefined);
  assert.equal((await client.request({ type: 'ping' })).type, 'pong');
});
