/**
 * Retention (`--retention-days`, `--retention-messages`) against the real
 * CLI, on SQLite and on Redis: history made beforehand straight through the
 * store (with old timestamps where days count), then a server whose first
 * pass is awaited through its `retention pass` log line.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { JoinedReply } from '../../src/protocol/messages.js';
import { DAY_MS } from '../../src/server/retention.js';
import { RedisStore } from '../../src/store/redis.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { nextPass } from '../helpers/conversations.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { type SpawnedServer, spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

const skipRedis = hasRedis() ? false : 'redis-server is not installed; Redis retention tests skipped';

/** Appends `count` messages to `group` (created when new), their ts `ageMs` in the past. */
async function fill(store: Store, group: string, count: number, ageMs: number): Promise<void> {
  await store.groups.createGroup(group);
  const ts = Date.now() - ageMs;
  await Promise.all(Array.from({ length: count }, (_, i) => store.groups.appendMessage({ group, from: 'old', text: `m${i}`, ts, origin: '' })));
}

/** The first retention pass of a server started with `--log-level debug`: what its log line says. */
async function firstPass(server: SpawnedServer): Promise<{ messages: number; groups: number; batches: number }> {
  return JSON.parse(await server.stderrLine(/"msg":"retention pass"/)) as { messages: number; groups: number; batches: number };
}

async function user(t: TestContext, port: number, name: string): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  const auth = await client.request({ type: 'register', user: name, password: TEST_PASSWORD });
  if (auth.type !== 'auth_ok') assert.equal((await client.request({ type: 'login', user: name, password: TEST_PASSWORD })).type, 'auth_ok');
  return client;
}

async function join(client: WireClient, group: string, since?: number): Promise<JoinedReply> {
  const reply = await client.request({ type: 'join', group, ...(since === undefined ? {} : { since }) });
  assert.equal(reply.type, 'joined', JSON.stringify(reply));
  return reply as JoinedReply;
}

async function say(client: WireClient, text: string): Promise<number> {
  const ack = await client.request({ type: 'say', text });
  assert.ok(ack.type === 'ack' && ack.seq !== undefined, JSON.stringify(ack));
  return ack.seq;
}

async function stopServer(server: SpawnedServer): Promise<void> {
  server.child.kill('SIGTERM');
  assert.equal((await server.exited).code, 0, server.stderr.join('\n'));
}

const seqs = (reply: JoinedReply): number[] => reply.history.map((message) => message.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The same story on either store: `store` fills it, `serverArgs` point a server at it.
 * - `chat`: 1,200 messages, retention keeps the newest 100 (several batches).
 * - `mixed`: 1,100 messages 10 days old and 3 of today; 7 days keep the 3.
 * - `stale`: only old messages: all go, the group stays, its seq goes on.
 */
async function retentionStory(t: TestContext, store: Store, serverArgs: string[]): Promise<void> {
  await fill(store, 'chat', 1200, 0);
  await fill(store, 'mixed', 1100, 10 * DAY_MS);
  await fill(store, 'mixed', 3, 0);
  await fill(store, 'stale', 5, 10 * DAY_MS);
  await store.close();

  const server = await spawnServer(t, [...serverArgs, '--retention-messages', '100', '--retention-days', '7', '--log-level', 'debug']);
  const pass = await firstPass(server);
  assert.deepEqual([pass.messages, pass.groups], [1100 + 1100 + 5, 3], 'one pass took everything beyond retention');
  assert.ok(pass.batches > 3, `small batches (${pass.batches})`);
  assert.match(await server.stderrLine(/"msg":"retention pruned"/), /"messages":2205/);

  const alice = await user(t, server.port, 'alice');
  const chat = await join(alice, 'chat', 0);
  assert.deepEqual([chat.first_seq, chat.last_seq, seqs(chat)], [1101, 1200, range(1101, 1200)], 'since older than kept: from the oldest kept');
  const latest = await join(alice, 'chat');
  assert.deepEqual([latest.first_seq, seqs(latest)], [1101, range(1151, 1200)], 'without since: first_seq too');
  const within = await join(alice, 'chat', 1150);
  assert.deepEqual([within.first_seq, seqs(within)], [1101, range(1151, 1200)], 'since within retention: no gap');
  const mixed = await join(alice, 'mixed', 0);
  assert.deepEqual([mixed.first_seq, mixed.last_seq, seqs(mixed)], [1101, 1103, [1101, 1102, 1103]], 'old ones gone, today\'s kept');
  const stale = await join(alice, 'stale', 2);
  assert.deepEqual([stale.first_seq, stale.last_seq, seqs(stale)], [6, 5, []], 'nothing kept: first_seq is last_seq + 1');
  assert.equal(await say(alice, 'after pruning'), 6, 'seq goes on');
  const history = await alice.request({ type: 'history' });
  assert.deepEqual(history.type === 'history' && [history.messages.map((m) => m.seq), history.more], [[6], false]);
  await stopServer(server);

  const again = await spawnServer(t, serverArgs);
  const bob = await user(t, again.port, 'bob');
  await join(bob, 'stale');
  assert.equal(await say(bob, 'after a restart'), 7, 'seq goes on after a restart');
  await join(bob, 'chat');
  assert.equal(await say(bob, 'after a restart'), 1201);
  const rejoined = await join(bob, 'chat', 0);
  assert.deepEqual([rejoined.first_seq, rejoined.history.length], [1101, 101]);
}

test('SQLite: --retention-messages keeps the newest, --retention-days drops the old; seq goes on; join since 0 starts at first_seq', async (t) => {
  const data = tempDir(t);
  await retentionStory(t, SqliteStore.open(data), ['--data', data]);
});

test('Redis: the same', { skip: skipRedis }, async (t) => {
  const redis = await startRedis(t);
  await retentionStory(t, await RedisStore.connect(redis.url, () => undefined), ['--redis', redis.url]);
});

test('Redis: two nodes pruning at once delete each message once and keep exactly the newest', { skip: skipRedis }, async (t) => {
  const redis = await startRedis(t);
  const store = await RedisStore.connect(redis.url, () => undefined);
  for (const group of ['a', 'b', 'c']) await fill(store, group, 3000, 0);
  await store.close();
  const args = ['--redis', redis.url, '--retention-messages', '10', '--log-level', 'debug'];
  const nodes = await Promise.all([spawnServer(t, args), spawnServer(t, args)]);
  const passes = await Promise.all(nodes.map(firstPass));
  assert.equal(passes[0]!.messages + passes[1]!.messages, 3 * 2990, JSON.stringify(passes));
  const alice = await user(t, nodes[1]!.port, 'alice');
  for (const group of ['a', 'b', 'c']) {
    const joined = await join(alice, group, 0);
    assert.deepEqual([joined.first_seq, seqs(joined)], [2991, range(2991, 3000)], group);
  }
});

test('SQLite: messages said while the server runs are pruned by the next pass (--retention-interval)', async (t) => {
  const data = tempDir(t);
  const server = await spawnServer(t, ['--data', data, '--retention-messages', '3', '--retention-interval', '0.2', '--log-level', 'debug']);
  const alice = await user(t, server.port, 'alice');
  await alice.request({ type: 'create_group', group: 'live' });
  await join(alice, 'live');
  for (let i = 1; i <= 8; i++) await say(alice, `live ${i}`);
  // The pass under way may have started before the last say; the one after it did not.
  await nextPass(server);
  await nextPass(server);
  const pruned = server.stderr.filter((line) => line.includes('"retention pruned"'))
    .reduce((sum, line) => sum + (JSON.parse(line) as { messages: number }).messages, 0);
  assert.equal(pruned, 5, 'logged as pruned');
  const joined = await join(alice, 'live', 0);
  assert.deepEqual([joined.first_seq, seqs(joined)], [6, [6, 7, 8]]);
  assert.equal(await say(alice, 'later'), 9);
});
