/** Cluster mode: several nodes and one real Redis behave as one server. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasRedis, startRedis, type TestRedis } from '../helpers/redis.js';
import { launchServer, signedInClient, spawnServer, startTestServer, TEST_PASSWORD, type TestServer } from '../helpers/server.js';
import { expectError, WireClient } from '../helpers/wire-client.js';

const skip = hasRedis() ? false : 'redis-server is not installed (apt-get install redis-server); cluster tests skipped';

async function nodes(t: TestContext, redis: TestRedis, count: number, memberTtlMs = 15_000): Promise<TestServer[]> {
  return Promise.all(Array.from({ length: count }, () => startTestServer(t, { redis: { url: redis.url, memberTtlMs }, limits: { rateLimit: 0 } })));
}

async function login(t: TestContext, port: number, user: string): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  assert.equal((await client.request({ type: 'login', user, password: TEST_PASSWORD })).type, 'auth_ok');
  return client;
}

test('three nodes act as one server: messages, presence, who, counts, names, dm', { skip }, async (t) => {
  const redis = await startRedis(t);
  const [a, b, c] = await nodes(t, redis, 3);
  const alice = await signedInClient(t, a!.port, 'alice', 'ops');
  const bob = await signedInClient(t, b!.port, 'bob', 'ops');
  assert.deepEqual(await alice.next('presence'), { type: 'presence', group: 'ops', user: 'bob', event: 'join' });
  const carol = await signedInClient(t, c!.port, 'carol', 'ops');
  await alice.next('presence');
  await bob.next('presence');
  const ack = await alice.request({ type: 'say', text: 'from A' });
  assert.ok(ack.type === 'ack');
  for (const client of [bob, carol]) {
    const message = await client.next('msg');
    assert.deepEqual([message.from, message.text, message.seq], ['alice', 'from A', ack.seq]);
  }
  await alice.sync();
  assert.equal(alice.take('msg').length, 0, 'never echoed to its sender');
  const who = await carol.request({ type: 'who' });
  assert.deepEqual(who.type === 'members' && [...who.members].sort(), ['alice', 'bob', 'carol']);
  const groups = await bob.request({ type: 'list_groups' });
  assert.deepEqual(groups.type === 'groups' && groups.groups, [{ name: 'ops', members: 3, topic: '', private: false, last_seq: 1, unread: 1 }]);
  const other = await WireClient.connect(t, c!.port);
  await other.next('welcome');
  expectError(await other.request({ type: 'register', user: 'ALICE', password: TEST_PASSWORD }), 'user_exists');
  assert.equal((await other.request({ type: 'login', user: 'Alice', password: TEST_PASSWORD })).type, 'auth_ok');
  expectError(await other.request({ type: 'create_group', group: 'OPS' }), 'group_exists');
  assert.equal((await alice.request({ type: 'dm', to: 'carol', text: 'psst' })).type, 'ack');
  assert.deepEqual({ ...(await carol.next('dm')), ts: 0 }, { type: 'dm', from: 'alice', to: 'carol', seq: 1, text: 'psst', ts: 0 });
  bob.send({ type: 'bye' });
  assert.deepEqual(await carol.next('presence'), { type: 'presence', group: 'ops', user: 'bob', event: 'leave' });
  await bob.closed;
  assert.equal((await carol.request({ type: 'dm', to: 'bob', text: 'hi' })).type, 'ack', 'stored for bob (no more offline)');
  expectError(await carol.request({ type: 'dm', to: 'nobody', text: 'hi' }), 'no_such_user');
});

test('seq stays contiguous per group with senders on every node', { skip }, async (t) => {
  const redis = await startRedis(t);
  const servers = await nodes(t, redis, 3);
  const senders = await Promise.all(servers.map((server, i) => signedInClient(t, server.port, `s${i}`, 'busy')));
  const listener = await signedInClient(t, servers[0]!.port, 'listener', 'busy');
  const perSender = 50;
  const acks = await Promise.all(senders.map((client) => Promise.all(Array.from({ length: perSender }, (_, i) => client.request({ type: 'say', text: `${i}` })))));
  const seqs = acks.flat().map((reply) => (reply.type === 'ack' ? reply.seq : -1)).sort((x, y) => x! - y!);
  assert.deepEqual(seqs, Array.from({ length: 150 }, (_, i) => i + 1));
  const heard: number[] = [];
  for (let i = 0; i < 150; i++) heard.push((await listener.next('msg')).seq);
  assert.deepEqual(heard, Array.from({ length: 150 }, (_, i) => i + 1), 'delivered once each, in seq order, from every node');
});

test('join with since on another node returns every missed message exactly once', { skip }, async (t) => {
  const redis = await startRedis(t);
  const [a, b] = await nodes(t, redis, 2);
  const alice = await signedInClient(t, a!.port, 'alice', 'room');
  const bob = await signedInClient(t, a!.port, 'bob', 'room');
  await alice.request({ type: 'say', text: 'seen' });
  const seen = await bob.next('msg');
  bob.destroy();
  for (let i = 0; i < 20; i++) await alice.request({ type: 'say', text: `missed ${i}` });
  const back = await login(t, b!.port, 'bob');
  const sending = Promise.all(Array.from({ length: 20 }, (_, i) => alice.request({ type: 'say', text: `live ${i}` })));
  const joined = await back.request({ type: 'join', group: 'room', since: seen.seq });
  await sending;
  assert.ok(joined.type === 'joined');
  const all = [...joined.history.map((m) => m.seq)];
  while (all.length < 40) all.push((await back.next('msg')).seq);
  await back.sync();
  assert.equal(back.take('msg').length, 0);
  assert.deepEqual(all, Array.from({ length: 40 }, (_, i) => seen.seq + 1 + i));
});

test('a node that dies leaves no ghost members: its users are said to leave; acknowledged messages survive', { skip }, async (t) => {
  const redis = await startRedis(t);
  const [a] = await nodes(t, redis, 1, 1_000);
  const doomed = await spawnServer(t, ['--redis', redis.url, '--member-ttl', '1']);
  const alice = await signedInClient(t, a!.port, 'alice', 'g');
  const ghost = await signedInClient(t, doomed.port, 'ghost', 'g');
  assert.equal((await ghost.request({ type: 'say', text: 'last words' })).type, 'ack');
  await alice.next('presence');
  assert.equal((await alice.next('msg')).text, 'last words');
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  // The ghost's entry expires after the TTL; the surviving node sweeps it and says the ghost left.
  assert.deepEqual(await alice.next((m) => m.type === 'presence' && m.event === 'leave'), { type: 'presence', group: 'g', user: 'ghost', event: 'leave' });
  const who = await alice.request({ type: 'who' });
  assert.deepEqual(who.type === 'members' && who.members, ['alice']);
  const history = await alice.request({ type: 'history' });
  assert.deepEqual(history.type === 'history' && history.messages.map((m) => m.text), ['last words']);
});

test('Redis down: requests get unavailable, the node stays up, and recovers with nothing lost', { skip }, async (t) => {
  const redis = await startRedis(t);
  const [a, b] = await nodes(t, redis, 2);
  const alice = await signedInClient(t, a!.port, 'alice', 'g');
  const bob = await signedInClient(t, b!.port, 'bob', 'g');
  await alice.next('presence');
  const before = await alice.request({ type: 'say', text: 'before the outage' });
  assert.ok(before.type === 'ack');
  await bob.next('msg');
  await redis.stop();
  expectError(await alice.request({ type: 'say', text: 'during' }), 'unavailable');
  expectError(await bob.request({ type: 'list_groups' }), 'unavailable');
  assert.equal((await alice.request({ type: 'ping' })).type, 'pong', 'the node stays up');
  await redis.start();
  let after: Awaited<ReturnType<WireClient['request']>> | undefined;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    after = await alice.request({ type: 'say', text: 'after the outage' });
    if (after.type === 'ack') break;
    await sleep(100);
  }
  assert.ok(after?.type === 'ack' && after.seq === before.seq! + 1, 'seq goes on after the restart');
  assert.equal((await bob.next((m) => m.type === 'msg' && m.text === 'after the outage')).type, 'msg');
  const history = await bob.request({ type: 'history' });
  assert.deepEqual(history.type === 'history' && history.messages.map((m) => m.text), ['before the outage', 'after the outage']);
});

test('a node started before its Redis says it is waiting, then serves once Redis is up', { skip }, async (t) => {
  const redis = await startRedis(t);
  await redis.stop();
  const node = await launchServer(t, ['--redis', redis.url]);
  await node.stderrLine(/redis unreachable; retrying/);
  assert.equal(node.stdout.length, 0, 'not listening yet');
  await redis.start();
  const port = await node.listening;
  const client = await signedInClient(t, port, 'early', 'bird');
  assert.equal((await client.request({ type: 'say', text: 'served' })).type, 'ack');
});

test('--workers 2: one listening line once both listen, one chat, every dead worker replaced on the same port, SIGTERM stops all', { skip }, async (t) => {
  const redis = await startRedis(t);
  const server = await spawnServer(t, ['--redis', redis.url, '--workers', '2', '--log-level', 'info']);
  assert.equal(server.stdout.filter((line) => line.includes('listening on')).length, 1);
  // Connections are spread over the workers; whichever serves whom, they chat as one server.
  const clients = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((name) => signedInClient(t, server.port, name, 'shared')));
  const ack = await clients[0]!.request({ type: 'say', text: 'across workers' });
  assert.ok(ack.type === 'ack');
  for (const client of clients.slice(1)) assert.equal((await client.next((m) => m.type === 'msg')).type, 'msg');
  const workerPids = () => execFileSync('pgrep', ['-P', String(server.child.pid)]).toString().trim().split('\n').map(Number);
  const before = workerPids();
  assert.equal(before.length, 2);
  // Every worker that held the port dies: the replacements must take the same port (it was 0 on the command line).
  for (const pid of before) process.kill(pid, 'SIGKILL');
  // The primary logs each replacement as it listens (a log line in --log-format, JSON here).
  const pidOf = (line: string): unknown => (JSON.parse(line) as { pid?: unknown }).pid;
  const first = pidOf(await server.stderrLine(/"msg":"worker listening"/));
  await server.stderrLine(new RegExp(`"msg":"worker listening".*"pid":(?!${String(first)}\\b)\\d+`));
  const after = workerPids();
  assert.equal(after.length, 2, 'the primary started two workers');
  assert.ok(after.every((pid) => !before.includes(pid)), 'both are new');
  const late = await signedInClient(t, server.port, 'late', 'shared');
  assert.equal((await late.request({ type: 'say', text: 'still one server' })).type, 'ack');
  server.child.kill('SIGTERM');
  assert.deepEqual(await server.exited, { code: 0, signal: null });
  for (const pid of after) assert.throws(() => process.kill(pid, 0), 'every worker is gone');
});
