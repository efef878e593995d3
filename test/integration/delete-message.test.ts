/**
 * Issue 22 item 3, `delete_message` in a group: who may (each role, public
 * and private groups), the tombstone in every later reply, `message_deleted`
 * to the members, the errors, the cost; on the in-memory server (SQLite).
 */
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import { DELETED_TEXT, type StoredMessage } from '../../src/protocol/messages.js';
import { type MemoryServer, type MemoryWireClient, startMemoryServer } from '../helpers/memory-server.js';
import { DATABASE_FILE } from '../../src/store/sqlite.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { signIn } from '../helpers/moderation.js';
import { REPO_ROOT, spawnServer, tempDir, TEST_PASSWORD } from '../helpers/server.js';
import { expectError, type FrameClient, say } from '../helpers/wire-client.js';

const ROLES = ['author', 'owner', 'moderator', 'admin', 'member', 'outsider'] as const;
type Role = (typeof ROLES)[number];
const NAMES: Record<Role, string> = { author: 'ann', owner: 'olga', moderator: 'mo', admin: 'root', member: 'mem', outsider: 'out' };

interface World {
  server: MemoryServer;
  as: Record<Role, MemoryWireClient>;
}

async function outcome(client: FrameClient, request: object): Promise<string> {
  const reply = await client.request(request);
  return reply.type === 'error' ? `error:${reply.code}` : reply.type;
}

async function world(t: TestContext, limits: { rateLimit?: number } = {}): Promise<World> {
  const server = await startMemoryServer(t, { limits: { createRatePerHour: 10_000, maxGroupsPerUser: 10_000, ...limits } });
  const as = {} as Record<Role, MemoryWireClient>;
  for (const role of ROLES) as[role] = await server.signedIn(NAMES[role]);
  assert.equal(await server.core.context.store.accounts.setRole('root', 'admin'), true);
  return { server, as };
}

/** A group made by the owner (`mo` its moderator, `ann` and `mem` invited when private) in which `ann` said `texts`; ann stays in it. */
async function groupWith(w: World, name: string, texts: string[], isPrivate = false): Promise<void> {
  assert.equal(await outcome(w.as.owner, { type: 'create_group', group: name, ...(isPrivate ? { private: true } : {}) }), 'group_created');
  assert.equal(await outcome(w.as.owner, { type: 'set_role', group: name, user: 'mo', role: 'moderator' }), 'ok');
  if (isPrivate) for (const user of ['ann', 'mem']) assert.equal(await outcome(w.as.owner, { type: 'invite', group: name, user }), 'ok');
  assert.equal(await outcome(w.as.author, { type: 'join', group: name }), 'joined');
  for (const text of texts) await say(w.as.author, text);
}

function expected(role: Role, isPrivate: boolean): string {
  if (role === 'member') return 'error:not_allowed';
  if (role === 'outsider') return isPrivate ? 'error:no_such_group' : 'error:not_allowed';
  return 'ok';
}

test('delete_message × role: author, owner, moderator, admin may; another member may not; a private group does not exist for an outsider', async (t) => {
  const w = await world(t);
  for (const role of ROLES) {
    for (const isPrivate of [false, true]) {
      const group = `${isPrivate ? 'p' : 'g'}-${role}`;
      await groupWith(w, group, ['first', 'second'], isPrivate);
      assert.equal(await outcome(w.as[role], { type: 'delete_message', group, seq: 2 }), expected(role, isPrivate), `${role}, ${group}`);
      const kept = await w.server.core.context.store.groups.messagesSince(group, 0, 10);
      assert.equal(kept.messages[1]?.text, expected(role, isPrivate) === 'ok' ? DELETED_TEXT : 'second');
    }
  }
});

test('the tombstone: same place, seq, sender and time, text "(message deleted)", deleted {by, ts}; in history, joined and join since', async (t) => {
  const w = await world(t);
  await groupWith(w, 'Lobby', ['one', 'two', 'three']);
  const before = await w.as.owner.request({ type: 'join', group: 'lobby' });
  assert.equal(before.type, 'joined');
  const original = before.type === 'joined' ? before.history[1]! : undefined;
  assert.equal(original?.text, 'two');
  const started = Date.now();
  assert.equal(await outcome(w.as.moderator, { type: 'delete_message', group: 'LOBBY', seq: 2 }), 'ok');

  const check = (message: StoredMessage | undefined) => {
    assert.ok(message !== undefined && original !== undefined);
    assert.deepEqual({ ...message, deleted: { ...message.deleted, ts: 0 } },
      { group: 'Lobby', seq: 2, from: 'ann', text: DELETED_TEXT, ts: original.ts, deleted: { by: 'mo', ts: 0 } });
    assert.ok(message.deleted !== undefined && message.deleted.ts >= started && message.deleted.ts <= Date.now());
  };
  const history = await w.as.owner.request({ type: 'history' });
  assert.ok(history.type === 'history');
  assert.deepEqual(history.messages.map((m) => m.text), ['one', DELETED_TEXT, 'three']);
  check(history.messages[1]);
  assert.equal(history.messages[0]!.deleted, undefined, 'the others are untouched');

  const fresh = await w.as.member.request({ type: 'join', group: 'lobby' });
  assert.ok(fresh.type === 'joined');
  check(fresh.history[1]);
  const since = await w.as.moderator.request({ type: 'join', group: 'lobby', since: 1 });
  assert.ok(since.type === 'joined');
  assert.deepEqual(since.history.map((m) => m.seq), [2, 3]);
  check(since.history[0]);
});

test('message_deleted goes to every connection in the group (the deleter\'s too), once; a second removal is ok and silent', async (t) => {
  const w = await world(t);
  await groupWith(w, 'lobby', ['one', 'two']);
  const inGroup = [w.as.author, w.as.owner, w.as.member, w.as.admin];
  for (const client of inGroup.slice(1)) assert.equal(await outcome(client, { type: 'join', group: 'lobby' }), 'joined');
  const second = w.server.connect(); // ann's second connection, not in the group
  await second.next('welcome');
  assert.equal(await outcome(second, { type: 'login', user: 'ann', password: TEST_PASSWORD }), 'auth_ok');
  await w.as.moderator.request({ type: 'join', group: 'elsewhere' });

  assert.equal(await outcome(w.as.admin, { type: 'delete_message', group: 'lobby', seq: 1 }), 'ok');
  for (const client of inGroup) assert.deepEqual(await client.next('message_deleted'), { type: 'message_deleted', group: 'lobby', seq: 1, by: 'root' });
  assert.equal(await outcome(w.as.owner, { type: 'delete_message', group: 'lobby', seq: 1 }), 'ok', 'removed before: ok');
  assert.equal(await outcome(w.as.author, { type: 'delete_message', group: 'lobby', seq: 1 }), 'ok');
  for (const client of [...inGroup, second, w.as.moderator, w.as.outsider]) {
    await client.sync();
    assert.deepEqual(client.take('message_deleted'), [], 'once, and only to the group');
  }
  const history = await w.as.owner.request({ type: 'history' });
  assert.ok(history.type === 'history');
  assert.deepEqual(history.messages[0]!.deleted?.by, 'root', 'the first removal is kept');
  // From GROUP_SELECT too (the author left the group).
  assert.equal(await outcome(w.as.author, { type: 'leave' }), 'left');
  assert.equal(await outcome(w.as.author, { type: 'delete_message', group: 'lobby', seq: 2 }), 'ok');
  assert.deepEqual(await w.as.owner.next('message_deleted'), { type: 'message_deleted', group: 'lobby', seq: 2, by: 'ann' });
});

test('errors: no_such_message (seq 0, never given, removed by retention), no_such_group, a banned moderator, bad_message, wrong_state', async (t) => {
  const w = await world(t);
  await groupWith(w, 'lobby', ['one', 'two', 'three']);
  for (const seq of [0, 4, 2 ** 40]) {
    expectError(await w.as.owner.request({ type: 'delete_message', group: 'lobby', seq }), 'no_such_message');
  }
  // Retention removed seq 1: it is no longer there to remove.
  assert.equal(await w.server.core.context.store.retention.pruneMessages('lobby', { maxAgeMs: 0, maxMessages: 2 }, Date.now(), 10), 1);
  expectError(await w.as.author.request({ type: 'delete_message', group: 'lobby', seq: 1 }), 'no_such_message');
  expectError(await w.as.owner.request({ type: 'delete_message', group: 'nowhere', seq: 1 }), 'no_such_group');
  expectError(await w.as.owner.request({ type: 'delete_message', group: 'bad name!', seq: 1 }), 'no_such_group');

  // A ban leaves the author its power over its own messages (the contract names the author without exception).
  assert.equal(await outcome(w.as.owner, { type: 'ban', group: 'lobby', user: 'ann' }), 'ok');
  assert.equal(await outcome(w.as.author, { type: 'delete_message', group: 'lobby', seq: 2 }), 'ok');
  // A ban takes a moderator's power over the others' messages.
  assert.equal(await outcome(w.as.owner, { type: 'ban', group: 'lobby', user: 'mo' }), 'ok');
  expectError(await w.as.moderator.request({ type: 'delete_message', group: 'lobby', seq: 3 }), 'not_allowed');

  for (const bad of [{ seq: 1 }, { group: 'lobby', user: 'ann', seq: 1 }, { group: 'lobby' }, { group: 'lobby', seq: -1 }, { group: 'lobby', seq: '1' }]) {
    expectError(await w.as.owner.request({ type: 'delete_message', ...bad }), 'bad_message');
  }
  const anonymous = w.server.connect();
  await anonymous.next('welcome');
  expectError(await anonymous.request({ type: 'delete_message', group: 'lobby', seq: 3 }), 'wrong_state');
  const history = await w.as.owner.request({ type: 'join', group: 'lobby' });
  assert.ok(history.type === 'joined');
  assert.deepEqual(history.history.map((m) => m.text), [DELETED_TEXT, 'three'], 'only the allowed removal happened');
});

test('a removal costs a token of the say bucket (it goes to every member)', async (t) => {
  const w = await world(t, { rateLimit: 2 });
  await groupWith(w, 'lobby', ['one']);
  await w.as.owner.request({ type: 'join', group: 'lobby' });
  const replies = await Promise.all(Array.from({ length: 10 }, () => w.as.owner.request({ type: 'delete_message', group: 'lobby', seq: 1 })));
  const limited = replies.filter((reply) => reply.type === 'error' && reply.code === 'rate_limited').length;
  assert.ok(limited > 0 && limited < 10, `${limited} of 10 refused`);
});

test('a schema-5 file made by the earlier server (test/fixtures/store-v5.db): the real server migrates it, removes messages (group, direct), and their texts are gone from the files', async (t) => {
  const data = tempDir(t);
  const file = path.join(data, DATABASE_FILE);
  copyFileSync(path.join(REPO_ROOT, 'test/fixtures/store-v5.db'), file);
  const server = await spawnServer(t, ['--data', data]);
  const bob = await signIn(t, server.port, 'bob', 'login');
  const alice = await signIn(t, server.port, 'Alice', 'login');
  const joined = await bob.request({ type: 'join', group: 'lobby' });
  assert.deepEqual(joined.type === 'joined' && joined.history.map((m) => [m.seq, m.from, m.text, m.deleted]),
    [[1, 'Alice', 'hello from alice', undefined], [2, 'bob', 'hi alice', undefined], [3, 'Alice', 'third message', undefined]]);
  assert.equal((await alice.request({ type: 'join', group: 'lobby' })).type, 'joined');
  // A long text too: it spills into overflow pages, which the removal must overwrite as well.
  const long = `overflowing ${'long words '.repeat(300)}end`;
  const longSeq = await say(alice, long);

  assert.equal(await outcome(bob, { type: 'delete_message', group: 'Lobby', seq: 1 }), 'ok', 'bob moderates Lobby');
  assert.deepEqual(await alice.next('message_deleted'), { type: 'message_deleted', group: 'Lobby', seq: 1, by: 'bob' });
  assert.equal(await outcome(alice, { type: 'delete_message', group: 'lobby', seq: longSeq }), 'ok', 'its author');
  const history = await alice.request({ type: 'history' });
  assert.deepEqual(history.type === 'history' && history.messages.map((m) => [m.seq, m.text, m.deleted?.by]),
    [[1, DELETED_TEXT, 'bob'], [2, 'hi alice', undefined], [3, 'third message', undefined], [4, DELETED_TEXT, 'Alice']]);
  expectError(await bob.request({ type: 'delete_message', group: 'secret', seq: 2 }), 'no_such_message');
  // A direct message, stored in the conversation tables the migration added, removed by its author.
  const dmAck = await alice.request({ type: 'dm', to: 'bob', text: 'private words for bob' });
  assert.ok(dmAck.type === 'ack' && dmAck.seq === 1);
  assert.equal(await outcome(alice, { type: 'delete_message', user: 'bob', seq: 1 }), 'ok');

  server.child.kill('SIGTERM');
  await server.exited;
  const migrated = new Database(file, { readonly: true });
  assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.deepEqual(migrated.prepare('SELECT seq, sender, text, deleted_by FROM messages WHERE group_key = ? ORDER BY seq').all('lobby'), [
    { seq: 1, sender: 'Alice', text: DELETED_TEXT, deleted_by: 'bob' }, { seq: 2, sender: 'bob', text: 'hi alice', deleted_by: null },
    { seq: 3, sender: 'Alice', text: 'third message', deleted_by: null }, { seq: 4, sender: 'Alice', text: DELETED_TEXT, deleted_by: 'Alice' },
  ]);
  assert.deepEqual(migrated.prepare('SELECT seq, sender, text, deleted_by FROM direct_messages').all(), [{ seq: 1, sender: 'Alice', text: DELETED_TEXT, deleted_by: 'Alice' }]);
  migrated.close();
  const bytes = Buffer.concat(readdirSync(data).map((name) => readFileSync(path.join(data, name))));
  assert.ok(bytes.includes('secret words'), 'a text that stays is found in the files');
  assert.ok(!bytes.includes('hello from alice'), 'the removed text is gone from the files');
  assert.ok(!bytes.includes('long words long words'), 'the removed long text is gone too');
  assert.ok(!bytes.includes('private words'), 'the removed direct message too');
});
