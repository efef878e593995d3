/**
 * Several groups on one connection (January additions, issue 22 item 1), on
 * the chat core in memory: `join` with and without `keep`, a re-join, `group`
 * on say/who/history/leave, `not_in_group`, leaving, kicks and deletions
 * removing one group, `activity` only for groups a connection is not in,
 * `--max-open-groups`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerMessage } from '../../../src/protocol/messages.js';
import { type MemoryServer, type MemoryWireClient, startMemoryServer } from '../../helpers/memory-server.js';
import { expectError, say } from '../../helpers/wire-client.js';

async function joined(client: MemoryWireClient, request: object): Promise<Extract<ServerMessage, { type: 'joined' }>> {
  const reply = await client.request({ type: 'join', ...request });
  assert.equal(reply.type, 'joined', JSON.stringify(reply));
  return reply as Extract<ServerMessage, { type: 'joined' }>;
}

/** `user` signed in, having created (when needed) and joined `groups` with `keep`, the last one current. */
async function inGroups(server: MemoryServer, user: string, groups: string[]): Promise<MemoryWireClient> {
  const client = await server.signedIn(user);
  for (const group of groups) {
    await client.request({ type: 'create_group', group });
    await joined(client, { group, keep: true });
  }
  return client;
}

/** What the client got since the last call, as short strings, after a sync. */
async function got(client: MemoryWireClient): Promise<string[]> {
  await client.sync();
  return client.inbox.splice(0).map((message) => {
    switch (message.type) {
      case 'msg': return `msg ${message.group} ${message.text}`;
      case 'presence': return `presence ${message.group} ${message.user} ${message.event}`;
      case 'kicked': return `kicked ${message.group}`;
      case 'group_deleted': return `group_deleted ${message.group}`;
      case 'activity': return `activity ${message.group} ${message.last_seq}`;
      default: return message.type;
    }
  });
}

test('join with keep stays in every group and adds one; join without keep leaves them all', async (t) => {
  const server = await startMemoryServer(t, { limits: { rateLimit: 0 } });
  const bob = await inGroups(server, 'bob', ['a']);
  const carol = await inGroups(server, 'carol', ['b']);
  const alice = await inGroups(server, 'alice', ['a', 'b']);
  assert.deepEqual(await got(bob), ['presence a alice join']);
  assert.deepEqual(await got(carol), ['presence b alice join']);
  await say(bob, 'in a');
  await say(carol, 'in b');
  assert.deepEqual(await got(alice), ['msg a in a', 'msg b in b'], 'each group live, current or not');
  await alice.request({ type: 'create_group', group: 'c' });
  await joined(alice, { group: 'c' });
  assert.deepEqual(await got(bob), ['presence a alice leave']);
  assert.deepEqual(await got(carol), ['presence b alice leave']);
  const gone = await say(bob, 'gone');
  assert.deepEqual(await got(alice), [`activity a ${gone}`], 'no longer in a: activity, no msg');
  const who = await alice.request({ type: 'who' });
  assert.deepEqual(who.type === 'members' && [who.group, who.members], ['c', ['alice']]);
});

test('a join of a group the connection is in makes it current, with history by since and no presence for anyone', async (t) => {
  const server = await startMemoryServer(t, { limits: { rateLimit: 0 } });
  const bob = await inGroups(server, 'bob', ['a']);
  const alice = await inGroups(server, 'alice', ['a', 'b']);
  const aliceElsewhere = await inGroups(server, 'alice2', ['b']);
  await got(bob);
  await got(aliceElsewhere);
  const one = await say(bob, 'one');
  await say(bob, 'two');
  await got(alice);
  const again = await joined(alice, { group: 'A', since: one, keep: true });
  assert.deepEqual(again.history.map((message) => message.text), ['two']);
  const plain = await joined(alice, { group: 'a' }); // without keep: leaves b, stays in a
  assert.deepEqual(plain.history.map((message) => message.text), ['one', 'two']);
  assert.deepEqual(await got(bob), [], 'no presence in a');
  assert.deepEqual(await got(aliceElsewhere), ['presence b alice leave'], 'b was left');
  await say(bob, 'three');
  assert.deepEqual(await got(alice), ['msg a three'], 'live once, as before');
  const members = await alice.request({ type: 'who' });
  assert.deepEqual(members.type === 'members' && members.group, 'a');
});

test('group on say, who, history and leave; a group the connection is not in is not_in_group and changes nothing', async (t) => {
  const server = await startMemoryServer(t, { limits: { rateLimit: 0 } });
  const bob = await inGroups(server, 'bob', ['a', 'b']);
  const alice = await inGroups(server, 'alice', ['a', 'b']);
  await got(bob);
  const ack = await alice.request({ type: 'say', text: 'to a', group: 'A' });
  assert.ok(ack.type === 'ack');
  await say(alice, 'to current');
  assert.deepEqual(await got(bob), ['msg a to a', 'msg b to current']);
  const history = await alice.request({ type: 'history', group: 'a' });
  assert.deepEqual(history.type === 'history' && [history.group, history.messages.map((message) => message.text)], ['a', ['to a']]);
  const who = await alice.request({ type: 'who', group: 'a' });
  assert.deepEqual(who.type === 'members' && [who.group, [...who.members].sort()], ['a', ['alice', 'bob']]);
  await server.signedIn('carol', 'elsewhere');
  for (const request of [
    { type: 'say', text: 'lost', group: 'elsewhere' }, { type: 'who', group: 'elsewhere' },
    { type: 'history', group: 'elsewhere' }, { type: 'leave', group: 'elsewhere' }, { type: 'say', text: 'x', group: 'not a name!' },
  ]) expectError(await alice.request(request), 'not_in_group');
  const elsewhere = await bob.request({ type: 'join', group: 'elsewhere', keep: true });
  assert.ok(elsewhere.type === 'joined' && elsewhere.last_seq === 0, 'nothing was stored there');
  await got(alice);
  const stillIn = await alice.request({ type: 'say', text: 'still in b' });
  assert.ok(stillIn.type === 'ack', 'and alice is where she was');
});

test('leave: a group that is not current leaves the current one as it is; the current one hands over to the most recently joined; the last one is GROUP_SELECT', async (t) => {
  const server = await startMemoryServer(t, { limits: { rateLimit: 0 } });
  const bob = await inGroups(server, 'bob', ['a', 'b', 'c']);
  const alice = await inGroups(server, 'alice', ['a', 'b', 'c']);
  await got(bob);
  const left = await alice.request({ type: 'leave', group: 'b' });
  assert.deepEqual(left.type === 'left' && left.group, 'b');
  assert.deepEqual(await got(bob), ['presence b alice leave']);
  await say(alice, 'still c');
  const leftCurrent = await alice.request({ type: 'leave' });
  assert.deepEqual(leftCurrent.type === 'left' && leftCurrent.group, 'c');
  await say(alice, 'now a');
  assert.deepEqual(await got(bob), ['msg c still c', 'presence c alice leave', 'msg a now a']);
  await joined(alice, { group: 'b', keep: true });
  await alice.request({ type: 'leave' }); // b: a is current again
  await say(alice, 'a again');
  assert.deepEqual((await alice.request({ type: 'leave' })).type, 'left');
  expectError(await alice.request({ type: 'say', text: 'nowhere' }), 'wrong_state');
  expectError(await alice.request({ type: 'who' }), 'wrong_state');
  assert.deepEqual(await got(bob), ['presence b alice join', 'presence b alice leave', 'msg a a again', 'presence a alice leave']);
});

test('kicked and group_deleted remove one group; GROUP_SELECT only after the last', async (t) => {
  const server = await startMemoryServer(t, { limits: { rateLimit: 0 } });
  const owner = await inGroups(server, 'owner', ['a', 'b', 'c']);
  const alice = await inGroups(server, 'alice', ['a', 'b', 'c']);
  await got(owner);
  assert.equal((await owner.request({ type: 'kick', group: 'a', user: 'alice', reason: 'noise' })).type, 'ok');
  assert.deepEqual(await got(alice), ['kicked a']);
  const leave = (await got(owner)).filter((line) => line.startsWith('presence'));
  assert.deepEqual(leave, ['presence a alice leave']);
  await say(alice, 'still in c');
  assert.equal((await owner.request({ type: 'delete_group', group: 'c' })).type, 'ok');
  const removals = async (client: MemoryWireClient) => (await got(client)).filter((line) => !line.startsWith('presence'));
  assert.deepEqual(await removals(alice), ['group_deleted c']);
  await say(alice, 'now in b');
  assert.deepEqual(await removals(owner), ['msg c still in c', 'group_deleted c', 'msg b now in b']);
  assert.equal((await owner.request({ type: 'delete_group', group: 'b' })).type, 'ok');
  assert.deepEqual(await removals(alice), ['group_deleted b']);
  expectError(await alice.request({ type: 'say', text: 'nowhere' }), 'wrong_state');
});

test('activity only for groups the connection is not in', async (t) => {
  const server = await startMemoryServer(t, { limits: { rateLimit: 0 } });
  const bob = await inGroups(server, 'bob', ['a']);
  const alice = await inGroups(server, 'alice', ['a', 'b']);
  await got(bob);
  await say(bob, 'one');
  assert.deepEqual(await got(alice), ['msg a one'], 'in a (not current): msg, no activity');
  await alice.request({ type: 'leave', group: 'a' });
  const two = await say(bob, 'two');
  assert.deepEqual(await alice.next('activity'), { type: 'activity', group: 'a', last_seq: two, unread: two, mention: false });
  assert.deepEqual(await got(alice), []);
});

test('--max-open-groups: a join with keep past it is limit_reached; a re-join or a join without keep is not', async (t) => {
  const server = await startMemoryServer(t, { limits: { maxOpenGroups: 2 } });
  const alice = await inGroups(server, 'alice', ['a', 'b']);
  await alice.request({ type: 'create_group', group: 'c' });
  expectError(await alice.request({ type: 'join', group: 'c', keep: true }), 'limit_reached');
  await joined(alice, { group: 'a', keep: true });
  const who = await alice.request({ type: 'who', group: 'b' });
  assert.ok(who.type === 'members', 'still in both');
  await joined(alice, { group: 'c' });
  expectError(await alice.request({ type: 'who', group: 'a' }), 'not_in_group');
});

test('a private group that closed to its member (the admin command) is re-read at say and history in it, whether current or not: that group only is left', async (t) => {
  const server = await startMemoryServer(t, { limits: { rateLimit: 0 } });
  const { store } = server.core.context;
  const olga = await inGroups(server, 'olga', ['open']);
  assert.equal((await olga.request({ type: 'create_group', group: 'secret', private: true })).type, 'group_created');
  const root = await server.signedIn('root');
  await store.accounts.setRole('root', 'admin');
  await joined(root, { group: 'secret', keep: true });
  await joined(root, { group: 'open', keep: true });
  await store.accounts.setRole('root', 'user'); // as the admin command does, behind the server
  expectError(await root.request({ type: 'history', group: 'secret' }), 'no_such_group');
  assert.deepEqual((await got(root)).filter((line) => line.startsWith('kicked')), ['kicked secret']);
  expectError(await root.request({ type: 'say', text: 'x', group: 'secret' }), 'not_in_group');
  assert.equal((await root.request({ type: 'say', text: 'still in open' })).type, 'ack');
});

test('a kick from one group while a join with keep of another is under way: the join stands, the kicked group stays left', async (t) => {
  const server = await startMemoryServer(t, { limits: { rateLimit: 0 } });
  const owner = await inGroups(server, 'owner', ['a', 'b']);
  const alice = await inGroups(server, 'alice', ['a']);
  await got(owner);
  const groups = server.core.context.store.groups;
  const readHistory = groups.messagesBefore.bind(groups);
  groups.messagesBefore = async (group, before, limit) => {
    groups.messagesBefore = readHistory;
    assert.equal((await owner.request({ type: 'kick', group: 'a', user: 'alice' })).type, 'ok'); // while alice's join of b reads its history
    return readHistory(group, before, limit);
  };
  await joined(alice, { group: 'b', keep: true });
  assert.deepEqual((await got(alice)).filter((line) => line !== 'activity a 0'), ['kicked a']);
  expectError(await alice.request({ type: 'who', group: 'a' }), 'not_in_group');
  const who = await owner.request({ type: 'who', group: 'a' });
  assert.deepEqual(who.type === 'members' && who.members, ['owner'], 'alice is not back in a');
  assert.deepEqual(await got(owner), ['presence a alice leave', 'presence b alice join']);
});

test('a join without keep from many groups leaves them a few per turn, then joins; a bye likewise', async (t) => {
  const server = await startMemoryServer(t, { limits: { rateLimit: 0, createRatePerHour: 0 } });
  const names = Array.from({ length: 20 }, (_, i) => `g${i}`);
  const bob = await inGroups(server, 'bob', [...names, 'x']);
  const alice = await inGroups(server, 'alice', names);
  await got(bob);
  let turn = 0;
  let ticking = true;
  const tick = (): void => { turn += 1; if (ticking) setImmediate(tick); };
  tick();
  t.after(() => { ticking = false; });
  const exitTurns = new Set<number>();
  server.core.context.hub.subscribe((event) => {
    if (event.type === 'moved' && !event.into && event.user === 'alice') exitTurns.add(turn);
  });
  await joined(alice, { group: 'x' });
  assert.ok(exitTurns.size >= 3, `20 groups left over ${exitTurns.size} turns`);
  const lines = await got(bob);
  assert.deepEqual(lines, [...names.map((group) => `presence ${group} alice leave`), 'presence x alice join']);
  exitTurns.clear();
  await joined(alice, { group: 'g0', keep: true });
  for (const group of names.slice(1)) await joined(alice, { group, keep: true });
  await got(bob);
  alice.send({ type: 'bye' });
  await alice.closed;
  await bob.sync();
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal((await got(bob)).filter((line) => line.endsWith('alice leave')).length, 21);
  assert.ok(exitTurns.size >= 3, `21 groups left over ${exitTurns.size} turns`);
});

test('message_deleted, topic and role of a group that is not current reach the connection in it', async (t) => {
  const server = await startMemoryServer(t, { limits: { rateLimit: 0 } });
  const bob = await inGroups(server, 'bob', ['a']);
  const alice = await inGroups(server, 'alice', ['a', 'b']);
  await got(bob);
  const seq = await say(bob, 'oops');
  assert.equal((await bob.request({ type: 'delete_message', group: 'a', seq })).type, 'ok');
  assert.equal((await bob.request({ type: 'set_topic', group: 'a', topic: 'new' })).type, 'ok');
  assert.equal((await bob.request({ type: 'set_role', group: 'a', user: 'alice', role: 'moderator' })).type, 'ok');
  await alice.sync();
  assert.deepEqual(alice.inbox.splice(0).map((message) => `${message.type} ${'group' in message ? message.group : ''}`), ['msg a', 'message_deleted a', 'topic a', 'role a']);
});
