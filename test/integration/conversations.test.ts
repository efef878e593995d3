/**
 * Issue 22 item 2 (server): direct messages are stored in conversations
 * (`dm` with `seq`, to an account that is not connected too), delivered to
 * every connection of both sides but the sending one; `conversations`,
 * `dm_history`, `mark_read` with `user`, `block`/`unblock`/`blocked`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { dm, login } from '../helpers/conversations.js';
import { signedInClient, startTestServer } from '../helpers/server.js';
import { expectError, type FrameClient } from '../helpers/wire-client.js';

async function conversations(client: FrameClient, after?: string): Promise<Extract<ServerMessage, { type: 'conversations' }>> {
  const reply = await client.request({ type: 'conversations', ...(after === undefined ? {} : { after }) });
  assert.equal(reply.type, 'conversations', JSON.stringify(reply));
  return reply as Extract<ServerMessage, { type: 'conversations' }>;
}

async function history(client: FrameClient, request: object): Promise<Extract<ServerMessage, { type: 'dm_history' }>> {
  const reply = await client.request({ type: 'dm_history', ...request });
  assert.equal(reply.type, 'dm_history', JSON.stringify(reply));
  return reply as Extract<ServerMessage, { type: 'dm_history' }>;
}

const texts = (reply: { messages: Array<{ seq: number; text: string }> }) => reply.messages.map((m) => `${m.seq}:${m.text}`);

test('a dm to an account that is not connected is stored and acknowledged with its seq; its owner finds it by conversations and dm_history', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const bob = await signedInClient(t, server.port, 'Bob');
  bob.send({ type: 'bye' });
  await bob.closed;
  const alice = await signedInClient(t, server.port, 'alice', 'lobby');
  assert.equal(await dm(alice, 'BOB', 'are you there?'), 1);
  assert.equal(await dm(alice, 'bob', 'second'), 2);
  expectError(await alice.request({ type: 'dm', to: 'nobody', text: 'hi' }), 'no_such_user');
  assert.deepEqual((await conversations(alice)).conversations.map(({ last_ts: _, ...entry }) => entry), [{ user: 'Bob', last_seq: 2, unread: 0 }],
    'the sender has read what it sent');

  const back = await login(t, server.port, 'bob');
  const listed = await conversations(back);
  assert.deepEqual(listed.conversations.map(({ last_ts: _, ...entry }) => entry), [{ user: 'alice', last_seq: 2, unread: 2 }]);
  assert.equal(listed.more, undefined);
  assert.ok(listed.conversations[0]!.last_ts > 0);
  const found = await history(back, { user: 'ALICE' });
  assert.deepEqual({ ...found, messages: found.messages.map(({ ts: _, ...m }) => m) }, {
    type: 'dm_history', id: found.id, user: 'alice', more: false, messages: [
      { from: 'alice', to: 'Bob', seq: 1, text: 'are you there?' }, { from: 'alice', to: 'Bob', seq: 2, text: 'second' },
    ],
  });
  // mark_read with user: forward only, clamped; unread counts the other side's messages after it.
  assert.equal((await back.request({ type: 'mark_read', user: 'alice', seq: 1 })).type, 'ok');
  assert.equal((await conversations(back)).conversations[0]?.unread, 1);
  assert.equal((await back.request({ type: 'mark_read', user: 'alice', seq: 0 })).type, 'ok');
  assert.equal((await conversations(back)).conversations[0]?.unread, 1, 'never back');
  expectError(await back.request({ type: 'mark_read', user: 'nobody', seq: 1 }), 'no_such_user');
  expectError(await back.request({ type: 'mark_read', user: 'alice', group: 'lobby', seq: 1 }), 'bad_message');
  // Replying moves bob's own marker to his message: nothing unread for him, one for alice.
  assert.equal(await dm(back, 'alice', 'here now'), 3);
  assert.equal((await conversations(back)).conversations[0]?.unread, 0);
  assert.equal((await conversations(alice)).conversations[0]?.unread, 1);
  assert.equal((await alice.next('dm')).seq, 3, 'delivered live, with its seq');
  // The group's read markers are untouched by all this.
  assert.equal((await alice.request({ type: 'mark_read', group: 'lobby', seq: 0 })).type, 'ok');
});

test('a dm goes to every connection of the recipient and to the sender\'s other connections, once each, not back to the sending one (unless to itself)', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const alice = await signedInClient(t, server.port, 'alice');
  const alicePhone = await login(t, server.port, 'alice');
  const bob = await signedInClient(t, server.port, 'bob', 'ops');
  const bobPhone = await login(t, server.port, 'bob');
  const carol = await signedInClient(t, server.port, 'carol');
  const seq = await dm(alice, 'bob', 'hello');
  for (const client of [bob, bobPhone, alicePhone]) {
    const got = await client.next('dm');
    assert.deepEqual({ ...got, ts: 0 }, { type: 'dm', from: 'alice', to: 'bob', seq, text: 'hello', ts: 0 });
  }
  // Writing to oneself is a conversation too: every connection of the recipient sees it once, the sending one included.
  assert.equal(await dm(alice, 'ALICE', 'note to self'), 1);
  for (const client of [alice, alicePhone]) {
    assert.deepEqual({ ...(await client.next('dm')), ts: 0 }, { type: 'dm', from: 'alice', to: 'alice', seq: 1, text: 'note to self', ts: 0 });
  }
  for (const client of [alice, alicePhone, bob, bobPhone, carol]) await client.sync();
  assert.deepEqual([alice, alicePhone, bob, bobPhone, carol].map((client) => client.take('dm').length), [0, 0, 0, 0, 0], 'nothing more, nowhere else');
  const own = await conversations(alicePhone);
  assert.deepEqual(own.conversations.map((entry) => [entry.user, entry.last_seq, entry.unread]), [['alice', 1, 0], ['bob', 1, 0]]);
});

test('block: the blocked user\'s dm gets blocked and is neither stored nor delivered; earlier messages stay; unblock; blocked lists', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const alice = await signedInClient(t, server.port, 'alice');
  const bob = await signedInClient(t, server.port, 'Bob');
  await signedInClient(t, server.port, 'carol');
  assert.equal(await dm(alice, 'bob', 'before'), 1);
  await bob.next('dm');
  assert.equal((await bob.request({ type: 'block', user: 'ALICE' })).type, 'ok');
  assert.equal((await bob.request({ type: 'block', user: 'alice' })).type, 'ok', 'again: still ok');
  assert.equal((await bob.request({ type: 'block', user: 'carol' })).type, 'ok');
  expectError(await bob.request({ type: 'block', user: 'nobody' }), 'no_such_user');
  expectError(await bob.request({ type: 'block', user: 'bob' }), 'bad_message');
  const listed = await bob.request({ type: 'blocked' });
  assert.deepEqual({ ...listed, id: 0 }, { type: 'blocked', users: ['alice', 'carol'], id: 0 });
  assert.deepEqual(await bob.request({ type: 'blocked', after: 'alice' }).then((r) => r.type === 'blocked' && r.users), ['carol']);
  expectError(await alice.request({ type: 'dm', to: 'bob', text: 'let me in' }), 'blocked');
  // Bob may still write to alice.
  assert.equal(await dm(bob, 'alice', 'one way'), 2);
  await bob.sync();
  assert.equal(bob.take('dm').length, 0, 'the refused one never arrived');
  assert.deepEqual(texts(await history(bob, { user: 'alice' })), ['1:before', '2:one way'], 'earlier messages stay; the refused one was not stored');
  assert.deepEqual(await alice.request({ type: 'blocked' }).then((r) => r.type === 'blocked' && r.users), [], 'each account sees only its own list');
  assert.equal((await bob.request({ type: 'unblock', user: 'alice' })).type, 'ok');
  assert.equal((await bob.request({ type: 'unblock', user: 'alice' })).type, 'ok');
  assert.equal(await dm(alice, 'bob', 'thanks'), 3);
  assert.deepEqual(await bob.request({ type: 'blocked' }).then((r) => r.type === 'blocked' && r.users), ['carol']);
});

test('dm_history pages by before and since, with more; limit 1..200; before and since together are bad_message', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const alice = await signedInClient(t, server.port, 'alice');
  await signedInClient(t, server.port, 'bob');
  for (let i = 1; i <= 60; i++) await dm(alice, 'bob', `m${i}`);
  const latest = await history(alice, { user: 'bob' });
  assert.deepEqual([latest.messages.length, latest.messages[0]?.seq, latest.messages.at(-1)?.seq, latest.more], [50, 11, 60, true], 'default: the newest 50');
  const older = await history(alice, { user: 'bob', before: 11 });
  assert.deepEqual([older.messages.map((m) => m.seq), older.more], [Array.from({ length: 10 }, (_, i) => i + 1), false]);
  const since = await history(alice, { user: 'bob', since: 55 });
  assert.deepEqual([texts(since), since.more], [['56:m56', '57:m57', '58:m58', '59:m59', '60:m60'], false]);
  const sinceLimited = await history(alice, { user: 'bob', since: 0, limit: 3 });
  assert.deepEqual([sinceLimited.messages.map((m) => m.seq), sinceLimited.more], [[1, 2, 3], true]);
  assert.equal((await history(alice, { user: 'bob', since: 0 })).messages.length, 60, 'since: up to 1000');
  expectError(await alice.request({ type: 'dm_history', user: 'nobody' }), 'no_such_user');
  expectError(await alice.request({ type: 'dm_history', user: 'bob', before: 5, since: 1 }), 'bad_message');
  expectError(await alice.request({ type: 'dm_history', user: 'bob', limit: 201 }), 'bad_message');
  expectError(await alice.request({ type: 'dm_history', user: 'bob', limit: 0 }), 'bad_message');
  assert.deepEqual(texts(await history(alice, { user: 'alice' })), [], 'a conversation with nothing in it');
});

test('conversations pages by user name: cut to fit max_frame with more, the rest after the last name; sorted without regard to case', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0, maxFrame: 1024 } });
  const alice = await signedInClient(t, server.port, 'alice');
  const names = Array.from({ length: 30 }, (_, i) => `${i % 2 === 0 ? 'P' : 'p'}eer${String(i).padStart(2, '0')}_with_a_long_name`);
  for (const name of names) {
    const peer = await signedInClient(t, server.port, name);
    await dm(peer, 'alice', 'hi');
    peer.destroy();
  }
  const seen: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 30; pages++) {
    const page = await conversations(alice, after);
    seen.push(...page.conversations.map((entry) => entry.user));
    assert.ok(page.conversations.every((entry) => entry.unread === 1 && entry.last_seq === 1));
    if (page.more !== true) break;
    after = page.conversations.at(-1)!.user;
  }
  assert.deepEqual(seen, names, 'every one once, in name-key order');
  assert.ok((await conversations(alice)).more, 'the first page was cut');
});

test('the rate limit covers dm as say: a burst past it is rate_limited and not stored', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 1 } });
  const alice = await signedInClient(t, server.port, 'alice');
  await signedInClient(t, server.port, 'bob');
  const replies = await Promise.all(Array.from({ length: 4 }, (_, i) => alice.request({ type: 'dm', to: 'bob', text: `burst ${i}` })));
  const acked = replies.filter((reply) => reply.type === 'ack').length;
  assert.equal(acked, 2, 'a burst of twice the rate');
  for (const reply of replies.filter((r) => r.type !== 'ack')) expectError(reply, 'rate_limited');
  const stored = await history(alice, { user: 'bob' });
  assert.deepEqual(stored.messages.map((m) => m.seq), [1, 2], 'the refused ones were not stored');
});
