/**
 * Resume tokens (issue 24, item 6): `auth_ok` carries a `resume_token` that
 * signs the account in once more instead of its password — after a server
 * restart, on another node of a cluster — and that dies when used, on
 * `passwd`, `reset_password`, `disable_user`, and at its expiry. A refused
 * token is `auth_failed` and counts as a wrong password.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { admin } from '../helpers/admin.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { startTestServer, TEST_PASSWORD, type TestServerOptions, tempDir } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

async function welcomed(t: TestContext, port: number): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  return client;
}

/** The reply to a login on a new connection, by password or by token; the connection stays open. */
async function login(t: TestContext, port: number, user: string, by: { password: string } | { resume_token: string }) {
  const client = await welcomed(t, port);
  return { client, reply: await client.request({ type: 'login', user, ...by }) };
}

function tokenOf(reply: ServerMessage): string {
  assert.equal(reply.type, 'auth_ok', JSON.stringify(reply));
  const token = reply.type === 'auth_ok' ? reply.resume_token : undefined;
  assert.ok(token !== undefined && token.length >= 43, `a token of at least 256 bits: ${token}`);
  return token;
}

function codeOf(reply: ServerMessage): string {
  return reply.type === 'error' ? reply.code : reply.type;
}

/** A server on its own SQLite store (the test reaches the store, to make an admin), with `alice` registered: her token. */
async function serverWithAlice(t: TestContext, options: TestServerOptions = {}) {
  const dataDir = tempDir(t);
  const store = SqliteStore.open(dataDir);
  t.after(() => store.close());
  const server = await startTestServer(t, { dataDir, store, ...options });
  const alice = await welcomed(t, server.port);
  const token = tokenOf(await alice.request({ type: 'register', user: 'alice', password: TEST_PASSWORD }));
  return { server, store, alice, token };
}

/** `root`, an admin, signed in. */
async function signedInAdmin(t: TestContext, port: number, store: SqliteStore): Promise<WireClient> {
  const root = await welcomed(t, port);
  assert.equal((await root.request({ type: 'register', user: 'root', password: TEST_PASSWORD })).type, 'auth_ok');
  await store.accounts.setRole('root', 'admin');
  return root;
}

test('a resume token signs in once instead of the password; the new auth_ok carries the next one; a login without one is as before', async (t) => {
  const { server, token } = await serverWithAlice(t);
  const byPassword = await login(t, server.port, 'ALICE', { password: TEST_PASSWORD });
  const second = tokenOf(byPassword.reply);
  assert.notEqual(second, token, 'each sign-in gets its own token');
  const resumed = await login(t, server.port, 'alice', { resume_token: token });
  assert.equal(resumed.reply.type === 'auth_ok' && resumed.reply.user, 'alice');
  const next = tokenOf(resumed.reply);
  assert.notEqual(next, token);
  assert.equal((await resumed.client.request({ type: 'list_groups' })).type, 'groups', 'signed in');
  assert.equal(codeOf((await login(t, server.port, 'alice', { resume_token: token })).reply), 'auth_failed', 'used up');
  assert.equal(codeOf((await login(t, server.port, 'bob', { resume_token: next })).reply), 'auth_failed', "another account's token");
  // With both fields the password counts: a right token does not rescue a wrong password.
  const both = await welcomed(t, server.port);
  assert.equal(codeOf(await both.request({ type: 'login', user: 'alice', password: 'wrong password', resume_token: second })), 'auth_failed');
});

test('a resume token survives a restart of the server (the store keeps its hash)', async (t) => {
  const dataDir = tempDir(t);
  const first = await startTestServer(t, { dataDir });
  const alice = await welcomed(t, first.port);
  const token = tokenOf(await alice.request({ type: 'register', user: 'alice', password: TEST_PASSWORD }));
  await first.close();
  const second = await startTestServer(t, { dataDir });
  tokenOf((await login(t, second.port, 'alice', { resume_token: token })).reply);
});

test('a refused resume token is auth_failed and counts as a wrong password: the sixth attempt on a connection is too_many_attempts', async (t) => {
  const { server } = await serverWithAlice(t);
  const client = await welcomed(t, server.port);
  for (let i = 0; i < 5; i++) assert.equal(codeOf(await client.request({ type: 'login', user: 'alice', resume_token: `guess${i}` })), 'auth_failed');
  assert.equal(codeOf(await client.request({ type: 'login', user: 'alice', password: TEST_PASSWORD })), 'too_many_attempts');
});

test('passwd ends the account\'s resume tokens, that of the connection that changed it included', async (t) => {
  const { server, alice, token } = await serverWithAlice(t);
  const other = tokenOf((await login(t, server.port, 'alice', { password: TEST_PASSWORD })).reply);
  assert.equal((await alice.request({ type: 'passwd', old: TEST_PASSWORD, new: 'a new password' })).type, 'ok');
  for (const old of [token, other]) assert.equal(codeOf((await login(t, server.port, 'alice', { resume_token: old })).reply), 'auth_failed');
  tokenOf((await login(t, server.port, 'alice', { password: 'a new password' })).reply);
});

test('reset_password and disable_user end the account\'s resume tokens; enable_user does not bring them back', async (t) => {
  const { server, store, token } = await serverWithAlice(t);
  const root = await signedInAdmin(t, server.port, store);
  assert.equal((await root.request({ type: 'reset_password', user: 'alice', password: 'reset by root' })).type, 'ok');
  assert.equal(codeOf((await login(t, server.port, 'alice', { resume_token: token })).reply), 'auth_failed', 'reset_password');
  const afterReset = tokenOf((await login(t, server.port, 'alice', { password: 'reset by root' })).reply);
  assert.equal((await root.request({ type: 'disable_user', user: 'alice' })).type, 'ok');
  assert.equal((await root.request({ type: 'enable_user', user: 'alice' })).type, 'ok');
  assert.equal(codeOf((await login(t, server.port, 'alice', { resume_token: afterReset })).reply), 'auth_failed', 'disable_user');
});

test('a resume token expires its lifetime after its connection closed; while that connection is open it does not', async (t) => {
  const lifetimeMs = 1_000;
  const { server, alice, token } = await serverWithAlice(t, { limits: { resumeTokenLifetimeMs: lifetimeMs } });
  // Open for more than twice its lifetime: its expiry was pushed back meanwhile.
  await sleep(2.5 * lifetimeMs);
  const next = tokenOf((await login(t, server.port, 'alice', { resume_token: token })).reply);
  alice.destroy();
  const later = await login(t, server.port, 'alice', { password: TEST_PASSWORD });
  later.client.destroy();
  await later.client.closed;
  await sleep(lifetimeMs + 200);
  assert.equal(codeOf((await login(t, server.port, 'alice', { resume_token: tokenOf(later.reply) })).reply), 'auth_failed', 'expired');
  assert.ok(next.length > 0);
});

test('cluster: a token from one node signs in on another; passwd and disable_user on one node end tokens on the other', { skip: hasRedis() ? false : 'redis-server is not installed' }, async (t) => {
  const redis = await startRedis(t);
  const a = await startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 } });
  const alice = await welcomed(t, a.port);
  const token = tokenOf(await alice.request({ type: 'register', user: 'alice', password: TEST_PASSWORD }));
  const root = await welcomed(t, a.port);
  assert.equal((await root.request({ type: 'register', user: 'root', password: TEST_PASSWORD })).type, 'auth_ok');
  const b = await startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 }, admins: ['root'] });
  const onB = tokenOf((await login(t, b.port, 'alice', { resume_token: token })).reply);
  assert.equal(codeOf((await login(t, a.port, 'alice', { resume_token: token })).reply), 'auth_failed', 'used up on every node');
  const spare = tokenOf((await login(t, a.port, 'alice', { password: TEST_PASSWORD })).reply);
  assert.equal((await alice.request({ type: 'passwd', old: TEST_PASSWORD, new: 'a new password' })).type, 'ok');
  for (const old of [onB, spare]) assert.equal(codeOf((await login(t, b.port, 'alice', { resume_token: old })).reply), 'auth_failed', 'passwd on A');
  const fresh = tokenOf((await login(t, a.port, 'alice', { password: 'a new password' })).reply);
  const admin = await login(t, b.port, 'root', { password: TEST_PASSWORD });
  assert.equal((await admin.client.request({ type: 'disable_user', user: 'alice' })).type, 'ok');
  assert.equal((await admin.client.request({ type: 'enable_user', user: 'alice' })).type, 'ok');
  assert.equal(codeOf((await login(t, a.port, 'alice', { resume_token: fresh })).reply), 'auth_failed', 'disable_user on B');
  tokenOf((await login(t, a.port, 'alice', { password: 'a new password' })).reply);
});

test('the admin command on the store (reset-password, disable) ends the account\'s resume tokens too', async (t) => {
  const { server, token } = await serverWithAlice(t);
  const store = ['--data', server.config.dataDir];
  const reset = await admin(t, ['reset-password', 'alice', ...store], { TERMSENDER_PASSWORD: 'reset by the operator' });
  assert.equal(reset.code, 0, reset.stderr.join('\n'));
  assert.equal(codeOf((await login(t, server.port, 'alice', { resume_token: token })).reply), 'auth_failed', 'reset-password');
  const fresh = tokenOf((await login(t, server.port, 'alice', { password: 'reset by the operator' })).reply);
  assert.equal((await admin(t, ['disable', 'alice', ...store])).code, 0);
  assert.equal((await admin(t, ['enable', 'alice', ...store])).code, 0);
  assert.equal(codeOf((await login(t, server.port, 'alice', { resume_token: fresh })).reply), 'auth_failed', 'disable');
});
