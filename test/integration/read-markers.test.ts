/** Issue 12 item 2 (server): read markers, `mark_read`, `last_seq`/`unread` in `list_groups`, `activity`; SQLite migration to version 5. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import type { GroupSummary } from '../../src/protocol/messages.js';
import { PasswordHasher } from '../../src/server/passwords.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { ManualTimers } from '../helpers/clock.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { signedInClient, spawnServer, startTestServer, TEST_PASSWORD, TEST_SCRYPT_COST, tempDir } from '../helpers/server.js';
import { expectError, WireClient } from '../helpers/wire-client.js';
import { SCHEMA_V3 } from '../helpers/old-schemas.js';

export async function login(t: TestContext, port: number, user: string): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  assert.equal((await client.request({ type: 'login', user, password: TEST_PASSWORD })).type, 'auth_ok');
  return client;
}

/** Group name → [last_seq, unread] as `list_groups` tells `client`. */
export async function unreadOf(client: WireClient): Promise<Record<string, [number | undefined, number | null | undefined]>> {
  const reply = await client.request({ type: 'list_groups' });
  assert.equal(reply.type, 'groups');
  const groups: GroupSummary[] = reply.type === 'groups' ? reply.groups : [];
  return Object.fromEntries(groups.map((group) => [group.name, [group.last_seq, group.unread]]));
}

export async function say(client: WireClient, text: string): Promise<number> {
  const ack = await client.request({ type: 'say', text });
  assert.ok(ack.type === 'ack' && ack.seq !== undefined, JSON.stringify(ack));
  return ack.seq;
}

test('mark_read moves forward only, clamps past last_seq, no_such_group unless joined before; list_groups counts per account, null where never joined', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const bob = await signedInClient(t, server.port, 'bob', 'Ops');
  for (let i = 1; i <= 5; i++) await say(bob, `m${i}`);
  const alice = await signedInClient(t, server.port, 'alice');
  assert.equal((await alice.request({ type: 'create_group', group: 'quiet' })).type, 'group_created');
  assert.deepEqual(await unreadOf(alice), { Ops: [5, null], quiet: [0, null] }, 'never joined: null, even for a group of one\'s own');
  expectError(await alice.request({ type: 'mark_read', group: 'ops', seq: 3 }), 'no_such_group');
  expectError(await alice.request({ type: 'mark_read', group: 'nope', seq: 1 }), 'no_such_group');
  const joined = await alice.request({ type: 'join', group: 'ops' });
  assert.ok(joined.type === 'joined' && joined.last_seq === 5);
  assert.deepEqual(await unreadOf(alice), { Ops: [5, 0], quiet: [0, null] }, 'a first join starts the marker at its last_seq');
  assert.equal((await alice.request({ type: 'leave' })).type, 'left');
  for (let i = 6; i <= 8; i++) await say(bob, `m${i}`);
  assert.deepEqual(await unreadOf(alice), { Ops: [8, 3], quiet: [0, null] });
  // Rejoining does not move the marker; the client marks what it showed.
  assert.equal((await alice.request({ type: 'join', group: 'ops' })).type, 'joined');
  assert.deepEqual(await unreadOf(alice), { Ops: [8, 3], quiet: [0, null] });
  const marked = await alice.request({ type: 'mark_read', group: 'OPS', seq: 7 });
  assert.deepEqual({ ...marked }, { type: 'ok', id: 'id' in marked ? marked.id : -1 }, 'ok with only the id');
  // The account's other connection sees the same marker, and cannot move it back.
  const second = await login(t, server.port, 'alice');
  assert.deepEqual(await unreadOf(second), { Ops: [8, 1], quiet: [0, null] });
  assert.equal((await second.request({ type: 'mark_read', group: 'ops', seq: 2 })).type, 'ok');
  assert.deepEqual(await unreadOf(alice), { Ops: [8, 1], quiet: [0, null] }, 'never back');
  // Past last_seq: clamped to it, so the next message is unread again.
  assert.equal((await second.request({ type: 'mark_read', group: 'ops', seq: 1000 })).type, 'ok');
  assert.deepEqual(await unreadOf(alice), { Ops: [8, 0], quiet: [0, null] });
  await say(bob, 'm9');
  assert.deepEqual(await unreadOf(second), { Ops: [9, 1], quiet: [0, null] });
  // bob's own messages count for bob until he marks them read.
  assert.deepEqual(await unreadOf(bob), { Ops: [9, 9], quiet: [0, null] });
});

test('activity: at once for a group joined before, then one per second with the latest counts and any mention; none in the group one is in, none for groups never joined', async (t) => {
  const timers = new ManualTimers();
  const server = await startTestServer(t, { limits: { rateLimit: 0 }, activityTimers: timers });
  const bob = await signedInClient(t, server.port, 'bob', 'ops');
  // alice joined ops on this connection, then went to lobby: ops is watched from her first join on.
  const alice = await signedInClient(t, server.port, 'alice', 'ops');
  assert.equal((await alice.request({ type: 'create_group', group: 'lobby' })).type, 'group_created');
  assert.equal((await alice.request({ type: 'join', group: 'lobby' })).type, 'joined');
  const aliceInOps = await login(t, server.port, 'alice');
  assert.equal((await aliceInOps.request({ type: 'join', group: 'ops' })).type, 'joined');
  const carol = await signedInClient(t, server.port, 'carol', 'lobby');

  assert.equal(await say(bob, 'one'), 1);
  assert.deepEqual(await alice.next('activity'), { type: 'activity', group: 'ops', last_seq: 1, unread: 1, mention: false });
  await say(bob, 'two @Alice: look');
  await say(bob, 'three');
  await say(bob, 'four');
  await alice.sync();
  assert.deepEqual(alice.take('activity'), [], 'nothing more within the second');
  timers.advance(1000);
  assert.deepEqual(await alice.next('activity'), { type: 'activity', group: 'ops', last_seq: 4, unread: 4, mention: true });
  await alice.sync();
  assert.deepEqual(alice.take('activity'), [], 'one activity for the three');

  // A mark on another connection counts in the next activity.
  assert.equal((await aliceInOps.request({ type: 'mark_read', group: 'ops', seq: 4 })).type, 'ok');
  timers.advance(1000);
  await say(bob, 'five');
  assert.deepEqual(await alice.next('activity'), { type: 'activity', group: 'ops', last_seq: 5, unread: 1, mention: false });

  for (const client of [aliceInOps, bob, carol]) {
    await client.sync();
    assert.deepEqual(client.take('activity'), [], 'none in the group one is in, none for groups never joined');
  }
  assert.deepEqual(aliceInOps.take('msg').map((message) => message.seq), [1, 2, 3, 4, 5]);
  // A fresh sign-in loads the account's groups from the store.
  const later = await login(t, server.port, 'alice');
  timers.advance(1000);
  await say(bob, 'six @alice');
  assert.deepEqual(await later.next('activity'), { type: 'activity', group: 'ops', last_seq: 6, unread: 2, mention: true });
});

test('a SQLite file of schema version 3 opens: markers start empty (unread null), the file is the current version (5 or later) with read_markers', async (t) => {
  const data = tempDir(t);
  const file = path.join(data, 'termsender.db');
  const hash = await new PasswordHasher({ cost: TEST_SCRYPT_COST }).hash(TEST_PASSWORD);
  const old = new Database(file);
  old.exec(SCHEMA_V3);
  old.prepare('INSERT INTO users (name_key, name, password_hash, created_at) VALUES (?, ?, ?, ?)').run('alice', 'Alice', hash, 1000);
  old.prepare('INSERT INTO groups VALUES (?, ?, ?, ?, ?)').run('ops', 'Ops', 1000, 2, 'alice');
  old.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?)').run('ops', 1, 'Alice', 'first', 1000);
  old.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?)').run('ops', 2, 'Alice', 'second', 1001);
  old.close();
  const server = await spawnServer(t, ['--data', data]);
  const alice = await login(t, server.port, 'alice');
  assert.deepEqual(await unreadOf(alice), { Ops: [2, null] }, 'nobody joined anything yet as far as markers know');
  const joined = await alice.request({ type: 'join', group: 'ops' });
  assert.deepEqual(joined.type === 'joined' && joined.history.map((message) => message.text), ['first', 'second']);
  assert.equal(await say(alice, 'third'), 3);
  assert.equal((await alice.request({ type: 'mark_read', group: 'ops', seq: 3 })).type, 'ok');
  server.child.kill('SIGTERM');
  await server.exited;
  const migrated = new Database(file, { readonly: true });
  t.after(() => migrated.close());
  assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.deepEqual(migrated.prepare('SELECT user_key, group_key, seq FROM read_markers').all(), [{ user_key: 'alice', group_key: 'ops', seq: 3 }]);
});

const noRedis = hasRedis() ? false : 'redis-server is not installed; cluster tests skipped';

test('cluster: markers and activity across two nodes on one Redis', { skip: noRedis }, async (t) => {
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([1, 2].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 }, limits: { rateLimit: 0 } })));
  const bob = await signedInClient(t, b!.port, 'bob', 'ops');
  const alice = await signedInClient(t, a!.port, 'alice', 'ops');
  assert.equal((await alice.request({ type: 'leave' })).type, 'left');
  const aliceOnB = await login(t, b!.port, 'alice');
  // list_groups reads the store after the markers the sign-in asked for: they are loaded by its reply.
  assert.deepEqual(await unreadOf(aliceOnB), { ops: [0, 0] });
  assert.equal(await say(bob, 'hi @alice'), 1);
  for (const client of [alice, aliceOnB]) {
    assert.deepEqual(await client.next('activity'), { type: 'activity', group: 'ops', last_seq: 1, unread: 1, mention: true });
  }
  assert.equal((await aliceOnB.request({ type: 'mark_read', group: 'ops', seq: 1 })).type, 'ok');
  assert.deepEqual(await unreadOf(alice), { ops: [1, 0] }, 'a mark on node B counts on node A');
  await say(bob, 'two');
  // Within the second after the first: it comes when the second is over, counted against the mark made on B.
  assert.deepEqual(await alice.next('activity'), { type: 'activity', group: 'ops', last_seq: 2, unread: 1, mention: false });
  await bob.sync();
  assert.deepEqual(bob.take('activity'), [], 'none for the group one is in');
});
