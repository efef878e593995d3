import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type TestContext, test } from 'node:test';
import { ConnectionClosedError, type Outgoing } from '../../../src/client/client.js';
import type { ChatClient } from '../../../src/client/model/chat-client.js';
import { allPages, ConversationSeqs, seqBeforeSending } from '../../../src/client/model/conversations.js';
import type { Caller } from '../../../src/client/model/requests.js';
import { ProtocolError } from '../../../src/protocol/errors.js';
import { DELETED_TEXT, type DirectMessage, type MessageDeletedMessage, type ServerMessage } from '../../../src/protocol/messages.js';
import type { MemoryFrameLink } from '../../../src/transport/memory-link.js';
import { memoryChatClient, startMemoryServer } from '../../helpers/memory-server.js';
import { FakeTerminal } from '../../helpers/fake-chat.js';
import { ChatController } from '../../../src/client/chat.js';
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

test('ChatClient dm, exactly once: a dm stored by the server whose ack never came is found in its conversation by the reconnect, not sent again', async (t) => {
  const server = await startMemoryServer(t);
  const links: MemoryFrameLink[] = [];
  const alice = await memoryChatClient(t, server, links, 1_500);
  const bob = await memoryChatClient(t, server);
  await alice.signIn({ user: 'alice', password: TEST_PASSWORD }, { register: true });
  await bob.signIn({ user: 'bob', password: TEST_PASSWORD }, { register: true });
  assert.equal((await alice.dm('bob', 'first')).seq, 1);
  const stored = once(bob, 'dm') as Promise<[DirectMessage]>;
  const restored = once(alice, 'restored');
  const said = alice.dm('bob', 'once');
  links[0]!.pause(); // alice hears nothing more on this link: the ack is lost, the reply times out
  const [copy] = await stored;
  assert.deepEqual(await said, { seq: copy.seq, ts: copy.ts });
  await restored;
  assert.equal((await alice.dm('bob', 'after')).seq, 3);
  assert.deepEqual((await bob.dmHistory('alice')).messages.map((message) => message.text), ['first', 'once', 'after']);
});

test('ChatClient: a dm\'s ack seq is its conversation\'s, not the group\'s: a resume after it still brings the group\'s missed messages', async (t) => {
  const server = await startMemoryServer(t);
  const links: MemoryFrameLink[] = [];
  const alice = await memoryChatClient(t, server, links);
  const bob = await memoryChatClient(t, server);
  await alice.signIn({ user: 'alice', password: TEST_PASSWORD }, { register: true });
  await bob.signIn({ user: 'bob', password: TEST_PASSWORD }, { register: true });
  await alice.join('ops', { create: true });
  await bob.join('ops');
  // Sent as the chat screen sends (`send`); the say behind them is acked after them.
  for (const text of ['a', 'b', 'c', 'd']) alice.send({ kind: 'dm', to: 'bob', text });
  assert.equal((await alice.say('one')).seq, 1);
  assert.equal(alice.seq, 1, 'the group\'s seq');
  const missed: string[] = [];
  alice.on('message', (message, { missed: wasMissed }) => { if (wasMissed) missed.push(message.text); });
  const lost = once(alice, 'lost');
  const restored = once(alice, 'restored');
  links[0]!.destroy();
  await lost;
  for (const text of ['two', 'three']) await bob.say(text);
  await restored;
  assert.deepEqual(missed, ['two', 'three']);
});

test('seqBeforeSending: the seq seen, else the newest stored (0 for none); a server that refuses dm_history (older than conversations): not known, the dm goes anyway', async () => {
  const seqs = new ConversationSeqs();
  const asked: Outgoing[] = [];
  const answering = (reply: () => Promise<ServerMessage>): Caller => ({
    call: (request) => {
      asked.push(request);
      return reply() as never;
    },
  });
  const empty = answering(async () => ({ type: 'dm_history', user: 'bob', messages: [], more: false }));
  assert.equal(await seqBeforeSending(empty, seqs, 'bob'), 0);
  assert.equal(await seqBeforeSending(empty, seqs, 'BOB'), 0);
  assert.deepEqual(asked, [{ type: 'dm_history', user: 'bob', limit: 1, before: undefined, since: undefined }], 'asked once');
  seqs.note('carol', 7);
  assert.equal(await seqBeforeSending(empty, seqs, 'Carol'), 7);
  const old = answering(() => Promise.reject(new ProtocolError('bad_message', "unknown type 'dm_history'")));
  assert.equal(await seqBeforeSending(old, seqs, 'dave'), undefined);
  const closed = answering(() => Promise.reject(new ConnectionClosedError('connection closed')));
  await assert.rejects(seqBeforeSending(closed, seqs, 'dave'), ConnectionClosedError);
});

test('the chat screen over a real server: a conversation window shown sends mark_read with user, so the server\'s conversations unread drops to 0', async (t) => {
  const server = await startMemoryServer(t);
  const alice = await memoryChatClient(t, server);
  const bob = await memoryChatClient(t, server);
  await alice.signIn({ user: 'alice', password: TEST_PASSWORD }, { register: true });
  await bob.signIn({ user: 'bob', password: TEST_PASSWORD }, { register: true });
  const terminal = new FakeTerminal();
  const screen = new ChatController(bob, terminal, { markReadIntervalMs: 60_000 });
  screen.start(undefined);
  let heard = 0;
  const bothHeard = new Promise<void>((resolve) => bob.on('dm', () => { if (++heard === 2) resolve(); }));
  for (const text of ['one', 'two']) await alice.dm('bob', text);
  await bothHeard;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(terminal.plainPrompt, '[2:alice 2] > ');
  const bobAgain = await memoryChatClient(t, server);
  await bobAgain.signIn({ user: 'bob', password: TEST_PASSWORD });
  assert.deepEqual((await bobAgain.allConversations()).map(({ user, unread }) => [user, unread]), [['alice', 2]], 'not shown: unread');
  terminal.metaKey('2');
  // The marker goes at exit at the latest (debounced meanwhile).
  await screen.quit();
  await screen.finished;
  assert.deepEqual((await bobAgain.allConversations()).map(({ user, unread }) => [user, unread]), [['alice', 0]]);
});
