/**
 * The January contract (shared protocol.md, "Conversations: direct messages
 * are stored"), tested from the wire alone the way an outside suite would:
 * stored and acknowledged dms with per-conversation seqs, who gets each `dm`,
 * `conversations`, `dm_history`, `mark_read` with `user`, blocking, bad fields.
 * Absence is proved by a later marker (a ping round trip), never a timeout.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { dm, login } from '../helpers/conversations.js';
import { signedInClient, signIn, startTestServer } from '../helpers/server.js';
import { expectError, type ServerMessage, WireClient } from '../helpers/wire-client.js';

type Dm = Extract<ServerMessage, { type: 'dm' }>;

async function world<N extends string>(t: TestContext, names: readonly N[]) {
  const server = await startTestServer(t, { limits: { rateLimit: 1000 } });
  const clients = {} as Record<N, WireClient>;
  for (const name of names) clients[name] = await signedInClient(t, server.port, name);
  return { port: server.port, clients };
}


async function conversations(client: WireClient, after?: string) {
  const reply = await client.request({ type: 'conversations', ...(after === undefined ? {} : { after }) });
  if (reply.type !== 'conversations') throw new Error(`conversations: ${JSON.stringify(reply)}`);
  return reply;
}

async function unreadWith(client: WireClient, user: string): Promise<number | undefined> {
  return (await conversations(client)).conversations.find((c) => c.user === user)?.unread;
}

async function dmHistory(client: WireClient, request: object) {
  const reply = await client.request({ type: 'dm_history', ...request });
  if (reply.type !== 'dm_history') throw new Error(`dm_history: ${JSON.stringify(reply)}`);
  return reply;
}

/** The dms the client has received so far (a ping round trip proves nothing else is on its way). */
async function dmsReceived(client: WireClient): Promise<Dm[]> {
  await client.sync();
  return client.take('dm');
}

test('a dm to an existing account that is not connected is stored and acknowledged with seq; the recipient finds it later', async (t) => {
  const { port, clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  bob.destroy();
  await bob.closed;
  assert.equal(await dm(alice, 'bob', 'while you were away'), 1);
  const later = await login(t, port, 'bob');
  const page = await conversations(later);
  assert.equal(page.conversations.length, 1);
  assert.deepEqual({ ...page.conversations[0]!, last_ts: 0 }, { user: 'alice', last_seq: 1, last_ts: 0, unread: 1 });
  const history = await dmHistory(later, { user: 'alice' });
  assert.deepEqual(history.messages.map(({ from, to, seq, text }) => ({ from, to, seq, text })), [{ from: 'alice', to: 'bob', seq: 1, text: 'while you were away' }]);
  assert.equal(history.more, false);
  expectError(await alice.request({ type: 'dm', to: 'nobody', text: 'hi' }), 'no_such_user');
});

test('each conversation counts its own seq from 1 without gaps, both directions sharing it; writing to oneself is a conversation too', async (t) => {
  const { clients: { alice, bob } } = await world(t, ['alice', 'bob', 'carol']);
  assert.equal(await dm(alice, 'bob', 'a1'), 1);
  assert.equal(await dm(bob, 'alice', 'b2'), 2);
  assert.equal(await dm(alice, 'carol', 'c1'), 1);
  assert.equal(await dm(alice, 'bob', 'a3'), 3);
  assert.equal(await dm(alice, 'alice', 'note 1'), 1);
  assert.equal(await dm(alice, 'ALICE', 'note 2'), 2);
  // The sender is the recipient: its sending connection is one of the recipient's connections.
  assert.deepEqual((await dmsReceived(alice)).filter((m) => m.from === 'alice' && m.to === 'alice').map((m) => m.seq), [1, 2]);
  assert.deepEqual((await dmHistory(bob, { user: 'alice' })).messages.map((m) => [m.seq, m.from, m.text]), [[1, 'alice', 'a1'], [2, 'bob', 'b2'], [3, 'alice', 'a3']]);
  assert.deepEqual((await dmHistory(alice, { user: 'alice' })).messages.map((m) => [m.seq, m.from, m.to, m.text]), [[1, 'alice', 'alice', 'note 1'], [2, 'alice', 'alice', 'note 2']]);
  assert.deepEqual((await conversations(alice)).conversations.map(({ user, last_seq, unread }) => [user, last_seq, unread]),
    [['alice', 2, 0], ['bob', 3, 0], ['carol', 1, 0]], 'its own conversation is listed, with nothing unread');
});

test('both sides writing at once: the acks of one conversation hold every seq from 1 once, with no gap', async (t) => {
  const { port, clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  const bob2 = await login(t, port, 'bob');
  const sends = [alice, bob, bob2].flatMap((client, index) => Array.from({ length: 100 }, (_, i) => dm(client, index === 0 ? 'bob' : 'alice', `${index}:${i}`)));
  const seqs = (await Promise.all(sends)).sort((x, y) => x - y);
  assert.deepEqual(seqs, Array.from({ length: 300 }, (_, i) => i + 1));
  assert.equal((await dmHistory(alice, { user: 'bob', since: 0 })).messages.length, 300);
});

test('a dm goes to every connection of the recipient and to the sender\'s other connections, in GROUP_SELECT and CHAT, not to the sending one', async (t) => {
  const { port, clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  const alice2 = await login(t, port, 'alice');
  const bob2 = await login(t, port, 'bob');
  assert.equal((await bob2.request({ type: 'create_group', group: 'room' })).type, 'group_created');
  assert.equal((await bob2.request({ type: 'join', group: 'room' })).type, 'joined');
  const seq = await dm(alice, 'bob', 'to all of you');
  for (const connection of [bob, bob2, alice2]) {
    const got = await connection.next('dm');
    assert.deepEqual({ ...got, ts: 0 }, { type: 'dm', from: 'alice', to: 'bob', seq, text: 'to all of you', ts: 0 });
  }
  assert.deepEqual(await dmsReceived(alice), [], 'the sending connection has the ack');
  // A dm sent without id: nothing comes back to the sending connection, the others get it.
  alice.send({ type: 'dm', to: 'bob', text: 'no id' });
  assert.equal((await bob.next('dm')).seq, seq + 1);
  assert.equal((await alice2.next('dm')).seq, seq + 1);
  assert.deepEqual(await dmsReceived(alice), []);
});

test('conversations: sorted by user name, after pages past a name, unread from the other side', async (t) => {
  const { clients: { alice, bob, carol, erin } } = await world(t, ['alice', 'bob', 'carol', 'dave', 'erin']);
  await dm(erin, 'alice', 'e1');
  await dm(bob, 'alice', 'b1');
  await dm(bob, 'alice', 'b2');
  await dm(alice, 'dave', 'd1');
  await dm(carol, 'alice', 'c1');
  const page = await conversations(alice);
  assert.deepEqual(page.conversations.map(({ user, last_seq, unread }) => ({ user, last_seq, unread })), [
    { user: 'bob', last_seq: 2, unread: 2 },
    { user: 'carol', last_seq: 1, unread: 1 },
    { user: 'dave', last_seq: 1, unread: 0 },
    { user: 'erin', last_seq: 1, unread: 1 },
  ]);
  assert.notEqual(page.more, true);
  for (const c of page.conversations) assert.equal(typeof c.last_ts, 'number');
  assert.deepEqual((await conversations(alice, 'carol')).conversations.map((c) => c.user), ['dave', 'erin']);
  assert.deepEqual((await conversations(alice, 'CAROL')).conversations.map((c) => c.user), ['dave', 'erin'], 'names are unique without regard to case');
  assert.deepEqual((await conversations(alice, 'erin')).conversations, []);
});

test('dm_history: before, since, limit, more, and no_such_user', async (t) => {
  const { clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  for (let i = 1; i <= 6; i++) await dm(i % 2 === 1 ? alice : bob, i % 2 === 1 ? 'bob' : 'alice', `m${i}`);
  const seqs = (reply: { messages: Array<{ seq: number }> }) => reply.messages.map((m) => m.seq);
  const all = await dmHistory(alice, { user: 'bob' });
  assert.deepEqual([all.user, seqs(all), all.more], ['bob', [1, 2, 3, 4, 5, 6], false]);
  const newest = await dmHistory(alice, { user: 'bob', limit: 2 });
  assert.deepEqual([seqs(newest), newest.more], [[5, 6], true]);
  const older = await dmHistory(alice, { user: 'bob', before: 5, limit: 2 });
  assert.deepEqual([seqs(older), older.more], [[3, 4], true]);
  const oldest = await dmHistory(alice, { user: 'bob', before: 3 });
  assert.deepEqual([seqs(oldest), oldest.more], [[1, 2], false]);
  const after = await dmHistory(bob, { user: 'alice', since: 4 });
  assert.deepEqual([after.user, seqs(after), after.more], ['alice', [5, 6], false]);
  const m = after.messages[0]!;
  assert.deepEqual({ ...m, ts: 0 }, { from: 'alice', to: 'bob', seq: 5, text: 'm5', ts: 0 });
  assert.deepEqual(seqs(await dmHistory(alice, { user: 'bob', limit: 200 })), [1, 2, 3, 4, 5, 6]);
  expectError(await alice.request({ type: 'dm_history', user: 'nobody' }), 'no_such_user');
});

test('dm_history with since holds at most 1000 messages, the oldest after since, with more', async (t) => {
  const { clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  for (let i = 1; i <= 1001; i++) alice.send({ type: 'dm', to: 'bob', text: `m${i}` });
  assert.equal(await dm(alice, 'bob', 'last'), 1002);
  const page = await dmHistory(bob, { user: 'alice', since: 0 });
  assert.deepEqual([page.messages.length, page.messages[0]?.seq, page.messages.at(-1)?.seq, page.more], [1000, 1, 1000, true]);
  const rest = await dmHistory(bob, { user: 'alice', since: 1000 });
  assert.deepEqual([rest.messages.map((m) => m.seq), rest.more], [[1001, 1002], false]);
});

test('a dm_history that would not fit in max_frame is cut to fit, with more: true', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const maxFrame = 65_536; // the default the server announces; this client refuses any longer frame
  const connect = async (user: string) => {
    const client = await WireClient.connect(t, server.port, { maxFrame });
    assert.equal((await client.next('welcome')).max_frame, maxFrame);
    return signIn(client, user);
  };
  const alice = await connect('alice');
  const bob = await connect('bob');
  const long = 'é'.repeat(2048); // 4096 bytes: 40 of them are far over max_frame
  for (let i = 0; i < 40; i++) alice.send({ type: 'dm', to: 'bob', text: long });
  await alice.sync();
  for (const request of [{ user: 'alice', limit: 200 }, { user: 'alice', since: 0 }]) {
    const page = await dmHistory(bob, request);
    assert.ok(page.messages.length > 0 && page.messages.length < 40, `${page.messages.length} messages`);
    assert.equal(page.more, true);
  }
});

test('names are shown as first written: from, to, user in dm, dm_history, conversations, message_deleted and blocked', async (t) => {
  const { clients: { Alice, BoB } } = await world(t, ['Alice', 'BoB']);
  assert.equal(await dm(Alice, 'bob', 'hi'), 1);
  assert.deepEqual([(await BoB.next('dm')).from, 'Alice'], ['Alice', 'Alice']);
  const history = await dmHistory(Alice, { user: 'BOB' });
  assert.deepEqual([history.user, history.messages[0]?.from, history.messages[0]?.to], ['BoB', 'Alice', 'BoB']);
  assert.equal((await conversations(Alice)).conversations[0]?.user, 'BoB');
  assert.equal((await Alice.request({ type: 'delete_message', user: 'bob', seq: 1 })).type, 'ok');
  assert.deepEqual(await BoB.next('message_deleted'), { type: 'message_deleted', user: 'Alice', seq: 1, by: 'Alice' });
  assert.equal((await Alice.request({ type: 'block', user: 'BOB' })).type, 'ok');
  const list = await Alice.request({ type: 'blocked' });
  assert.deepEqual(list.type === 'blocked' && list.users, ['BoB']);
});

test('dm_history: limit outside 1..200 and fields of the wrong kind get bad_message; the connection stays open', async (t) => {
  const { clients: { alice } } = await world(t, ['alice', 'bob']);
  for (const request of [
    { user: 'bob', limit: 0 },
    { user: 'bob', limit: 201 },
    { user: 'bob', before: -1 },
    { user: 'bob', since: 'x' },
    { user: 5 },
    {},
  ]) expectError(await alice.request({ type: 'dm_history', ...request }), 'bad_message');
  await alice.sync();
});

test('mark_read with user: forward only; unread counts only the other side; sending moves the sender\'s own marker to its message', async (t) => {
  const { clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  for (const text of ['b1', 'b2', 'b3']) await dm(bob, 'alice', text);
  assert.equal(await unreadWith(alice, 'bob'), 3);
  assert.equal(await unreadWith(bob, 'alice'), 0, 'its own messages are never unread');
  assert.equal((await alice.request({ type: 'mark_read', user: 'bob', seq: 2 })).type, 'ok');
  assert.equal(await unreadWith(alice, 'bob'), 1);
  assert.equal((await alice.request({ type: 'mark_read', user: 'bob', seq: 1 })).type, 'ok');
  assert.equal(await unreadWith(alice, 'bob'), 1, 'never back');
  assert.equal(await dm(alice, 'bob', 'a4'), 4);
  assert.equal(await unreadWith(alice, 'bob'), 0, 'the sender\'s marker moved to its message');
  assert.equal(await unreadWith(bob, 'alice'), 1);
  await dm(alice, 'bob', 'a5');
  assert.equal(await unreadWith(bob, 'alice'), 2);
  assert.equal((await bob.request({ type: 'mark_read', user: 'alice', seq: 5 })).type, 'ok');
  assert.equal(await unreadWith(bob, 'alice'), 0);
});

test('mark_read replies only when the request has an id, with user as with group', async (t) => {
  const { clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  assert.equal((await alice.request({ type: 'create_group', group: 'room' })).type, 'group_created');
  assert.equal((await alice.request({ type: 'join', group: 'room' })).type, 'joined');
  await dm(bob, 'alice', 'b1');
  await dmsReceived(alice);
  alice.send({ type: 'mark_read', user: 'bob', seq: 1 });
  alice.send({ type: 'mark_read', group: 'room', seq: 0 });
  await alice.sync();
  assert.deepEqual(alice.inbox, [], 'no ok for a request without id');
  assert.equal(await unreadWith(alice, 'bob'), 0, 'the marker moved all the same');
});

test('mark_read: user and group both or neither, or seq of the wrong kind, get bad_message; the connection stays open', async (t) => {
  const { clients: { alice } } = await world(t, ['alice', 'bob']);
  await dm(alice, 'bob', 'x');
  for (const request of [
    { user: 'bob', group: 'room', seq: 1 },
    { seq: 1 },
    { user: 'bob', seq: -1 },
    { user: 'bob', seq: 'one' },
    { user: 5, seq: 1 },
  ]) expectError(await alice.request({ type: 'mark_read', ...request }), 'bad_message');
  await alice.sync();
});

test('block: the blocked user\'s dm gets blocked and is neither stored nor delivered; earlier messages stay; unblock restores it', async (t) => {
  const { port, clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  const bob2 = await login(t, port, 'bob');
  await dm(bob, 'alice', 'before the block');
  await alice.next('dm');
  await dmsReceived(bob2);
  assert.equal((await alice.request({ type: 'block', user: 'BOB' })).type, 'ok');
  const list = await alice.request({ type: 'blocked' });
  assert.deepEqual(list.type === 'blocked' && list.users, ['bob']);
  expectError(await bob.request({ type: 'dm', to: 'alice', text: 'let me in' }), 'blocked');
  assert.deepEqual(await dmsReceived(alice), [], 'not delivered');
  assert.deepEqual(await dmsReceived(bob2), [], 'not to the sender\'s other connections either');
  const history = await dmHistory(alice, { user: 'bob' });
  assert.deepEqual(history.messages.map((m) => m.text), ['before the block'], 'not stored; the earlier one stays');
  assert.equal((await conversations(bob)).conversations[0]?.last_seq, 1);
  assert.equal((await alice.request({ type: 'unblock', user: 'bob' })).type, 'ok');
  const emptied = await alice.request({ type: 'blocked' });
  assert.deepEqual(emptied.type === 'blocked' && emptied.users, []);
  assert.equal(await dm(bob, 'alice', 'again'), 2, 'no gap left by the refused one');
  assert.equal((await alice.next('dm')).text, 'again');
  expectError(await alice.request({ type: 'block', user: 'nobody' }), 'no_such_user');
  expectError(await alice.request({ type: 'unblock', user: 'nobody' }), 'no_such_user');
});

test('the January requests are allowed in GROUP_SELECT and CHAT; in AUTH they get wrong_state', async (t) => {
  const { port, clients: { alice } } = await world(t, ['alice', 'bob']);
  const requests = [
    { type: 'conversations' }, { type: 'dm_history', user: 'bob' }, { type: 'blocked' }, { type: 'block', user: 'bob' },
    { type: 'unblock', user: 'bob' }, { type: 'mark_read', user: 'bob', seq: 0 }, { type: 'delete_message', user: 'bob', seq: 1 },
    { type: 'notice', text: 'hi' }, { type: 'join', group: 'room', keep: true },
  ];
  const anonymous = await WireClient.connect(t, port);
  await anonymous.next('welcome');
  for (const request of requests) expectError(await anonymous.request(request), 'wrong_state');
  assert.equal((await alice.request({ type: 'create_group', group: 'room' })).type, 'group_created');
  assert.equal((await alice.request({ type: 'join', group: 'room' })).type, 'joined');
  const outcomes = [];
  for (const request of requests) {
    const reply = await alice.request(request);
    outcomes.push(reply.type === 'error' ? reply.code : reply.type);
  }
  // In CHAT each is answered as in GROUP_SELECT (no message 1 to remove; alice is no admin).
  assert.deepEqual(outcomes, ['conversations', 'dm_history', 'blocked', 'ok', 'ok', 'ok', 'no_such_message', 'not_allowed', 'joined']);
});
