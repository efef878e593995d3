/**
 * `--metrics`: counters move as clients chat, fail to log in, are refused and
 * are cut off; `/healthz` follows the store (SQLite folder deleted, Redis
 * stopped and back); `--workers 2` serves one aggregated `/metrics`.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { healthz, scrape, until } from '../helpers/metrics.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { signedInClient, spawnServer, startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { expectError, WireClient } from '../helpers/wire-client.js';

const METRICS = { host: '127.0.0.1', port: 0 };
const noRedis = hasRedis() ? false : 'redis-server not installed';

function metricsPort(server: { metricsAddress?: { port: number } | undefined }): number {
  assert.ok(server.metricsAddress, 'metrics served');
  return server.metricsAddress.port;
}

test('counters follow a chat: registrations, logins ok and failed, messages, deliveries, requests, bytes', async (t) => {
  const server = await startTestServer(t, { metrics: METRICS, limits: { rateLimit: 0 } });
  const port = metricsPort(server);
  const alice = await signedInClient(t, server.port, 'alice', 'room');
  const bob = await signedInClient(t, server.port, 'bob', 'room');
  for (let i = 0; i < 3; i++) assert.equal((await alice.request({ type: 'say', text: `hello ${i}` })).type, 'ack');
  for (let i = 0; i < 3; i++) await bob.next('msg');
  const guesser = await WireClient.connect(t, server.port);
  await guesser.next('welcome');
  expectError(await guesser.request({ type: 'login', user: 'alice', password: 'wrong password' }), 'auth_failed');
  assert.equal((await guesser.request({ type: 'login', user: 'alice', password: TEST_PASSWORD })).type, 'auth_ok');

  const m = await scrape(port);
  assert.equal(m.value('termsender_registrations_total'), 2);
  assert.equal(m.value('termsender_logins_total{result="failed"}'), 1);
  assert.equal(m.value('termsender_logins_total{result="ok"}'), 1);
  assert.equal(m.value('termsender_errors_sent_total{code="auth_failed"}'), 1);
  assert.equal(m.value('termsender_messages_stored_total'), 3);
  assert.equal(m.value('termsender_deliveries_total{kind="message"}'), 3);
  assert.equal(m.value('termsender_requests_total{type="say"}'), 3);
  assert.equal(m.value('termsender_requests_total{type="login"}'), 2);
  assert.equal(m.value('termsender_connections_accepted_total'), 3);
  assert.equal(m.value('termsender_connections'), 3);
  assert.equal(m.value('termsender_sessions{state="chat"}'), 2);
  assert.equal(m.value('termsender_sessions{state="group_select"}'), 1);
  assert.ok((m.value('termsender_received_bytes_total') ?? 0) > 0);
  assert.ok((m.value('termsender_sent_bytes_total') ?? 0) > 0);
  assert.ok((m.value('termsender_store_operation_seconds_count{operation="sqlite_commit"}') ?? 0) >= 1);
  assert.ok(m.value('process_resident_memory_bytes') !== undefined, 'process metrics');
  assert.ok(m.value('termsender_event_loop_delay_seconds{stat="max"}') !== undefined, 'event-loop delay');
  assert.doesNotMatch(m.text, /alice|bob|room/, 'no user or group names in labels');
});

test('server_busy and a slow consumer are counted', async (t) => {
  const server = await startTestServer(t, { metrics: METRICS, limits: { rateLimit: 0, maxConnections: 3, maxPendingOutput: 64 * 1024 } });
  const port = metricsPort(server);
  const sender = await signedInClient(t, server.port, 'sender', 'flood');
  const slow = await signedInClient(t, server.port, 'slow', 'flood');
  const third = await WireClient.connect(t, server.port);
  await third.next('welcome');
  const refused = await WireClient.connect(t, server.port);
  expectError(await refused.next('error'), 'server_busy');
  await refused.closed;

  slow.socket.pause(); // reads nothing: its output piles up on the server
  const text = 'x'.repeat(4000);
  const cut = await until(async () => {
    await Promise.all(Array.from({ length: 50 }, () => sender.request({ type: 'say', text })));
    return scrape(port);
  }, (m) => (m.value('termsender_slow_consumers_total') ?? 0) >= 1, 'a slow consumer cut');
  assert.equal(cut.value('termsender_slow_consumers_total'), 1);
  assert.equal(cut.value('termsender_errors_sent_total{code="slow_consumer"}'), 1);
  assert.equal(cut.value('termsender_connections_refused_total{reason="server_busy"}'), 1);
  assert.equal(cut.value('termsender_errors_sent_total{code="server_busy"}'), 1);
  slow.destroy();
});

test('/healthz: 200 while serving, 503 once the SQLite data folder is deleted; nothing else is served', async (t) => {
  const dataDir = tempDir(t);
  const server = await startTestServer(t, { metrics: METRICS, dataDir });
  const port = metricsPort(server);
  assert.deepEqual(await healthz(port), { status: 200, body: { status: 'ok' } });
  assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 404);
  assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status, 405);
  rmSync(dataDir, { recursive: true, force: true });
  const down = await healthz(port);
  assert.equal(down.status, 503);
  assert.equal(down.body.status, 'unavailable');
  assert.match(down.body.reason ?? '', /store/);
});

test('/healthz says draining while the server shuts down', async (t) => {
  const server = await startTestServer(t, { metrics: METRICS });
  const port = metricsPort(server);
  const client = await signedInClient(t, server.port, 'stayer');
  client.socket.pause(); // does not take its `shutdown`: the server waits for it, draining
  const closing = server.close();
  const draining = await healthz(port);
  assert.deepEqual([draining.status, draining.body.status], [503, 'draining']);
  await closing;
  client.destroy();
});

test('/healthz follows Redis: 503 while it is stopped, 200 once it is back', { skip: noRedis }, async (t) => {
  const redis = await startRedis(t);
  const server = await startTestServer(t, { metrics: METRICS, redis: { url: redis.url, memberTtlMs: 15_000 } });
  const port = metricsPort(server);
  assert.equal((await healthz(port)).status, 200);
  assert.equal((await scrape(port)).value('termsender_cluster_redis_connected'), 1);
  await redis.stop();
  const down = await until(() => healthz(port), (answer) => answer.status === 503, '503 with Redis stopped');
  assert.match(down.body.reason ?? '', /redis/);
  assert.equal((await scrape(port)).value('termsender_cluster_redis_connected'), 0);
  await redis.start();
  await until(() => healthz(port), (answer) => answer.status === 200, '200 with Redis back');
});

test('--workers 2: the primary serves one /metrics counting both workers', { skip: noRedis }, async (t) => {
  const redis = await startRedis(t);
  const server = await spawnServer(t, ['--redis', redis.url, '--workers', '2', '--metrics', '127.0.0.1:0']);
  const port = Number(/metrics on .*:(\d+)$/.exec(await server.stdoutLine(/^metrics on /))?.[1]);
  const clients = 6;
  for (let i = 0; i < clients; i++) await signedInClient(t, server.port, `worker-user-${i}`);
  const m = await scrape(port);
  assert.equal(m.value('termsender_server_processes'), 2, 'both workers report');
  assert.equal(m.value('termsender_registrations_total'), clients);
  assert.equal(m.value('termsender_connections_accepted_total'), clients);
  assert.equal(m.value('termsender_cluster_redis_connected'), 2);
  assert.deepEqual(await healthz(port), { status: 200, body: { status: 'ok' } });
  server.child.kill('SIGTERM');
  assert.equal((await server.exited).code, 0);
});
