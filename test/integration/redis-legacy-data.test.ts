/**
 * Issue 11 item 1, Redis side: the server runs on Redis data as the code
 * before the December additions wrote it (the key layout of commit 28cbf3a:
 * no topics, private sets, moderators, bans or read markers). Nothing
 * migrates it (the new keys are additive), so this test writes the old keys
 * with raw Redis commands, starts the real server on them and checks over the
 * wire that accounts, groups, history, roles, markers and deletion all work.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import type { GroupSummary, StoredMessage } from '../../src/protocol/messages.js';
import { PasswordHasher } from '../../src/server/passwords.js';
import { joined, outcome, signIn } from '../helpers/moderation.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { spawnServer, TEST_PASSWORD, TEST_SCRYPT_COST } from '../helpers/server.js';
import type { WireClient } from '../helpers/wire-client.js';

const SKIP = { skip: hasRedis() ? false : 'redis-server is not installed' };

/** The old history: `Lobby` (owned by Olga, made after owners existed) and `attic` (made before owners: no owner entry). */
const LOBBY: StoredMessage[] = [
  { group: 'Lobby', seq: 1, from: 'Olga', text: 'first!', ts: 1_700_000_000_000 },
  { group: 'Lobby', seq: 2, from: 'bob', text: 'hi olga', ts: 1_700_000_001_000 },
  { group: 'Lobby', seq: 3, from: 'Olga', text: 'hi bob', ts: 1_700_000_002_000 },
];
const ATTIC: StoredMessage[] = [
  { group: 'attic', seq: 1, from: 'bob', text: 'dusty', ts: 1_600_000_000_000 },
  { group: 'attic', seq: 2, from: 'Root', text: 'very', ts: 1_600_000_005_000 },
];

/** Writes the keys exactly as the old RedisStore did (its Lua scripts and hset calls, by hand). */
async function writeOldData(url: string): Promise<void> {
  const hash = await new PasswordHasher({ cost: TEST_SCRYPT_COST }).hash(TEST_PASSWORD);
  const redis = new Redis(url);
  try {
    // createUser: HSETNX ts:users <name key> JSON {name, hash, created}; accounts older than `created` lack it.
    await redis.hset('ts:users',
      'olga', JSON.stringify({ name: 'Olga', hash, created: 1_690_000_000_000 }),
      'bob', JSON.stringify({ name: 'bob', hash }),
      'root', JSON.stringify({ name: 'Root', hash, created: 1_500_000_000_000 }),
      'carol', JSON.stringify({ name: 'carol', hash, created: 1_695_000_000_000 }));
    // createOwnedGroup: the display name, the owner's name key, the owner's count; createGroup (before owners): the name only.
    await redis.hset('ts:groups', 'lobby', 'Lobby', 'attic', 'attic', 'empty', 'empty');
    await redis.hset('ts:group-owners', 'lobby', 'olga');
    await redis.hset('ts:owned-counts', 'olga', '1');
    // appendMessage: INCR ts:seq:<group key>, ZADD ts:msgs:<group key> seq JSON (a group never spoken in has neither key).
    for (const [key, messages] of [['lobby', LOBBY], ['attic', ATTIC]] as const) {
      await redis.set(`ts:seq:${key}`, String(messages.length));
      for (const message of messages) await redis.zadd(`ts:msgs:${key}`, message.seq, JSON.stringify(message));
    }
  } finally {
    redis.disconnect();
  }
}

async function groups(client: WireClient): Promise<GroupSummary[]> {
  const reply = await client.request({ type: 'list_groups' });
  if (reply.type !== 'groups') throw new Error(JSON.stringify(reply));
  return reply.groups;
}

function summary(name: string, lastSeq: number, unread: number | null, extra: Partial<GroupSummary> = {}): GroupSummary {
  return { name, members: 0, topic: '', private: false, last_seq: lastSeq, unread, ...extra };
}

test('Redis data written by the code before the December additions: logins, groups, history, roles, markers and deletion work', SKIP, async (t) => {
  const redis = await startRedis(t);
  await writeOldData(redis.url);
  const server = await spawnServer(t, ['--redis', redis.url, '--admins', 'root']);

  const olga = await signIn(t, server.port, 'olga', 'login');
  assert.deepEqual(await groups(olga), [summary('attic', 2, null), summary('empty', 0, null), summary('Lobby', 3, null)],
    'old groups: no topic, public, their last seq, never joined');

  // Never joined: no marker to move.
  assert.equal(await outcome(olga, { type: 'mark_read', group: 'Lobby', seq: 1 }), 'error:no_such_group');
  const lobby = await joined(olga, 'Lobby');
  assert.deepEqual({ ...lobby, id: undefined }, {
    type: 'joined', id: undefined, group: 'Lobby', members: ['Olga'], last_seq: 3, history: LOBBY, more: false,
    role: 'owner', owner: 'Olga', topic: '', first_seq: 1,
  });
  assert.deepEqual((await groups(olga))[2], summary('Lobby', 3, 0, { members: 1 }), 'the first join starts the marker at last_seq');
  const ack = await olga.request({ type: 'say', text: 'after the upgrade' });
  assert.equal(ack.type === 'ack' && ack.seq, 4, 'seqs go on from the old counter');
  assert.deepEqual((await groups(olga))[2], summary('Lobby', 4, 1, { members: 1 }));
  assert.equal(await outcome(olga, { type: 'mark_read', group: 'Lobby', seq: 4 }), 'ok');
  assert.deepEqual((await groups(olga))[2], summary('Lobby', 4, 0, { members: 1 }));

  // A group never spoken in (no seq key, no messages).
  const bob = await signIn(t, server.port, 'bob', 'login');
  const empty = await joined(bob, 'empty');
  assert.deepEqual([empty.last_seq, empty.first_seq, empty.history, empty.role, empty.owner, empty.topic], [0, 1, [], 'member', null, '']);

  // The owner of an old owned group moderates it.
  const inLobby = await joined(bob, 'lobby');
  assert.deepEqual([inLobby.role, inLobby.owner, inLobby.last_seq, inLobby.history.length], ['member', 'Olga', 4, 4]);
  assert.equal(await outcome(olga, { type: 'set_topic', group: 'lobby', topic: 'still here' }), 'ok');
  assert.deepEqual(await bob.next('topic'), { type: 'topic', group: 'Lobby', topic: 'still here', by: 'Olga' });
  assert.equal(await outcome(olga, { type: 'kick', group: 'lobby', user: 'bob' }), 'ok');
  assert.deepEqual(await bob.next('kicked'), { type: 'kicked', group: 'Lobby', by: 'Olga', banned: false });

  // The ownerless old group: an admin may act for it, a plain member may not.
  const attic = await joined(bob, 'attic');
  assert.deepEqual({ ...attic, id: undefined }, {
    type: 'joined', id: undefined, group: 'attic', members: ['bob'], last_seq: 2, history: ATTIC, more: false,
    role: 'member', owner: null, topic: '', first_seq: 1,
  });
  assert.equal(await outcome(bob, { type: 'set_topic', group: 'attic', topic: 'mine now' }), 'error:not_allowed');
  assert.equal(await outcome(bob, { type: 'delete_group', group: 'attic' }), 'error:not_allowed');
  const root = await signIn(t, server.port, 'root', 'login');
  assert.equal(await outcome(bob, { type: 'kick', group: 'attic', user: 'root' }), 'error:not_allowed');
  assert.equal(await outcome(root, { type: 'set_topic', group: 'attic', topic: 'tidied' }), 'ok');
  assert.deepEqual(await bob.next('topic'), { type: 'topic', group: 'attic', topic: 'tidied', by: 'Root' });
  assert.equal(await outcome(root, { type: 'kick', group: 'attic', user: 'bob', reason: 'closing' }), 'ok');
  assert.deepEqual(await bob.next('kicked'), { type: 'kicked', group: 'attic', by: 'Root', reason: 'closing', banned: false });
  assert.deepEqual(await groups(bob), [summary('attic', 2, 0, { topic: 'tidied' }), summary('empty', 0, 0), summary('Lobby', 4, 0, { topic: 'still here', members: 1 })]);
  assert.equal(await outcome(root, { type: 'delete_group', group: 'attic' }), 'ok');

  // Deleting the old owned group; made again under its name, it starts clean.
  assert.equal(await outcome(olga, { type: 'delete_group', group: 'lobby' }), 'ok');
  assert.deepEqual(await olga.next('group_deleted'), { type: 'group_deleted', group: 'Lobby', by: 'Olga' });
  assert.equal(await outcome(olga, { type: 'create_group', group: 'Lobby' }), 'group_created');
  const carol = await signIn(t, server.port, 'carol', 'login');
  const fresh = [summary('empty', 0, null), summary('Lobby', 0, null)];
  assert.deepEqual(await groups(carol), fresh, 'carol never joined anything');
  assert.deepEqual(await groups(bob), [summary('empty', 0, 0), summary('Lobby', 0, null)], "bob's old markers of attic and Lobby are gone");
  const again = await joined(olga, 'lobby');
  assert.deepEqual([again.last_seq, again.first_seq, again.history, again.role, again.owner, again.topic], [0, 1, [], 'owner', 'Olga', '']);
  const first = await olga.request({ type: 'say', text: 'new lobby' });
  assert.equal(first.type === 'ack' && first.seq, 1);
  assert.deepEqual(await groups(carol), [summary('empty', 0, null), summary('Lobby', 1, null, { members: 1 })]);
  assert.deepEqual(await groups(bob), [summary('empty', 0, 0), summary('Lobby', 1, null, { members: 1 })]);
});
