/** The admin command, spawned for real: on SQLite beside a running server, and on Redis. */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { admin, auth } from '../helpers/admin.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { spawnServer, startTestServer, tempDir } from '../helpers/server.js';
import { expectError } from '../helpers/wire-client.js';

const NEW_PASSWORD = 'reset by the operator';

interface ListedUser { name: string; role: string; created: number | null; last_login: number | null; disabled: { reason: string; at: number } | null; conversations: number }

async function listUsers(t: TestContext, store: string[]): Promise<ListedUser[]> {
  const { code, stdout, stderr } = await admin(t, ['users', ...store, '--json']);
  assert.equal(code, 0, stderr.join('\n'));
  return JSON.parse(stdout.join('\n')) as ListedUser[];
}

test('admin command on SQLite while the server runs: set-role, users, disable, enable, reset-password', async (t) => {
  const data = tempDir(t);
  const server = await spawnServer(t, ['--data', data]);
  const store = ['--data', data];
  const root = await auth(t, server.port, 'register', 'root');
  await auth(t, server.port, 'register', 'alice');

  const promoted = await admin(t, ['set-role', 'ROOT', 'admin', ...store]);
  assert.deepEqual([promoted.code, promoted.stdout], [0, ['root: role admin (from its next request)']], promoted.stderr.join('\n'));
  // The running server reads the role at each admin request.
  assert.equal((await root.client.request({ type: 'enable_user', user: 'alice' })).type, 'ok');

  const disabled = await admin(t, ['disable', 'alice', '--reason', 'too loud', ...store]);
  assert.equal(disabled.code, 0, disabled.stderr.join('\n'));
  assert.match(expectError((await auth(t, server.port, 'login', 'alice')).reply, 'account_disabled').message, /too loud/);
  const users = await listUsers(t, store);
  assert.deepEqual(users.map((user) => [user.name, user.role, user.disabled?.reason ?? null]), [['alice', 'user', 'too loud'], ['root', 'admin', null]]);
  assert.ok(users.every((user) => typeof user.created === 'number'));
  assert.equal(typeof users.find((user) => user.name === 'alice')?.last_login, 'number');

  assert.equal((await admin(t, ['enable', 'alice', ...store])).code, 0);
  const reset = await admin(t, ['reset-password', 'alice', ...store], { TERMSENDER_PASSWORD: NEW_PASSWORD });
  assert.equal(reset.code, 0, reset.stderr.join('\n'));
  expectError((await auth(t, server.port, 'login', 'alice')).reply, 'auth_failed');
  assert.equal((await auth(t, server.port, 'login', 'alice', NEW_PASSWORD)).reply.type, 'auth_ok');

  // A conversation (January additions): counted for both sides, after the columns that were there.
  const ack = await root.client.request({ type: 'dm', to: 'alice', text: 'welcome' });
  assert.ok(ack.type === 'ack' && ack.seq === 1, JSON.stringify(ack));
  const text = await admin(t, ['users', ...store]);
  assert.equal(text.code, 0);
  assert.match(text.stdout[0]!, /^NAME\s+ROLE\s+CREATED\s+LAST LOGIN\s+DISABLED\s+CONVERSATIONS$/);
  assert.match(text.stdout[1]!, /^alice\s+user\s+\d{4}-\d\d-\d\dT.*\s1$/);
  assert.equal(text.stdout.length, 3);
  assert.deepEqual((await listUsers(t, store)).map((user) => [user.name, user.conversations]), [['alice', 1], ['root', 1]]);

  const alice = await auth(t, server.port, 'login', 'alice', NEW_PASSWORD);
  await alice.client.request({ type: 'create_group', group: 'Lobby' });
  await alice.client.request({ type: 'join', group: 'lobby' });
  assert.equal((await alice.client.request({ type: 'say', text: 'hi' })).type, 'ack');
  const groups = await admin(t, ['groups', ...store, '--json']);
  assert.equal(groups.code, 0, groups.stderr.join('\n'));
  const [lobby, ...others] = JSON.parse(groups.stdout.join('\n')) as Array<Record<string, unknown>>;
  assert.deepEqual([lobby?.['name'], lobby?.['owner'], lobby?.['private'], lobby?.['messages'], typeof lobby?.['last_activity'], others.length],
    ['Lobby', 'alice', false, 1, 'number', 0]);
});

test('admin command failures: exit 1 with one line; usage errors: exit 2', async (t) => {
  const data = tempDir(t);
  const server = await spawnServer(t, ['--data', data]);
  await auth(t, server.port, 'register', 'alice');
  const store = ['--data', data];
  for (const [args, env, pattern] of [
    [['set-role', 'nobody', 'admin', ...store], {}, /no user 'nobody'/],
    [['reset-password', 'alice', ...store], {}, /no password: set TERMSENDER_PASSWORD/],
    [['reset-password', 'alice', ...store], { TERMSENDER_PASSWORD: 'short' }, /at least 8 bytes/],
    [['users', '--data', tempDir(t)], {}, /no TermSender database/],
  ] as const) {
    const run = await admin(t, [...args], env);
    assert.equal(run.code, 1, args.join(' '));
    assert.equal(run.stderr.length, 1, run.stderr.join('\n'));
    assert.match(run.stderr[0]!, pattern);
  }
  for (const args of [[], ['frob'], ['set-role', 'alice'], ['set-role', 'alice', 'owner'], ['enable', 'alice', '--reason', 'x'], ['users', '--bogus'], ['disable', 'bad name!']]) {
    const run = await admin(t, [...args, ...store]);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr.join('\n')}`);
  }
});

test('admin command on Redis: set-role, disable, users', { skip: hasRedis() ? false : 'redis-server is not installed' }, async (t) => {
  const redis = await startRedis(t);
  const server = await startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 } });
  await auth(t, server.port, 'register', 'alice');
  await auth(t, server.port, 'register', 'bob');
  const store = ['--redis', redis.url];
  assert.equal((await admin(t, ['set-role', 'bob', 'admin', ...store])).code, 0);
  assert.equal((await admin(t, ['disable', 'alice', ...store])).code, 0);
  expectError((await auth(t, server.port, 'login', 'alice')).reply, 'account_disabled');
  const bob = await auth(t, server.port, 'login', 'bob');
  assert.deepEqual(bob.reply.type === 'auth_ok' && bob.reply.role, 'admin');
  assert.deepEqual((await listUsers(t, store)).map((user) => [user.name, user.role, user.disabled === null]), [['alice', 'user', false], ['bob', 'admin', true]]);
  assert.equal((await admin(t, ['enable', 'alice', ...store])).code, 0);
  const alice = await auth(t, server.port, 'login', 'alice');
  assert.equal(alice.reply.type, 'auth_ok');
  await alice.client.request({ type: 'create_group', group: 'ops' });
  await alice.client.request({ type: 'join', group: 'ops' });
  assert.equal((await alice.client.request({ type: 'say', text: 'hi' })).type, 'ack');
  const groups = await admin(t, ['groups', ...store]);
  assert.equal(groups.code, 0, groups.stderr.join('\n'));
  assert.match(groups.stdout[0]!, /^NAME\s+OWNER\s+PRIVATE\s+MESSAGES\s+LAST ACTIVITY$/);
  assert.match(groups.stdout[1]!, /^ops\s+alice\s+no\s+1\s+\d{4}-/);
});
