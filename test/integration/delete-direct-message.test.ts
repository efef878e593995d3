/**
 * Issue 22 item 3, `delete_message` {`user`, `seq`}: its author removes a
 * direct message; every connection of both sides gets `message_deleted` with
 * the other side as `user`; `dm_history` holds the tombstone for both; on
 * the in-memory server (SQLite).
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { DELETED_TEXT } from '../../src/protocol/messages.js';
import { type MemoryServer, type MemoryWireClient, startMemoryServer } from '../helpers/memory-server.js';
import { TEST_PASSWORD } from '../helpers/server.js';
import { dm } from '../helpers/conversations.js';
import { expectError, type FrameClient } from '../helpers/wire-client.js';

async function login(server: MemoryServer, user: string): Promise<MemoryWireClient> {
  const client = server.connect();
  await client.next('welcome');
  assert.equal((await client.request({ type: 'login', user, password: TEST_PASSWORD })).type, 'auth_ok');
  return client;
}

async function dmHistory(client: FrameClient, user: string) {
  const reply = await client.request({ type: 'dm_history', user });
  assert.ok(reply.type === 'dm_history', JSON.stringify(reply));
  return reply.messages.map((m) => [m.seq, m.from, m.text, m.deleted?.by]);
}

async function nothingMore(clients: FrameClient[]): Promise<void> {
  for (const client of clients) {
    await client.sync();
    assert.deepEqual(client.take('message_deleted'), []);
  }
}

async function world(t: TestContext) {
  const server = await startMemoryServer(t);
  const alice = await server.signedIn('Alice');
  const alicePhone = await login(server, 'alice');
  const bob = await server.signedIn('bob', 'lobby');
  const carol = await server.signedIn('carol');
  return { server, alice, alicePhone, bob, carol };
}

test('its author removes a direct message: both sides\' connections get message_deleted naming the other side; dm_history holds the tombstone', async (t) => {
  const { alice, alicePhone, bob, carol } = await world(t);
  await dm(alice, 'bob', 'first');
  const secret = await dm(alice, 'bob', 'my password is hunter2');
  await dm(bob, 'alice', 'reply');
  await alicePhone.next((m) => m.type === 'dm' && m.seq === 3);
  await bob.next((m) => m.type === 'dm' && m.seq === 2);

  assert.equal((await alice.request({ type: 'delete_message', user: 'BOB', seq: secret })).type, 'ok');
  for (const client of [alice, alicePhone]) {
    assert.deepEqual(await client.next('message_deleted'), { type: 'message_deleted', user: 'bob', seq: secret, by: 'Alice' });
  }
  assert.deepEqual(await bob.next('message_deleted'), { type: 'message_deleted', user: 'Alice', seq: secret, by: 'Alice' });
  const expected = [[1, 'Alice', 'first', undefined], [2, 'Alice', DELETED_TEXT, 'Alice'], [3, 'bob', 'reply', undefined]];
  assert.deepEqual(await dmHistory(bob, 'alice'), expected);
  assert.deepEqual(await dmHistory(alicePhone, 'bob'), expected);
  const since = await bob.request({ type: 'dm_history', user: 'alice', since: 1 });
  assert.ok(since.type === 'dm_history');
  assert.deepEqual(since.messages[0]?.deleted?.by, 'Alice');
  assert.ok(since.messages[0]!.deleted!.ts >= since.messages[0]!.ts);

  // Again: ok, nothing sent; the first removal stays.
  assert.equal((await alicePhone.request({ type: 'delete_message', user: 'bob', seq: secret })).type, 'ok');
  await nothingMore([alice, alicePhone, bob, carol]);
});

test('only its author: the other side gets not_allowed; no_such_message, no_such_user; one\'s own conversation; a block does not stop a removal', async (t) => {
  const { alice, alicePhone, bob, carol } = await world(t);
  const seq = await dm(alice, 'bob', 'hello bob');
  const reply = await dm(bob, 'alice', 'hello alice');
  expectError(await bob.request({ type: 'delete_message', user: 'alice', seq }), 'not_allowed');
  for (const wrong of [0, 3, 99]) expectError(await alice.request({ type: 'delete_message', user: 'bob', seq: wrong }), 'no_such_message');
  expectError(await carol.request({ type: 'delete_message', user: 'alice', seq }), 'no_such_message'); // carol has no such conversation
  expectError(await alice.request({ type: 'delete_message', user: 'nobody', seq }), 'no_such_user');
  expectError(await alice.request({ type: 'delete_message', user: 'not a name', seq }), 'no_such_user');
  await nothingMore([alice, alicePhone, bob, carol]);

  const note = await dm(alice, 'alice', 'note to self');
  await alicePhone.next('dm');
  assert.equal((await alicePhone.request({ type: 'delete_message', user: 'ALICE', seq: note })).type, 'ok');
  for (const client of [alice, alicePhone]) {
    assert.deepEqual(await client.next('message_deleted'), { type: 'message_deleted', user: 'Alice', seq: note, by: 'Alice' });
  }
  await nothingMore([alice, alicePhone, bob]);

  // Blocked by bob, alice still removes what she wrote to him (and bob's view is told).
  assert.equal((await bob.request({ type: 'block', user: 'alice' })).type, 'ok');
  assert.equal((await alice.request({ type: 'delete_message', user: 'bob', seq })).type, 'ok');
  assert.deepEqual(await bob.next('message_deleted'), { type: 'message_deleted', user: 'Alice', seq, by: 'Alice' });
  assert.equal((await bob.request({ type: 'delete_message', user: 'alice', seq: reply })).type, 'ok', 'and the blocker its own');
});
