/**
 * The same store semantics on both backends: one suite, run against SQLite
 * and against Redis (skipped, and said so, where redis-server is missing).
 * Cases that only one backend has (SQLite's batching, file modes, reopening
 * and crash safety; Redis's legacy data) stay in their own files.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { DELETED_TEXT } from '../../src/protocol/messages.js';
import { RedisStore } from '../../src/store/redis.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { tempDir } from '../helpers/server.js';

interface Backend {
  name: string;
  /** A fresh, empty store, closed after the test. */
  open(t: TestContext): Promise<Store>;
  skip: false | string;
}

const sqlite: Backend = { name: 'SQLite', open: async (t) => SqliteStore.open(tempDir(t)), skip: false };
const redis: Backend = {
  name: 'Redis', open: async (t) => RedisStore.connect((await startRedis(t)).url, () => undefined),
  skip: hasRedis() ? false : 'redis-server is not installed',
};

const CAPS = { maxGroups: 100, maxOwned: 100 };
const NOW = Date.now();
const OLD = NOW - 10_000;
const HOUR = 3_600_000;

async function messages(store: Store, group: string, stamps: number[]): Promise<void> {
  for (const ts of stamps) await store.groups.appendMessage({ group, from: 'alice', text: String(ts), ts, origin: '' });
}

async function keptSeqs(store: Store, group: string): Promise<number[]> {
  return (await store.groups.messagesSince(group, 0, 1000)).messages.map((message) => message.seq);
}

const say = (group: string, text: string, from = 'alice') => ({ group, from, text, ts: Date.now(), origin: 'test:1' });

/** Owner, topic, private, moderators, invitations, bans and deletion (issue 11). */
async function moderationSemantics(store: Store): Promise<void> {
  assert.equal((await store.groups.createOwnedGroup('Pub', 'Olga', CAPS)).kind, 'created');
  assert.equal((await store.groups.createOwnedGroup('Sec', 'olga', CAPS, { private: true })).kind, 'created');
  assert.deepEqual(await store.moderation.groupSettings('PUB'), { name: 'Pub', ownerKey: 'olga', topic: '', private: false });
  assert.deepEqual(await store.moderation.groupSettings('sec'), { name: 'Sec', ownerKey: 'olga', topic: '', private: true });
  assert.equal(await store.moderation.groupSettings('none'), undefined);
  assert.deepEqual((await store.moderation.listGroupSettings()).map((g) => [g.name, g.private]), [['Pub', false], ['Sec', true]]);

  assert.equal(await store.moderation.setTopic('PUB', 'hello there'), true);
  assert.equal((await store.moderation.groupSettings('pub'))?.topic, 'hello there');
  assert.equal(await store.moderation.setTopic('pub', ''), true);
  assert.equal((await store.moderation.groupSettings('pub'))?.topic, '');
  // Every setter says false for a group that does not exist, and leaves nothing behind.
  assert.deepEqual([
    await store.moderation.setTopic('none', 'x'), await store.moderation.setModerator('none', 'mo', true), await store.moderation.setInvited('none', 'mo', true),
    await store.moderation.setBan('none', 'mo', { reason: '', by: 'olga', at: 1 }),
  ], [false, false, false, false]);
  assert.deepEqual(await store.moderation.standing('none', 'mo'), { moderator: false, invited: false });

  assert.equal(await store.moderation.setModerator('sec', 'Mo', true), true);
  assert.equal(await store.moderation.setInvited('SEC', 'Inv', true), true);
  assert.deepEqual(await store.moderation.standing('Sec', 'MO'), { moderator: true, invited: false });
  assert.deepEqual(await store.moderation.standing('sec', 'inv'), { moderator: false, invited: true });
  // Batched, for `who`'s roles: the moderators among the names given (any case), keyed; none for an empty list or another group.
  assert.deepEqual([...await store.moderation.moderatorsAmong('SEC', ['MO', 'inv', 'olga', 'nobody'])], ['mo']);
  assert.deepEqual([...await store.moderation.moderatorsAmong('pub', ['mo'])], []);
  assert.deepEqual([...await store.moderation.moderatorsAmong('sec', [])], []);
  assert.deepEqual([...await store.moderation.privateGroupsOpenTo('mo')], ['sec']);
  assert.deepEqual([...await store.moderation.privateGroupsOpenTo('INV')], ['sec']);
  assert.deepEqual([...await store.moderation.privateGroupsOpenTo('olga')], []); // its own are known by ownerKey
  assert.equal(await store.moderation.setInvited('sec', 'inv', false), true);
  assert.deepEqual([...await store.moderation.privateGroupsOpenTo('inv')], []);

  const ban = { reason: 'spam', by: 'olga', at: 1234 };
  assert.equal(await store.moderation.setBan('sec', 'Bad', ban), true);
  assert.deepEqual(await store.moderation.standing('sec', 'bad'), { moderator: false, invited: false, ban });
  assert.equal(await store.moderation.setBan('sec', 'bad', undefined), true);
  assert.deepEqual(await store.moderation.standing('sec', 'bad'), { moderator: false, invited: false });
  await store.moderation.setBan('sec', 'bad', ban);

  assert.deepEqual((await store.groups.groupReports()).map((g) => [g.name, g.private]), [['Pub', false], ['Sec', true]]);
  await store.groups.appendMessage({ group: 'sec', from: 'olga', text: 'hi', ts: 1, origin: '' });

  assert.equal(await store.moderation.deleteGroup('SEC', 'olga'), 'Sec');
  assert.equal(await store.moderation.deleteGroup('sec', 'olga'), undefined);
  assert.equal(await store.moderation.groupSettings('sec'), undefined);
  assert.equal(await store.groups.findGroup('sec'), undefined);
  assert.deepEqual(await store.moderation.standing('sec', 'mo'), { moderator: false, invited: false });
  assert.deepEqual(await store.moderation.standing('sec', 'bad'), { moderator: false, invited: false });
  assert.deepEqual([...await store.moderation.privateGroupsOpenTo('mo')], []);
  assert.equal(await store.groups.countOwnedGroups('olga'), 1);
  await assert.rejects(store.groups.appendMessage({ group: 'sec', from: 'olga', text: 'late', ts: 2, origin: '' }), { code: 'no_such_group' });

  // The name is free; the new group starts empty and public.
  assert.equal((await store.groups.createOwnedGroup('sec', 'mo', CAPS)).kind, 'created');
  assert.deepEqual(await store.moderation.groupSettings('sec'), { name: 'sec', ownerKey: 'mo', topic: '', private: false });
  assert.deepEqual(await store.groups.messagesSince('sec', 0, 10), { messages: [], more: false });
  assert.equal((await store.groups.appendMessage({ group: 'sec', from: 'mo', text: 'new', ts: 3, origin: '' })).seq, 1);
}

/** Markers go with a deletion, a ban or a drop; a join makes none for a missing group or a banned account. */
async function markerSemantics(store: Store): Promise<void> {
  assert.equal((await store.groups.createOwnedGroup('Lobby', 'olga', CAPS)).kind, 'created');
  for (const user of ['alice', 'Bob', 'carol']) assert.equal(await store.markers.recordJoin(user, 'lobby', 0), 0);
  assert.equal(await store.markers.recordJoin('alice', 'other', 0), 0);
  assert.equal(await store.markers.readMarker('alice', 'other'), undefined, 'no marker for a group that does not exist');
  assert.equal(await store.groups.createOwnedGroup('other', 'olga', CAPS).then((o) => o.kind), 'created');
  assert.equal(await store.markers.recordJoin('alice', 'OTHER', 3), 3);
  assert.equal(await store.moderation.setBan('lobby', 'dave', { reason: '', by: 'olga', at: 1 }), true);
  await store.markers.recordJoin('dave', 'lobby', 0);
  assert.equal(await store.markers.readMarker('dave', 'lobby'), undefined, 'no marker for a banned account');
  await store.markers.dropMarker('CAROL', 'LOBBY');
  assert.equal(await store.markers.readMarker('carol', 'lobby'), undefined);
  assert.equal(await store.moderation.deleteGroup('LOBBY', 'olga'), 'Lobby');
  for (const user of ['alice', 'bob', 'carol']) assert.equal(await store.markers.readMarker(user, 'lobby'), undefined, user);
  assert.deepEqual([...(await store.markers.readMarkers('alice'))], [['other', 3]], 'other groups keep theirs');
  assert.equal((await store.groups.createOwnedGroup('lobby', 'bob', CAPS)).kind, 'created');
  assert.equal(await store.markers.markRead('bob', 'lobby', 0), false, 'made again: nobody has a marker');
  assert.equal(await store.markers.recordJoin('bob', 'lobby', 0), 0);
  assert.equal(await store.markers.markRead('bob', 'lobby', 0), true);
}

/** Removing a message (issue 22): the tombstone in place, a second removal, missing seqs and groups, retention and appends around it. */
async function deletionSemantics(store: Store): Promise<void> {
  assert.equal((await store.groups.createOwnedGroup('Lobby', 'olga', CAPS)).kind, 'created');
  const texts = ['first', 'd\u00e9j\u00e0 \"vu\"\tand\nmore \u{1f600}', DELETED_TEXT];
  const stored = [];
  for (const text of texts) stored.push(await store.groups.appendMessage(say('Lobby', text)));
  assert.deepEqual(await store.deletions.findMessage('LOBBY', 2), stored[1]);
  for (const [group, seq] of [['lobby', 0], ['lobby', 4], ['nowhere', 1]] as const) {
    assert.equal(await store.deletions.findMessage(group, seq), undefined, `${group} ${seq}`);
    assert.deepEqual(await store.deletions.deleteMessage(group, seq, { by: 'mo', ts: 1 }), { kind: 'missing' }, `${group} ${seq}`);
  }
  const tombstone = { ...stored[1]!, text: DELETED_TEXT, deleted: { by: 'Mo', ts: 5 } };
  assert.deepEqual(await store.deletions.deleteMessage('lobby', 2, { by: 'Mo', ts: 5 }), { kind: 'deleted', message: tombstone });
  assert.deepEqual(await store.deletions.deleteMessage('LOBBY', 2, { by: 'olga', ts: 9 }), { kind: 'already', message: tombstone }, 'the first removal stays');
  assert.deepEqual(await store.deletions.findMessage('lobby', 2), tombstone);
  assert.deepEqual((await store.groups.messagesSince('lobby', 0, 10)).messages, [stored[0], tombstone, stored[2]], 'in place; the others untouched');
  assert.deepEqual((await store.groups.messagesBefore('lobby', undefined, 2)).messages, [tombstone, stored[2]]);
  assert.equal((await store.deletions.findMessage('lobby', 3))?.deleted, undefined, 'a text that reads like a tombstone is not one');

  // An append not yet settled is found (SQLite commits its batch first; Redis runs commands in order).
  const appending = store.groups.appendMessage(say('lobby', 'just now'));
  assert.equal((await store.deletions.deleteMessage('lobby', 4, { by: 'alice', ts: 6 })).kind, 'deleted');
  assert.equal((await appending).seq, 4);
  assert.equal((await store.groups.appendMessage(say('lobby', 'next'))).seq, 5, 'the seq counter is untouched');

  assert.equal(await store.retention.pruneMessages('lobby', { maxAgeMs: 0, maxMessages: 3 }, Date.now(), 10), 2, 'a tombstone goes with retention as any message');
  assert.deepEqual(await store.deletions.deleteMessage('lobby', 2, { by: 'mo', ts: 7 }), { kind: 'missing' });
  assert.equal(await store.moderation.deleteGroup('lobby', 'olga'), 'Lobby');
  assert.deepEqual(await store.deletions.deleteMessage('lobby', 4, { by: 'mo', ts: 8 }), { kind: 'missing' });
  assert.equal(await store.deletions.findMessage('lobby', 5), undefined);
}

const direct = (from: string, to: string, text: string, ts = NOW) => ({ from, to, text, ts });

/** Removing a direct message (issue 22): the tombstone in place in the conversation, once; seqs and unread counts stay. */
async function directDeletionSemantics(store: Store): Promise<void> {
  const { conversations, deletions } = store;
  const sent = [];
  for (const [from, to, text] of [['Alice', 'Bob', 'one'], ['Bob', 'Alice', 'two \u00e9 "quoted"'], ['Alice', 'Bob', 'three']] as const) {
    const outcome = await conversations.appendDirect(direct(from, to, text));
    sent.push(outcome.kind === 'stored' ? outcome.message : assert.fail(outcome.kind));
  }
  await conversations.appendDirect(direct('alice', 'alice', 'note to self'));
  assert.deepEqual(await deletions.findDirectMessage('bob', 'ALICE', 2), sent[1]);
  for (const [user, peer, seq] of [['alice', 'bob', 0], ['alice', 'bob', 4], ['alice', 'carol', 1]] as const) {
    assert.equal(await deletions.findDirectMessage(user, peer, seq), undefined, `${peer} ${seq}`);
    assert.deepEqual(await deletions.deleteDirectMessage(user, peer, seq, { by: 'alice', ts: 1 }), { kind: 'missing' }, `${peer} ${seq}`);
  }
  const tombstone = { ...sent[1]!, text: DELETED_TEXT, deleted: { by: 'Bob', ts: 5 } };
  assert.deepEqual(await deletions.deleteDirectMessage('BOB', 'alice', 2, { by: 'Bob', ts: 5 }), { kind: 'deleted', message: tombstone });
  assert.deepEqual(await deletions.deleteDirectMessage('alice', 'bob', 2, { by: 'Bob', ts: 9 }), { kind: 'already', message: tombstone }, 'the first removal stays');
  assert.deepEqual((await conversations.messagesSince('alice', 'bob', 0, 10)).messages, [sent[0], tombstone, sent[2]], 'in place, seen from either side');
  assert.deepEqual((await conversations.messagesBefore('bob', 'alice', undefined, 2)).messages, [tombstone, sent[2]]);
  assert.equal((await deletions.deleteDirectMessage('alice', 'Alice', 1, { by: 'alice', ts: 6 })).kind, 'deleted', 'one\'s own conversation');
  assert.equal((await conversations.messagesSince('alice', 'alice', 0, 10)).messages[0]?.text, DELETED_TEXT);
  assert.equal(await conversations.lastSeq('alice', 'bob'), 3);
  assert.deepEqual((await conversations.listConversations('bob', undefined, 10)).conversations.map((c) => [c.user, c.lastSeq, c.unread]), [['Alice', 3, 1]],
    'a removed message counts as before');
  const [id] = (await conversations.conversationIds()).filter((each) => each === 'alice:bob');
  assert.equal(await conversations.pruneConversation(id!, { maxAgeMs: 0, maxMessages: 1 }, NOW, 10), 2, 'a tombstone goes with retention');
  assert.deepEqual(await deletions.deleteDirectMessage('alice', 'bob', 2, { by: 'Bob', ts: 7 }), { kind: 'missing' });
}

/** Conversations (issue 22): seq per conversation, blocks, markers and unread, paging, counts (January additions). */
async function conversationSemantics(store: Store): Promise<void> {
  const { conversations, blocks } = store;
  const stored = async (from: string, to: string, text: string, ts = NOW) => {
    const outcome = await conversations.appendDirect(direct(from, to, text, ts));
    assert.equal(outcome.kind, 'stored');
    return outcome.kind === 'stored' ? outcome.message : assert.fail();
  };
  assert.deepEqual(await stored('Alice', 'Bob', 'hi bob'), { from: 'Alice', to: 'Bob', seq: 1, text: 'hi bob', ts: NOW });
  assert.equal((await stored('Bob', 'Alice', 'hi alice')).seq, 2, 'one seq for both directions');
  assert.equal((await stored('Alice', 'Carol', 'to carol')).seq, 1, 'each conversation from 1');
  assert.equal((await stored('Alice', 'Alice', 'note to self')).seq, 1, 'one\'s own conversation');
  assert.equal((await stored('Alice', 'Bob', 'again')).seq, 3);
  assert.deepEqual([await conversations.lastSeq('bob', 'alice'), await conversations.lastSeq('alice', 'BOB'), await conversations.lastSeq('bob', 'carol')], [3, 3, 0]);

  // Alice sent 3: her marker is there; Bob's is at 2 (he sent 2), so 3 is unread for him. Carol never read: 1 unread.
  const page = await conversations.listConversations('alice', undefined, 10);
  assert.deepEqual(page, { more: false, conversations: [
    { user: 'Alice', lastSeq: 1, lastTs: NOW, unread: 0 }, { user: 'Bob', lastSeq: 3, lastTs: NOW, unread: 0 }, { user: 'Carol', lastSeq: 1, lastTs: NOW, unread: 0 },
  ] });
  assert.deepEqual((await conversations.listConversations('BOB', undefined, 10)).conversations, [{ user: 'Alice', lastSeq: 3, lastTs: NOW, unread: 1 }]);
  assert.deepEqual((await conversations.listConversations('carol', undefined, 10)).conversations, [{ user: 'Alice', lastSeq: 1, lastTs: NOW, unread: 1 }]);
  const first = await conversations.listConversations('alice', undefined, 2);
  assert.deepEqual([first.conversations.map((c) => c.user), first.more], [['Alice', 'Bob'], true]);
  const second = await conversations.listConversations('alice', 'bob', 2);
  assert.deepEqual([second.conversations.map((c) => c.user), second.more], [['Carol'], false]);
  assert.deepEqual(await conversations.listConversations('nobody', undefined, 10), { conversations: [], more: false });

  // Markers: forward only, clamped to the last seq; nothing for a conversation without messages.
  await conversations.markRead('bob', 'alice', 99);
  assert.equal((await conversations.listConversations('bob', undefined, 10)).conversations[0]?.unread, 0);
  await stored('Alice', 'Bob', 'four');
  await stored('Alice', 'Bob', 'five');
  assert.equal((await conversations.listConversations('bob', undefined, 10)).conversations[0]?.unread, 2, 'clamped at 3, not 99');
  await conversations.markRead('bob', 'alice', 4);
  await conversations.markRead('bob', 'alice', 1);
  assert.equal((await conversations.listConversations('bob', undefined, 10)).conversations[0]?.unread, 1, 'never back');
  await conversations.markRead('bob', 'carol', 5);
  assert.deepEqual((await conversations.listConversations('bob', undefined, 10)).conversations.map((c) => c.user), ['Alice'], 'no conversation made');

  // History, both directions, with more at the boundaries.
  const seqs = (p: { messages: Array<{ seq: number }> }) => p.messages.map((m) => m.seq);
  const latest = await conversations.messagesBefore('bob', 'ALICE', undefined, 2);
  assert.deepEqual([seqs(latest), latest.more], [[4, 5], true]);
  const older = await conversations.messagesBefore('bob', 'alice', 4, 10);
  assert.deepEqual([seqs(older), older.more], [[1, 2, 3], false]);
  const since = await conversations.messagesSince('alice', 'bob', 2, 2);
  assert.deepEqual([seqs(since), since.more], [[3, 4], true]);
  assert.deepEqual(since.messages[0], { from: 'Alice', to: 'Bob', seq: 3, text: 'again', ts: NOW });
  assert.deepEqual(await conversations.messagesSince('bob', 'carol', 0, 10), { messages: [], more: false });

  // Blocks: per account, one direction; the blocked sender's message is neither stored nor counted.
  assert.equal(await blocks.block('Bob', 'Alice'), true);
  assert.equal(await blocks.block('bob', 'ALICE'), false);
  assert.deepEqual(await conversations.appendDirect(direct('Alice', 'Bob', 'blocked?')), { kind: 'blocked' });
  assert.equal(await conversations.lastSeq('alice', 'bob'), 5);
  assert.equal((await stored('Bob', 'Alice', 'bob may still write')).seq, 6);
  await blocks.block('bob', 'Carol');
  assert.deepEqual(await blocks.blockedUsers('BOB'), ['Alice', 'Carol'], 'as first written, by name key');
  assert.equal(await blocks.unblock('bob', 'alice'), true);
  assert.equal(await blocks.unblock('bob', 'alice'), false);
  assert.deepEqual(await blocks.blockedUsers('bob'), ['Carol']);
  assert.equal((await stored('Alice', 'Bob', 'unblocked')).seq, 7);

  const counts = await conversations.conversationCounts();
  assert.deepEqual([...counts].sort(), [['alice', 3], ['bob', 1], ['carol', 1]]);
  assert.deepEqual((await conversations.conversationIds()).sort(), ['alice:alice', 'alice:bob', 'alice:carol']);
}

for (const backend of [sqlite, redis]) {
  describe(`${backend.name} store`, { skip: backend.skip }, () => {
    const open = async (t: TestContext): Promise<Store> => {
      const store = await backend.open(t);
      t.after(() => store.close());
      return store;
    };

    test('users and groups are unique without regard to case and keep their first spelling', async (t) => {
      const store = await open(t);
      assert.deepEqual(await store.accounts.createUser('Alice', 'hash'), { name: 'Alice', passwordHash: 'hash', role: 'user' });
      assert.equal(await store.accounts.createUser('ALICE', 'other'), undefined);
      assert.deepEqual(await store.accounts.findUser('alice'), { name: 'Alice', passwordHash: 'hash', role: 'user' });
      assert.equal(await store.accounts.findUser('bob'), undefined);
      assert.equal(await store.accounts.createUser('Root', 'hash') !== undefined, true);
      assert.equal(await store.accounts.setRole('root', 'admin'), true);
      assert.deepEqual([...await store.accounts.adminsAmong(['ROOT', 'alice', 'bob'])], ['root']);
      assert.equal(await store.accounts.setRole('root', 'user'), true);
      assert.deepEqual([...await store.accounts.adminsAmong(['root', 'alice'])], []);
      assert.deepEqual([...await store.accounts.adminsAmong([])], []);
      assert.deepEqual(await store.groups.createGroup('Dev'), { name: 'Dev', lastSeq: 0 });
      assert.equal(await store.groups.createGroup('dEV'), undefined);
      await store.groups.createGroup('apple');
      await store.groups.createGroup('Zeta');
      assert.deepEqual(await store.groups.listGroups(), ['apple', 'Dev', 'Zeta']);
      assert.equal(await store.groups.countGroups(), 3);
      assert.deepEqual(await store.groups.findGroup('DEV'), { name: 'Dev', lastSeq: 0 });
    });

    test('accounts: setters say false for no such user; role, disabled state and last login read back', async (t) => {
      const store = await open(t);
      await store.accounts.createUser('Bob', 'h1');
      await store.accounts.createUser('alice', 'h2');
      assert.deepEqual([
        await store.accounts.setPasswordHash('nobody', 'x'), await store.accounts.setRole('nobody', 'admin'),
        await store.accounts.setDisabled('nobody', { reason: '', at: 1 }),
      ], [false, false, false]);
      assert.equal(await store.accounts.findUser('nobody'), undefined, 'nothing made');
      assert.equal(await store.accounts.setPasswordHash('BOB', 'h3'), true);
      assert.equal(await store.accounts.setRole('bob', 'admin'), true);
      assert.equal(await store.accounts.setDisabled('ALICE', { reason: 'spam', at: 5 }), true);
      await store.accounts.recordLogin('bob', 1234);
      assert.deepEqual(await store.accounts.findUser('bob'), { name: 'Bob', passwordHash: 'h3', role: 'admin' });
      assert.deepEqual(await store.accounts.findUser('alice'), { name: 'alice', passwordHash: 'h2', role: 'user', disabled: { reason: 'spam', at: 5 } });
      const users = await store.accounts.listUsers();
      assert.ok(users.every((user) => typeof user.createdAt === 'number'), 'made now: its time is kept');
      assert.deepEqual(users.map(({ createdAt: _, ...user }) => user), [
        { name: 'alice', role: 'user', disabled: { reason: 'spam', at: 5 } }, { name: 'Bob', role: 'admin', lastLogin: 1234 },
      ]);
      assert.equal(await store.accounts.setDisabled('alice', undefined), true);
      assert.equal(await store.accounts.setRole('BOB', 'user'), true);
      assert.deepEqual([(await store.accounts.findUser('alice'))?.disabled, (await store.accounts.findUser('bob'))?.role], [undefined, 'user']);
    });

    test('messagesSince and messagesBefore page with more at the boundaries', async (t) => {
      const store = await open(t);
      await store.groups.createGroup('g');
      assert.deepEqual(await store.groups.messagesSince('g', 0, 10), { messages: [], more: false });
      for (let i = 1; i <= 10; i++) await store.groups.appendMessage(say('g', `m${i}`));
      const seqs = (page: { messages: Array<{ seq: number }> }) => page.messages.map((m) => m.seq);
      const since = await store.groups.messagesSince('g', 3, 7);
      assert.deepEqual([seqs(since), since.more], [[4, 5, 6, 7, 8, 9, 10], false]);
      const sinceCut = await store.groups.messagesSince('g', 3, 6);
      assert.deepEqual([seqs(sinceCut), sinceCut.more], [[4, 5, 6, 7, 8, 9], true]);
      const latest = await store.groups.messagesBefore('g', undefined, 3);
      assert.deepEqual([seqs(latest), latest.more], [[8, 9, 10], true]);
      const all = await store.groups.messagesBefore('g', undefined, 10);
      assert.deepEqual([seqs(all), all.more], [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], false]);
      const before = await store.groups.messagesBefore('g', 4, 3);
      assert.deepEqual([seqs(before), before.more], [[1, 2, 3], false]);
      const first = await store.groups.messagesBefore('g', 1, 3);
      assert.deepEqual([seqs(first), first.more], [[], false]);
      assert.deepEqual(since.messages[0], { group: 'g', seq: 4, from: 'alice', text: 'm4', ts: since.messages[0]!.ts });
    });

    test('moderation: settings, standing, bans and deletion', async (t) => {
      await moderationSemantics(await open(t));
    });

    test('read markers: with deletions, bans and drops', async (t) => {
      await markerSemantics(await open(t));
    });

    test('removing a message: the tombstone in place, once, nothing at a missing seq or group', async (t) => {
      await deletionSemantics(await open(t));
    });

    test('removing a direct message: the tombstone in place, once, nothing at a missing seq or conversation', async (t) => {
      await directDeletionSemantics(await open(t));
    });

    test('conversations: a seq per conversation, blocks, markers and unread, paging, counts', async (t) => {
      await conversationSemantics(await open(t));
    });

    test('conversations: retention removes the oldest prefix; unread counts only kept messages; seqs go on', async (t) => {
      const store = await open(t);
      const { conversations } = store;
      for (const ts of [OLD - 5 * HOUR, OLD - 4 * HOUR, NOW, OLD - 3 * HOUR, NOW]) await conversations.appendDirect(direct('alice', 'bob', String(ts), ts));
      const [id] = await conversations.conversationIds();
      const policy = { maxAgeMs: NOW - OLD, maxMessages: 0 };
      assert.equal(await conversations.pruneConversation(id!, policy, NOW, 100), 2);
      assert.equal(await conversations.pruneConversation(id!, policy, NOW, 100), 0);
      assert.deepEqual((await conversations.messagesSince('bob', 'alice', 0, 100)).messages.map((m) => m.seq), [3, 4, 5]);
      assert.equal((await conversations.listConversations('bob', undefined, 10)).conversations[0]?.unread, 3, 'the pruned two are not unread');
      assert.equal(await conversations.pruneConversation(id!, { maxAgeMs: 0, maxMessages: 1 }, NOW, 1), 1, 'by count, in batches');
      assert.equal(await conversations.pruneConversation(id!, { maxAgeMs: 0, maxMessages: 1 }, NOW, 10), 1);
      assert.deepEqual((await conversations.messagesBefore('bob', 'alice', undefined, 100)).messages.map((m) => m.seq), [5]);
      assert.deepEqual((await conversations.listConversations('bob', undefined, 10)).conversations, [{ user: 'alice', lastSeq: 5, lastTs: NOW, unread: 1 }]);
      assert.equal(await conversations.pruneConversation('nobody:none', policy, NOW, 10), 0);
      const next = await conversations.appendDirect(direct('bob', 'alice', 'next'));
      assert.equal(next.kind === 'stored' && next.message.seq, 6);
    });

    test('retention: by age, only the oldest run of old messages goes (an old one after a young one stays)', async (t) => {
      const store = await open(t);
      await store.groups.createGroup('g');
      assert.equal(await store.retention.firstSeq('g'), 1, 'empty: last_seq + 1');
      assert.equal(await store.retention.firstSeq('nowhere'), undefined);
      await messages(store, 'g', [OLD - 5 * HOUR, OLD - 4 * HOUR, NOW, OLD - 3 * HOUR, NOW]);
      const policy = { maxAgeMs: NOW - OLD, maxMessages: 0 };
      assert.equal(await store.retention.pruneMessages('g', policy, NOW, 100), 2);
      assert.equal(await store.retention.pruneMessages('g', policy, NOW, 100), 0);
      assert.deepEqual(await keptSeqs(store, 'g'), [3, 4, 5]);
      assert.equal(await store.retention.firstSeq('G'), 3);
      assert.equal(await store.retention.pruneMessages('g', policy, NOW + 2 * policy.maxAgeMs, 100), 3, 'later, all of them');
      assert.deepEqual([await store.retention.firstSeq('g'), (await store.groups.findGroup('g'))?.lastSeq], [6, 5], 'none kept: last_seq + 1; last_seq stays');
      assert.equal((await store.groups.appendMessage({ group: 'g', from: 'bob', text: 'next', ts: NOW, origin: '' })).seq, 6);
    });

    test('retention: by count, in batches of at most the size asked, the newest N always stay', async (t) => {
      const store = await open(t);
      await store.groups.createGroup('g');
      await store.groups.createGroup('other');
      await messages(store, 'g', Array.from({ length: 10 }, () => NOW));
      await messages(store, 'other', [NOW, NOW]);
      const policy = { maxAgeMs: 0, maxMessages: 3 };
      assert.deepEqual([
        await store.retention.pruneMessages('g', policy, NOW, 4), await store.retention.pruneMessages('g', policy, NOW, 4), await store.retention.pruneMessages('g', policy, NOW, 4),
      ], [4, 3, 0]);
      assert.deepEqual(await keptSeqs(store, 'g'), [8, 9, 10]);
      assert.equal(await store.retention.firstSeq('g'), 8);
      assert.equal(await store.retention.pruneMessages('other', policy, NOW, 4), 0, 'a group under the limit keeps everything');
      // Both limits: a message goes when either says so.
      assert.equal(await store.retention.pruneMessages('g', { maxAgeMs: 1, maxMessages: 2 }, NOW, 10), 1);
      assert.deepEqual(await keptSeqs(store, 'g'), [9, 10]);
      assert.equal(await store.retention.pruneMessages('g', { maxAgeMs: 1, maxMessages: 2 }, NOW + 10, 10), 2);
      assert.equal(await store.retention.firstSeq('g'), 11);
    });
  });
}
