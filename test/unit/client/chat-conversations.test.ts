import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type TestContext, test } from 'node:test';
import type { ChatClient } from '../../../src/client/model/chat-client.js';
import { allPages } from '../../../src/client/model/conversations.js';
import { ProtocolError } from '../../../src/protocol/errors.js';
import { DELETED_TEXT, type DirectMessage, type MessageDeletedMessage } from '../../../src/protocol/messages.js';
import { memoryChatClient, startMemoryServer } from '../../helpers/memory-server.js';
import { TEST_PASSWORD } from '../../helpers/server.js';

/** Alice and Bob, ChatClients signed in on an in-memory server, in no group. */
async function aliceAndBob(t: TestContext): Promise<{ alice: ChatClient; bob: ChatClient }> {
  const server = await startMemoryServer(t);
  const alice = await memoryChatClient(t, server);
  const bob = await memoryChatClient(t, server);
  await alice.signIn({ user: 'alice', password: TEST_PASSWORD }, { register: true });
  await bob.signIn({ user: 'Bob', password: TEST_PASSWORD }, { register: true });
  return { alice, bob };
}

const refusedWith = (code: string) => (error: unknown) => error instanceof ProtocolError && error.code === code;

test('ChatClient conversations: the dm event carries its seq; dmHistory (newest, before, since, limit), conversations and their unread count, markConversationRead', async (t) => {
  const { alice, bob } = await aliceAndBob(t);
  const heard = once(bob, 'dm') as Promise<[DirectMessage]>;
  const first = await alice.dm('bob', 'one');
  const [message] = await heard;
  assert.deepEqual([message.from, message.to, message.text, message.seq], ['alice', 'Bob', 'one', first.seq]);
  for (const text of ['two', 'three', 'four']) await alice.dm('bob', text);
  const texts = (page: { messages: { text: string }[] }) => page.messages.map((stored) => stored.text);
  const newest = await bob.dmHistory('alice');
  assert.deepEqual([newest.user, texts(newest), newest.more], ['alice', ['one', 'two', 'three', 'four'], false]);
  const older = await bob.dmHistory('ALICE', { before: 4, limit: 2 });
  assert.deepEqual([texts(older), older.more], [['two', 'three'], true]);
  const later = await bob.dmHistory('alice', { since: 2, limit: 1 });
  assert.deepEqual([texts(later), later.messages[0]!.seq, later.more], [['three'], 3, true]);
  assert.deepEqual((await bob.dmHistory('bob')).messages, [], 'an account with no conversation yet: an empty page');
  await assert.rejects(bob.dmHistory('nobody'), refusedWith('no_such_user'));

  assert.deepEqual((await bob.conversations()).conversations.map(({ user, last_seq, unread }) => ({ user, last_seq, unread })), [{ user: 'alice', last_seq: 4, unread: 4 }]);
  await bob.markConversationRead('alice', 3);
  assert.deepEqual((await bob.allConversations()).map(({ user, unread }) => [user, unread]), [['alice', 1]]);
  // Her own messages are never unread for her: sending moved her marker.
  assert.deepEqual((await alice.allConversations()).map(({ user, unread }) => [user, unread]), [['Bob', 0]]);
});

test('ChatClient conversations: block refuses the blocked user\'s dms (blocked), blocked lists them, unblock lets them through again', async (t) => {
  const { alice, bob } = await aliceAndBob(t);
  await bob.block('Alice');
  assert.deepEqual(await bob.blocked(), ['alice']);
  await assert.rejects(alice.dm('bob', 'let me in'), refusedWith('blocked'));
  await assert.rejects(bob.block('bob'), refusedWith('bad_message'));
  await bob.unblock('alice');
  assert.deepEqual(await bob.blocked(), []);
  assert.equal((await alice.dm('bob', 'thanks')).seq, 1);
  assert.deepEqual((await bob.dmHistory('alice')).messages.map((stored) => stored.text), ['thanks']);
});

test('ChatClient deleteMessage: a conversation\'s message (message_deleted with the other side as user) and a group\'s (with group); tombstones in the pages', async (t) => {
  const { alice, bob } = await aliceAndBob(t);
  const { seq } = await alice.dm('bob', 'oops');
  const bobTold = once(bob, 'message_deleted') as Promise<[MessageDeletedMessage]>;
  await alice.deleteMessage({ user: 'bob' }, seq!);
  assert.deepEqual((await bobTold)[0], { type: 'message_deleted', user: 'alice', seq, by: 'alice' });
  assert.equal((await bob.dmHistory('alice')).messages[0]!.text, DELETED_TEXT);
  await assert.rejects(bob.deleteMessage({ user: 'alice' }, seq!), refusedWith('not_allowed'));

  await alice.join('ops', { create: true });
  await bob.join('ops');
  const said = await alice.say('in the group');
  const inGroup = once(bob, 'message_deleted') as Promise<[MessageDeletedMessage]>;
  const unsolicited: string[] = [];
  bob.on('unsolicited', (message) => unsolicited.push(message.type));
  await alice.deleteMessage({ group: 'ops' }, said.seq!);
  assert.deepEqual((await inGroup)[0], { type: 'message_deleted', group: 'ops', seq: said.seq, by: 'alice' });
  assert.deepEqual(unsolicited, [], 'a deletion is its own event, not an unsolicited one');
  await assert.rejects(alice.deleteMessage({ group: 'ops' }, 99), refusedWith('no_such_message'));
});

test('allPages reads a list paged by after: each page asked after the last name of the one before, until no more (an empty page with more ends it)', async () => {
  const pages: Record<string, { entries: string[]; more: boolean }> = {
    '': { entries: ['a', 'b'], more: true },
    b: { entries: ['c'], more: true },
    c: { entries: [], more: true },
  };
  const asked: string[] = [];
  const all = await allPages(async (after) => {
    asked.push(after ?? '');
    return pages[after ?? '']!;
  }, (name) => name);
  assert.deepEqual([all, asked], [['a', 'b', 'c'], ['', 'b', 'c']]);
});
