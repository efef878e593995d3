/** Issue 11, first slice: account roles, passwd, disable/enable, reset_password over the wire. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import { PasswordHasher } from '../../src/server/passwords.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { RedisStore } from '../../src/store/redis.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import type { Store } from '../../src/store/store.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { spawnServer, startTestServer, TEST_PASSWORD, TEST_SCRYPT_COST, tempDir } from '../helpers/server.js';
import { expectError, WireClient } from '../helpers/wire-client.js';
import { SCHEMA_V2 } from '../helpers/old-schemas.js';

const NEW_PASSWORD = 'another good password';

async function connect(t: TestContext, port: number): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  return client;
}

async function auth(t: TestContext, port: number, type: 'register' | 'login', user: string, password = TEST_PASSWORD): Promise<{ client: WireClient; reply: ServerMessage }> {
  const client = await connect(t, port);
  return { client, reply: await client.request({ type, user, password }) };
}

async function signIn(t: TestContext, port: number, type: 'register' | 'login', user: string, password = TEST_PASSWORD): Promise<WireClient> {
  const { client, reply } = await auth(t, port, type, user, password);
  assert.equal(reply.type, 'auth_ok', JSON.stringify(reply));
  return client;
}

/** The reply's type, or `error:CODE`. */
async function outcome(client: WireClient, request: object): Promise<string> {
  const reply = await client.request(request);
  return reply.type === 'error' ? `error:${reply.code}` : reply.type;
}

/** A server on its own SQLite store, with `root` (admin), `alice` and `bob` registered. */
async function setUp(t: TestContext): Promise<{ port: number; store: Store; root: WireClient; alice: WireClient; bob: WireClient }> {
  const store = SqliteStore.open(tempDir(t));
  const server = await startTestServer(t, { store });
  const root = await signIn(t, server.port, 'register', 'root');
  assert.equal(await store.setRole('root', 'admin'), true);
  const alice = await signIn(t, server.port, 'register', 'alice');
  const bob = await signIn(t, server.port, 'register', 'bob');
  return { port: server.port, store, root, alice, bob };
}

test('auth_ok carries the role: user on register, admin for an admin', async (t) => {
  const { port } = await setUp(t);
  const { reply } = await auth(t, port, 'login', 'ROOT');
  assert.deepEqual(reply.type === 'auth_ok' && [reply.user, reply.role], ['root', 'admin']);
  const fresh = await auth(t, port, 'register', 'carol');
  assert.deepEqual(fresh.reply.type === 'auth_ok' && fresh.reply.role, 'user');
});

test('admin requests from a user are not_allowed, whether or not the target exists; nothing changes', async (t) => {
  const { bob, store } = await setUp(t);
  for (const request of [
    { type: 'disable_user', user: 'alice' }, { type: 'disable_user', user: 'nobody' }, { type: 'enable_user', user: 'alice' },
    { type: 'reset_password', user: 'alice', password: NEW_PASSWORD }, { type: 'reset_password', user: 'bob', password: NEW_PASSWORD },
  ]) assert.equal(await outcome(bob, request), 'error:not_allowed', JSON.stringify(request));
  assert.equal((await store.findUser('alice'))?.disabled, undefined);
  await bob.sync(); // the connection stayed open
});

test('admin: no_such_user, not on itself, weak_password, and the requests are refused before sign-in', async (t) => {
  const { root, port } = await setUp(t);
  assert.equal(await outcome(root, { type: 'disable_user', user: 'nobody' }), 'error:no_such_user');
  assert.equal(await outcome(root, { type: 'enable_user', user: 'nobody' }), 'error:no_such_user');
  assert.equal(await outcome(root, { type: 'reset_password', user: 'nobody', password: NEW_PASSWORD }), 'error:no_such_user');
  assert.equal(await outcome(root, { type: 'disable_user', user: 'bad name!' }), 'error:no_such_user');
  assert.equal(await outcome(root, { type: 'disable_user', user: 'Root' }), 'error:not_allowed');
  assert.equal(await outcome(root, { type: 'reset_password', user: 'alice', password: 'short' }), 'error:weak_password');
  const anonymous = await connect(t, port);
  for (const type of ['passwd', 'disable_user', 'enable_user', 'reset_password']) {
    assert.equal(await outcome(anonymous, { type, user: 'alice', old: TEST_PASSWORD, new: NEW_PASSWORD, password: NEW_PASSWORD }), 'error:wrong_state', type);
  }
});

test('disable_user: live connections get account_disabled and close; login refused only after a correct password; enable_user lets it back', async (t) => {
  const { root, port, store } = await setUp(t);
  const alice1 = await signIn(t, port, 'login', 'alice');
  await alice1.request({ type: 'create_group', group: 'lobby' });
  assert.equal((await alice1.request({ type: 'join', group: 'lobby' })).type, 'joined');
  const alice2 = await signIn(t, port, 'login', 'alice');
  await root.request({ type: 'join', group: 'lobby' });
  assert.equal(await outcome(root, { type: 'disable_user', user: 'ALICE', reason: 'spam' }), 'ok');
  for (const client of [alice1, alice2]) {
    const error = expectError(await client.next('error'), 'account_disabled');
    assert.equal(error.message, 'this account is disabled by root: spam', 'who disabled it, and why');
    await client.closed;
  }
  const left = await root.next('presence');
  assert.deepEqual([left.user, left.event], ['alice', 'leave']);
  assert.equal((await store.findUser('alice'))?.disabled?.reason, 'spam');

  const wrong = await auth(t, port, 'login', 'alice', 'not the password');
  expectError(wrong.reply, 'auth_failed');
  await wrong.client.sync(); // a wrong password learns nothing and stays open
  const right = await auth(t, port, 'login', 'alice');
  assert.match(expectError(right.reply, 'account_disabled').message, /spam/);
  await right.client.closed;

  assert.equal(await outcome(root, { type: 'enable_user', user: 'alice' }), 'ok');
  await signIn(t, port, 'login', 'alice');
});

test('reset_password: the new password works, the old one not; live connections stay', async (t) => {
  const { root, alice, port } = await setUp(t);
  assert.equal(await outcome(root, { type: 'reset_password', user: 'alice', password: NEW_PASSWORD }), 'ok');
  await alice.sync();
  expectError((await auth(t, port, 'login', 'alice')).reply, 'auth_failed');
  await signIn(t, port, 'login', 'alice', NEW_PASSWORD);
});

test('passwd: auth_failed on a wrong old password, weak_password, then ok; other connections stay', async (t) => {
  const { alice, port } = await setUp(t);
  const other = await signIn(t, port, 'login', 'alice');
  assert.equal(await outcome(alice, { type: 'passwd', old: 'not the password', new: NEW_PASSWORD }), 'error:auth_failed');
  assert.equal(await outcome(alice, { type: 'passwd', old: TEST_PASSWORD, new: 'short' }), 'error:weak_password');
  assert.equal(await outcome(alice, { type: 'passwd', old: TEST_PASSWORD, new: NEW_PASSWORD }), 'ok');
  await other.sync();
  expectError((await auth(t, port, 'login', 'alice')).reply, 'auth_failed');
  await signIn(t, port, 'login', 'alice', NEW_PASSWORD);
});

test('passwd: wrong old passwords count with the connection\'s failed logins; past 5, too_many_attempts closes it', async (t) => {
  const { port } = await setUp(t);
  const client = await connect(t, port);
  for (const password of ['wrong one', 'wrong two']) {
    assert.equal(await outcome(client, { type: 'login', user: 'alice', password }), 'error:auth_failed');
  }
  assert.equal(await outcome(client, { type: 'login', user: 'alice', password: TEST_PASSWORD }), 'auth_ok');
  for (const old of ['wrong three', 'wrong four', 'wrong five']) {
    assert.equal(await outcome(client, { type: 'passwd', old, new: NEW_PASSWORD }), 'error:auth_failed');
  }
  // Five wrong passwords on this connection: the next attempt, even a right one, closes it.
  assert.equal(await outcome(client, { type: 'passwd', old: TEST_PASSWORD, new: NEW_PASSWORD }), 'error:too_many_attempts');
  await client.closed;
  // Counted per connection: a new one changes the password.
  const fresh = await signIn(t, port, 'login', 'alice');
  assert.equal(await outcome(fresh, { type: 'passwd', old: TEST_PASSWORD, new: NEW_PASSWORD }), 'ok');
});

test('cluster: disable_user on one node closes the account\'s connections on the other', { skip: hasRedis() ? false : 'redis-server is not installed' }, async (t) => {
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 } })));
  const root = await signIn(t, a!.port, 'register', 'root');
  await signIn(t, a!.port, 'register', 'alice');
  const aliceOnB = await signIn(t, b!.port, 'login', 'alice');
  const bobOnB = await signIn(t, b!.port, 'register', 'bob');
  // Roles are the operator's: the admin command does this (see admin.test.ts); here the Redis store directly.
  const store = await RedisStore.connect(redis.url, () => undefined);
  t.after(() => store.close());
  assert.equal(await store.setRole('root', 'admin'), true);
  assert.equal(await outcome(root, { type: 'disable_user', user: 'alice' }), 'ok');
  expectError(await aliceOnB.next('error'), 'account_disabled');
  await aliceOnB.closed;
  await bobOnB.sync();
  const right = await auth(t, b!.port, 'login', 'alice');
  expectError(right.reply, 'account_disabled');
  assert.deepEqual((await store.listUsers()).map((user) => [user.name, user.role, user.disabled !== undefined]),
    [['alice', 'user', true], ['bob', 'user', false], ['root', 'admin', false]]);
});

test('a schema-2 SQLite file (before roles) opens: its accounts log in as users, --admins promotes one, the file is at the current schema version', async (t) => {
  const data = tempDir(t);
  const file = path.join(data, 'termsender.db');
  const hash = await new PasswordHasher({ cost: TEST_SCRYPT_COST }).hash(TEST_PASSWORD);
  const old = new Database(file);
  old.exec(SCHEMA_V2);
  old.prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run('root', 'Root', hash, 1000);
  old.prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run('alice', 'Alice', hash, 2000);
  old.close();
  const server = await spawnServer(t, ['--data', data, '--admins', 'root, ghost']);
  const root = await auth(t, server.port, 'login', 'root');
  assert.deepEqual(root.reply.type === 'auth_ok' && [root.reply.user, root.reply.role], ['Root', 'admin']);
  const alice = await auth(t, server.port, 'login', 'alice');
  assert.deepEqual(alice.reply.type === 'auth_ok' && alice.reply.role, 'user');
  assert.equal(await outcome(root.client, { type: 'disable_user', user: 'alice', reason: 'test' }), 'ok');
  await alice.client.closed;
  assert.ok(server.stderr.some((line) => line.includes('ghost')), 'a name without an account is reported');
  server.child.kill('SIGTERM');
  await server.exited;
  const migrated = new Database(file, { readonly: true });
  t.after(() => migrated.close());
  assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  const rows = migrated.prepare('SELECT name, role, disabled_reason, created_at, last_login IS NOT NULL AS logged_in FROM users ORDER BY name_key').all();
  assert.deepEqual(rows, [
    { name: 'Alice', role: 'user', disabled_reason: 'test', created_at: 2000, logged_in: 1 },
    { name: 'Root', role: 'admin', disabled_reason: null, created_at: 1000, logged_in: 1 },
  ]);
});

test('a failed login\'s name is logged at info only when the account exists (a password typed as the name stays out)', async (t) => {
  const server = await spawnServer(t, ['--data', tempDir(t), '--log-level', 'info']);
  await signIn(t, server.port, 'register', 'alice');
  const client = await connect(t, server.port);
  assert.equal(await outcome(client, { type: 'login', user: 'Hunter2IsMyPassword', password: TEST_PASSWORD }), 'error:auth_failed');
  assert.equal(await outcome(client, { type: 'login', user: 'alice', password: 'not the password' }), 'error:auth_failed');
  // Logged in order: once alice's failure is in, the unknown name's line would be too.
  await server.stderrLine(/"msg":"login failed".*"user":"alice"/);
  assert.ok(!server.stderr.some((line) => line.includes('Hunter2IsMyPassword')), server.stderr.join('\n'));
  // At debug level it is there, for an operator who asks.
  const debug = await spawnServer(t, ['--data', tempDir(t), '--log-level', 'debug']);
  const other = await connect(t, debug.port);
  assert.equal(await outcome(other, { type: 'login', user: 'Hunter2IsMyPassword', password: TEST_PASSWORD }), 'error:auth_failed');
  assert.match(await debug.stderrLine(/Hunter2IsMyPassword/), /"level":"debug"/);
});
