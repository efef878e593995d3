import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type TestContext, test } from 'node:test';
import type { Resumed } from '../../../src/client/model/events.js';
import { ProtocolError } from '../../../src/protocol/errors.js';
import type { ChatMessage } from '../../../src/protocol/messages.js';
import type { MemoryFrameLink } from '../../../src/transport/memory-link.js';
import { memoryChatClient, startMemoryServer } from '../../helpers/memory-server.js';
import { TEST_PASSWORD } from '../../helpers/server.js';

/** Alice and bob signed in and in `ops`; `links` are bob's, newest last; `bobTimeoutMs` his reply timeout. */
async function aliceAndBobInOps(t: TestContext, bobTimeoutMs?: number) {
  const server = await startMemoryServer(t);
  const links: MemoryFrameLink[] = [];
  const bob = await memoryChatClient(t, server, links, bobTimeoutMs);
  const alice = await memoryChatClient(t, server);
  await alice.signIn({ user: 'alice', password: TEST_PASSWORD }, { register: true });
  await bob.signIn({ user: 'bob', password: TEST_PASSWORD }, { register: true });
  await alice.join('ops', { create: true });
  await bob.join('ops');
  return { alice, bob, links };
}

test('ChatClient on an in-memory link: sign-in, join, say and the message event, without TLS', async (t) => {
  const server = await startMemoryServer(t);
  const alice = await memoryChatClient(t, server);
  const bob = await memoryChatClient(t, server);
  assert.deepEqual(await alice.signIn({ user: 'Alice', password: TEST_PASSWORD }, { register: true }), { user: 'Alice', role: 'user' });
  await bob.signIn({ user: 'bob', password: TEST_PASSWORD }, { register: true });
  await alice.join('ops', { create: true });
  await bob.join('ops');
  const heard = once(bob, 'message') as Promise<[ChatMessage, { missed: boolean }]>;
  const said = await alice.say('hello');
  const [message, how] = await heard;
  assert.deepEqual([message.from, message.text, message.seq, how.missed], ['Alice', 'hello', said.seq, false]);
  assert.equal(bob.seq, said.seq);
});

test('ChatClient after a drop: lost, reconnecting, the missed messages (missed: true), restored; then it says on the new link', async (t) => {
  const { alice, bob, links } = await aliceAndBobInOps(t);
  const events: string[] = [];
  bob.on('lost', () => events.push('lost'));
  bob.on('reconnecting', () => events.push('reconnecting'));
  bob.on('message', (message, { missed }) => events.push(`${message.text}${missed ? ' (missed)' : ''}`));
  bob.on('signed_in', ({ user }) => events.push(`signed in as ${user}`));
  const restored = once(bob, 'restored').then(() => events.push('restored'));
  const lost = once(bob, 'lost');
  links[0]!.destroy();
  await lost;
  await alice.say('while away');
  await restored;
  assert.deepEqual(events, ['lost', 'reconnecting', 'signed in as bob', 'while away (missed)', 'restored']);
  assert.equal(links.length >= 2, true);
  const heard = once(alice, 'message') as Promise<[ChatMessage]>;
  await bob.say('back');
  assert.equal((await heard)[0].text, 'back');
});

test('ChatClient says exactly once: a say stored by the server whose ack never came is found by the resume, not sent again', async (t) => {
  const { alice, bob, links } = await aliceAndBobInOps(t, 1_500);
  const heard: string[] = [];
  alice.on('message', (message) => heard.push(message.text));
  const stored = once(alice, 'message') as Promise<[ChatMessage]>;
  const restored = once(bob, 'restored');
  const said = bob.say('once');
  links[0]!.pause(); // bob hears nothing more on this link: the ack is lost, the reply times out
  const [copy] = await stored;
  assert.deepEqual(await said, { seq: copy.seq, ts: copy.ts });
  await restored;
  const next = once(alice, 'message');
  await bob.say('after');
  await next;
  assert.deepEqual(heard, ['once', 'after']);
});

test('ChatClient owns the groups the connection is in: created, joined, listed, left; a reconnect rejoins the group joined last', async (t) => {
  const server = await startMemoryServer(t);
  const links: MemoryFrameLink[] = [];
  const alice = await memoryChatClient(t, server, links);
  await alice.signIn({ user: 'alice', password: TEST_PASSWORD }, { register: true });
  await alice.createGroup('first');
  await assert.rejects(alice.createGroup('First'), (error: unknown) => error instanceof ProtocolError && error.code === 'group_exists');
  assert.equal((await alice.join('FIRST')).group, 'first');
  await alice.join('second', { create: true });
  assert.equal(alice.group, 'second');
  assert.deepEqual((await alice.listGroups()).groups.map((group) => group.name).sort(), ['first', 'second']);
  const resumed = once(alice, 'resumed') as Promise<[Resumed]>;
  links[0]!.destroy();
  const [{ rejoined }] = await resumed;
  assert.equal(rejoined?.group, 'second');
  await alice.leave();
  assert.equal(alice.group, undefined);
});
