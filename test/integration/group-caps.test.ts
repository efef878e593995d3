/** Issue 15 item 8: per-account group creation rate and cap, durable across restarts and nodes. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { spawnServer, startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { expectError, WireClient } from '../helpers/wire-client.js';

async function signIn(t: TestContext, port: number, user: string, register = true): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  assert.equal((await client.request({ type: register ? 'register' : 'login', user, password: TEST_PASSWORD })).type, 'auth_ok');
  return client;
}

async function create(client: WireClient, group: string): Promise<string> {
  const reply = await client.request({ type: 'create_group', group });
  return reply.type === 'error' ? `${reply.code}: ${reply.message}` : reply.type;
}

test('default creation rate: the 11th group of one account within the hour gets limit_reached; others are not affected', async (t) => {
  const server = await startTestServer(t);
  const alice = await signIn(t, server.port, 'alice');
  for (let i = 0; i < 10; i++) assert.equal(await create(alice, `a${i}`), 'group_created');
  assert.match(await create(alice, 'a10'), /^limit_reached: .*10 groups per hour/);
  expectError(await alice.request({ type: 'create_group', group: 'A0' }), 'group_exists');
  const bob = await signIn(t, server.port, 'bob');
  assert.equal(await create(bob, 'b0'), 'group_created');
  assert.equal((await alice.request({ type: 'join', group: 'a9' })).type, 'joined', 'the connection stays usable');
});

test('--create-rate and TERMSENDER_MAX_GROUPS_PER_USER on the real command; the cap holds across a restart', async (t) => {
  const data = tempDir(t);
  const args = ['--data', data, '--create-rate', '0'];
  const first = await spawnServer(t, args, { TERMSENDER_MAX_GROUPS_PER_USER: '2' });
  const alice = await signIn(t, first.port, 'alice');
  assert.equal(await create(alice, 'one'), 'group_created');
  assert.equal(await create(alice, 'two'), 'group_created');
  assert.match(await create(alice, 'three'), /^limit_reached: you own 2 groups, the most one account may own \(2\)/);
  first.child.kill('SIGTERM');
  await first.exited;
  const second = await spawnServer(t, [...args, '--max-groups-per-user', '2']);
  const back = await signIn(t, second.port, 'ALICE', false);
  assert.match(await create(back, 'three'), /^limit_reached/, 'owned groups are counted from the store');
  const bob = await signIn(t, second.port, 'bob');
  assert.equal(await create(bob, 'three'), 'group_created');
});

test('--create-rate on the real command: over it is limit_reached; bad values are refused', async (t) => {
  const server = await spawnServer(t, ['--data', tempDir(t), '--create-rate', '2']);
  const alice = await signIn(t, server.port, 'alice');
  assert.equal(await create(alice, 'x1'), 'group_created');
  assert.equal(await create(alice, 'x1'), 'group_exists: group \'x1\' exists', 'a refused creation uses up no rate');
  assert.equal(await create(alice, 'x2'), 'group_created');
  assert.match(await create(alice, 'x3'), /^limit_reached: an account may create 2 groups per hour; try again in \d+ min/);
  for (const bad of [['--create-rate', '-1'], ['--max-groups-per-user', '0'], ['--max-groups-per-user', '1.5'], ['--presence-max-members', 'x']]) {
    const refused = await spawnServer(t, ['--data', tempDir(t), ...bad]).then(() => 'started', (error: Error) => error.message);
    assert.match(refused, new RegExp(bad[0]!), bad.join(' '));
  }
});

test('a SQLite file made by the code before owners opens, keeps its groups and messages, and gains owners', async (t) => {
  const data = tempDir(t);
  const file = path.join(data, 'termsender.db');
  const old = new Database(file);
  old.exec(`
    CREATE TABLE users (name_key TEXT PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE groups (name_key TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
    CREATE TABLE messages (group_key TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL,
      PRIMARY KEY (group_key, seq)) WITHOUT ROWID;
    INSERT INTO groups VALUES ('lobby', 'Lobby', 1, 2);
    INSERT INTO messages VALUES ('lobby', 1, 'zed', 'first', 10), ('lobby', 2, 'zed', 'second', 20);
    PRAGMA user_version = 1;
  `);
  old.close();
  const server = await spawnServer(t, ['--data', data, '--create-rate', '0', '--max-groups-per-user', '1']);
  const alice = await signIn(t, server.port, 'alice');
  const joined = await alice.request({ type: 'join', group: 'lobby', since: 0 });
  assert.deepEqual(joined.type === 'joined' && joined.history.map((m) => `${m.seq}:${m.text}`), ['1:first', '2:second']);
  assert.equal(await create(alice, 'Mine'), 'group_created', 'a group of unknown owner counts for nobody');
  assert.match(await create(alice, 'more'), /^limit_reached/);
  server.child.kill('SIGTERM');
  await server.exited;
  const migrated = new Database(file, { readonly: true });
  t.after(() => migrated.close());
  assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION, 'and on to the current version');
  assert.deepEqual(migrated.prepare('SELECT name, owner FROM groups ORDER BY name_key').all(), [
    { name: 'Lobby', owner: null }, { name: 'Mine', owner: 'alice' },
  ]);
});

test('cluster: the per-account cap holds across nodes sharing one Redis', { skip: hasRedis() ? false : 'redis-server is not installed' }, async (t) => {
  const redis = await startRedis(t);
  const limits = { maxGroupsPerUser: 2, createRatePerHour: 0 };
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 }, limits })));
  const onA = await signIn(t, a!.port, 'alice');
  const onB = await signIn(t, b!.port, 'alice', false);
  const outcomes = await Promise.all([create(onA, 'g1'), create(onB, 'g2'), create(onA, 'g3'), create(onB, 'g4')]);
  assert.equal(outcomes.filter((outcome) => outcome === 'group_created').length, 2, outcomes.join(' / '));
  assert.equal(outcomes.filter((outcome) => outcome.startsWith('limit_reached: you own 2 groups')).length, 2, outcomes.join(' / '));
});
