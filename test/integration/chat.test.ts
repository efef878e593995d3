import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { signedInClient, startTestServer, TEST_PASSWORD } from '../helpers/server.js';
import { expectError, say, WireClient } from '../helpers/wire-client.js';

test('msg carries group, seq, from, text, ts; presence join and leave reach the others', async (t) => {
  const server = await startTestServer(t);
  const alice = await signedInClient(t, server.port, 'alice', 'general');
  const bob = await signedInClient(t, server.port, 'bob', 'general');
  const joined = await alice.next('presence');
  assert.deepEqual(joined, { type: 'presence', group: 'general', user: 'bob', event: 'join' });
  const before = Date.now();
  await say(bob, 'ping?');
  const message = await alice.next('msg');
  assert.equal(message.group, 'general');
  assert.equal(message.from, 'bob');
  assert.ok(message.ts >= before - 1000 && message.ts <= Date.now() + 1000);
  assert.equal((await bob.request({ type: 'leave' })).type, 'left');
  assert.deepEqual(await alice.next('presence'), { type: 'presence', group: 'general', user: 'bob', event: 'leave' });
  expectError(await bob.request({ type: 'say', text: 'gone' }), 'wrong_state');
  bob.send({ type: 'bye' });
  await bob.closed;
  await alice.sync();
  assert.equal(alice.take('presence').length, 0, 'a user in no group leaves no presence');
});

test('bye from CHAT leaves the group: others see presence leave', async (t) => {
  const server = await startTestServer(t);
  const alice = await signedInClient(t, server.port, 'alice', 'general');
  const bob = await signedInClient(t, server.port, 'bob', 'general');
  await alice.next('presence');
  bob.send({ type: 'bye' });
  assert.equal((await alice.next('presence')).event, 'leave');
});

test('seq is contiguous per group under concurrent senders', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const senders = await Promise.all(['s1', 's2', 's3'].map((name) => signedInClient(t, server.port, name, 'busy')));
  const other = await signedInClient(t, server.port, 'other', 'quiet');
  const perSender = 40;
  const acks = await Promise.all(senders.map((client) =>
    Promise.all(Array.from({ length: perSender }, (_, i) => say(client, `${i}`)))));
  const seqs = acks.flat().sort((a, b) => a - b);
  assert.deepEqual(seqs, Array.from({ length: senders.length * perSender }, (_, i) => i + 1));
  for (const list of acks) assert.deepEqual(list, [...list].sort((a, b) => a - b), 'one sender’s seqs increase');
  assert.equal(await say(other, 'first in quiet'), 1);
});

test('list_groups with live member counts, create_group, group_exists, no_such_group, who, switching groups', async (t) => {
  const server = await startTestServer(t);
  const alice = await signedInClient(t, server.port, 'alice', 'Dev');
  const bob = await signedInClient(t, server.port, 'bob');
  expectError(await bob.request({ type: 'create_group', group: 'dev' }), 'group_exists');
  expectError(await bob.request({ type: 'create_group', group: 'no spaces' }), 'invalid_name');
  const created = await bob.request({ type: 'create_group', group: 'Ops' });
  assert.deepEqual({ ...created, id: 0 }, { type: 'group_created', group: 'Ops', id: 0 });
  const groups = await bob.request({ type: 'list_groups' });
  assert.equal(groups.type, 'groups');
  assert.deepEqual(groups.type === 'groups' && groups.groups, [{ name: 'Dev', members: 1, topic: '', private: false, last_seq: 0, unread: null }, { name: 'Ops', members: 0, topic: '', private: false, last_seq: 0, unread: null }]);
  expectError(await bob.request({ type: 'join', group: 'nope' }), 'no_such_group');
  const joined = await bob.request({ type: 'join', group: 'DEV' });
  assert.ok(joined.type === 'joined');
  assert.equal(joined.group, 'Dev');
  assert.deepEqual([...joined.members].sort(), ['alice', 'bob']);
  const who = await alice.request({ type: 'who' });
  assert.deepEqual(who.type === 'members' && [...who.members].sort(), ['alice', 'bob']);
  // Switching: joining Ops from Dev leaves Dev first.
  await alice.next('presence');
  assert.equal((await bob.request({ type: 'join', group: 'ops' })).type, 'joined');
  assert.deepEqual(await alice.next('presence'), { type: 'presence', group: 'Dev', user: 'bob', event: 'leave' });
  await say(alice, 'only Dev hears this');
  await bob.sync();
  assert.equal(bob.take('msg').length, 0);
  const counts = await alice.request({ type: 'list_groups' });
  assert.deepEqual(counts.type === 'groups' && counts.groups, [{ name: 'Dev', members: 1, topic: '', private: false, last_seq: 1, unread: 1 }, { name: 'Ops', members: 1, topic: '', private: false, last_seq: 0, unread: null }]);
});

test('join returns the last 50 messages; history pages backwards with before/limit and more', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const alice = await signedInClient(t, server.port, 'alice', 'log');
  for (let i = 1; i <= 60; i++) await say(alice, `m${i}`);
  const bob = await signedInClient(t, server.port, 'bob');
  const joined = await bob.request({ type: 'join', group: 'log' });
  assert.ok(joined.type === 'joined');
  assert.equal(joined.last_seq, 60);
  assert.equal(joined.more, true);
  assert.deepEqual(joined.history.map((m) => m.seq), Array.from({ length: 50 }, (_, i) => i + 11));
  const page = await bob.request({ type: 'history', before: 11, limit: 7 });
  assert.ok(page.type === 'history');
  assert.deepEqual(page.messages.map((m) => m.text), ['m4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
  assert.equal(page.more, true);
  const last = await bob.request({ type: 'history', before: 4 });
  assert.ok(last.type === 'history');
  assert.deepEqual(last.messages.map((m) => m.seq), [1, 2, 3]);
  assert.equal(last.more, false);
  const latest = await bob.request({ type: 'history', limit: 2 });
  assert.deepEqual(latest.type === 'history' && latest.messages.map((m) => m.seq), [59, 60]);
  expectError(await bob.request({ type: 'history', limit: 201 }), 'bad_message');
});

test('resume with since delivers every missed message exactly once', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const alice = await signedInClient(t, server.port, 'alice', 'room');
  const bob = await signedInClient(t, server.port, 'bob', 'room');
  await say(alice, 'before');
  const seen = await bob.next('msg');
  bob.destroy();
  await bob.closed;
  for (let i = 0; i < 20; i++) await say(alice, `missed ${i}`);
  const back = await signedInClientLogin(t, server.port, 'bob');
  // Messages keep flowing while bob rejoins.
  const sending = Promise.all(Array.from({ length: 20 }, (_, i) => say(alice, `live ${i}`)));
  const joined = await back.request({ type: 'join', group: 'room', since: seen.seq });
  await sending;
  await back.sync();
  assert.ok(joined.type === 'joined');
  const all = [...joined.history, ...back.take('msg')].map((m) => m.seq);
  assert.deepEqual(all, Array.from({ length: 40 }, (_, i) => seen.seq + 1 + i));
});

async function signedInClientLogin(t: TestContext, port: number, user: string): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  const ok = await client.request({ type: 'login', user, password: TEST_PASSWORD });
  assert.equal(ok.type, 'auth_ok');
  return client;
}

test('join with since caps at 1000 messages with more: true', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const alice = await signedInClient(t, server.port, 'alice', 'big');
  const batch = 1100;
  await Promise.all(Array.from({ length: batch }, (_, i) => say(alice, `n${i}`)));
  const bob = await signedInClient(t, server.port, 'bob');
  const joined = await bob.request({ type: 'join', group: 'big', since: 0 });
  assert.ok(joined.type === 'joined');
  assert.equal(joined.history.length, 1000);
  assert.equal(joined.history[0]!.seq, 1);
  assert.equal(joined.more, true);
  const rest = await bob.request({ type: 'join', group: 'big', since: 1000 });
  assert.ok(rest.type === 'joined');
  assert.deepEqual(rest.history.map((m) => m.seq), Array.from({ length: 100 }, (_, i) => 1001 + i));
  assert.equal(rest.more, false);
});

test('a reply that would not fit max_frame is cut, with more: true', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0, maxFrame: 2048 } });
  const alice = await signedInClient(t, server.port, 'alice', 'long');
  for (let i = 0; i < 10; i++) await say(alice, `${i}`.padEnd(500, '.'));
  const bob = await signedInClient(t, server.port, 'bob');
  const joined = await bob.request({ type: 'join', group: 'long' });
  assert.ok(joined.type === 'joined');
  assert.ok(joined.history.length > 0 && joined.history.length < 10);
  assert.equal(joined.history.at(-1)!.seq, 10, 'the newest messages are kept');
  assert.equal(joined.more, true);
  const since = await bob.request({ type: 'join', group: 'long', since: 0 });
  assert.ok(since.type === 'joined');
  assert.equal(since.history[0]!.seq, 1, 'forward reading keeps the oldest');
  assert.equal(since.more, true);
});

test('dm reaches every connection of the user, with its seq; no_such_user; a user not connected: stored (no more offline)', async (t) => {
  const server = await startTestServer(t);
  const alice = await signedInClient(t, server.port, 'alice');
  const bob = await signedInClient(t, server.port, 'bob', 'x');
  const bobAgain = await signedInClientLogin(t, server.port, 'bob');
  const ack = await alice.request({ type: 'dm', to: 'BOB', text: 'psst' });
  assert.ok(ack.type === 'ack');
  assert.equal(ack.seq, 1);
  for (const client of [bob, bobAgain]) {
    const dm = await client.next('dm');
    assert.deepEqual({ ...dm, ts: 0 }, { type: 'dm', from: 'alice', to: 'bob', seq: 1, text: 'psst', ts: 0 });
    assert.equal(dm.ts, ack.ts);
  }
  expectError(await alice.request({ type: 'dm', to: 'nobody', text: 'hi' }), 'no_such_user');
  bob.send({ type: 'bye' });
  bobAgain.send({ type: 'bye' });
  await Promise.all([bob.closed, bobAgain.closed]);
  const stored = await alice.request({ type: 'dm', to: 'bob', text: 'hi' });
  assert.ok(stored.type === 'ack' && stored.seq === 2, JSON.stringify(stored));
  expectError(await alice.request({ type: 'dm', to: 'bob', text: '' }), 'bad_message');
});
