/**
 * Issue 22 item 3 across a cluster: two server nodes on one real Redis. A
 * removal on node A reaches the group's members on node B as
 * `message_deleted`; every later reply on either node holds the tombstone;
 * the original text is gone from Redis's data set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { DELETED_TEXT } from '../../src/protocol/messages.js';
import { nameKey } from '../../src/protocol/names.js';
import { REDIS_KEYS } from '../../src/redis/keys.js';
import { joined, outcome, signIn } from '../helpers/moderation.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { startTestServer } from '../helpers/server.js';
import { expectError, say } from '../helpers/wire-client.js';

const SKIP = { skip: hasRedis() ? false : 'redis-server is not installed' };

test('cluster: a removal on node A reaches members on node B; history, joined and join since on both hold the tombstone; Redis keeps no original', SKIP, async (t) => {
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 } })));
  const owner = await signIn(t, a!.port, 'olga');
  const author = await signIn(t, b!.port, 'ann');
  const member = await signIn(t, b!.port, 'mem');
  assert.equal(await outcome(owner, { type: 'create_group', group: 'Lobby', private: true }), 'group_created');
  for (const user of ['ann', 'mem']) assert.equal(await outcome(owner, { type: 'invite', group: 'lobby', user }), 'ok');
  for (const client of [owner, author, member]) await joined(client, 'lobby');
  const secret = 'my card number is 1234 "quoted" \u00e9';
  await say(author, 'hello');
  await say(author, secret);
  await say(author, 'bye');
  await member.next((m) => m.type === 'msg' && m.seq === 3);
  await owner.next((m) => m.type === 'msg' && m.seq === 3);

  assert.equal(await outcome(owner, { type: 'delete_message', group: 'lobby', seq: 2 }), 'ok');
  for (const client of [owner, author, member]) {
    assert.deepEqual(await client.next('message_deleted'), { type: 'message_deleted', group: 'Lobby', seq: 2, by: 'olga' });
  }
  // Again from node B by its author: ok, and nobody is told twice.
  assert.equal(await outcome(author, { type: 'delete_message', group: 'lobby', seq: 2 }), 'ok');
  expectError(await member.request({ type: 'delete_message', group: 'lobby', seq: 1 }), 'not_allowed');
  expectError(await member.request({ type: 'delete_message', group: 'lobby', seq: 9 }), 'no_such_message');
  const outsider = await signIn(t, b!.port, 'out');
  expectError(await outsider.request({ type: 'delete_message', group: 'lobby', seq: 1 }), 'no_such_group');
  for (const client of [owner, author, member]) {
    await client.sync();
    assert.deepEqual(client.take('message_deleted'), []);
  }

  const texts = (messages: Array<{ text: string; deleted?: { by: string } }>) => messages.map((m) => [m.text, m.deleted?.by]);
  const expected = [['hello', undefined], [DELETED_TEXT, 'olga'], ['bye', undefined]];
  const history = await member.request({ type: 'history' });
  assert.deepEqual(history.type === 'history' && texts(history.messages), expected, 'history on node B');
  const since = await owner.request({ type: 'join', group: 'lobby', since: 1 });
  assert.deepEqual(since.type === 'joined' && texts(since.history), expected.slice(1), 'join since on node A');
  const late = await signIn(t, a!.port, 'late');
  assert.equal(await outcome(owner, { type: 'invite', group: 'lobby', user: 'late' }), 'ok');
  assert.deepEqual(texts((await joined(late, 'lobby')).history), expected, 'joined on node A');

  const raw = new Redis(redis.url);
  t.after(() => raw.disconnect());
  const members = await raw.zrange(REDIS_KEYS.messages(nameKey('lobby')), 0, -1);
  assert.equal(members.length, 3);
  assert.ok(members.every((json) => !json.includes('card number')), 'the original text is gone from the data set');
});

test('cluster: a direct message removed on node A: both sides\' connections on both nodes get message_deleted; dm_history on Redis holds the tombstone', SKIP, async (t) => {
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 } })));
  const alice = await signIn(t, a!.port, 'Alice');
  const aliceOnB = await signIn(t, b!.port, 'alice', 'login');
  const bob = await signIn(t, b!.port, 'bob');
  const ack = await alice.request({ type: 'dm', to: 'bob', text: 'the secret is swordfish' });
  assert.ok(ack.type === 'ack' && ack.seq === 1);
  await bob.next('dm');
  await aliceOnB.next('dm');

  assert.equal(await outcome(alice, { type: 'delete_message', user: 'bob', seq: 1 }), 'ok');
  assert.deepEqual(await bob.next('message_deleted'), { type: 'message_deleted', user: 'Alice', seq: 1, by: 'Alice' });
  for (const client of [alice, aliceOnB]) assert.deepEqual(await client.next('message_deleted'), { type: 'message_deleted', user: 'bob', seq: 1, by: 'Alice' });
  expectError(await bob.request({ type: 'delete_message', user: 'alice', seq: 1 }), 'not_allowed');
  for (const client of [alice, aliceOnB, bob]) {
    await client.sync();
    assert.deepEqual(client.take('message_deleted'), [], 'once each');
  }
  const history = await bob.request({ type: 'dm_history', user: 'alice' });
  assert.deepEqual(history.type === 'dm_history' && history.messages.map((m) => [m.from, m.text, m.deleted?.by]), [['Alice', DELETED_TEXT, 'Alice']]);

  const raw = new Redis(redis.url);
  t.after(() => raw.disconnect());
  const members = await raw.zrange(REDIS_KEYS.directMessages('alice:bob'), 0, -1);
  assert.equal(members.length, 1);
  assert.ok(!members[0]!.includes('swordfish'), 'the original text is gone from the data set');
});
