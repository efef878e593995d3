/**
 * A Redis that loses its data under running nodes (restarted without
 * persistence, or flushed): no session stays signed in as an account that no
 * longer exists. The node closes every session, says why, and stops (exit 1).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { signedInClient, spawnServer, startTestServer } from '../helpers/server.js';

const skip = hasRedis() ? false : 'redis-server is not installed; cluster tests skipped';

test('Redis restarted empty under a running node: sessions get shutdown, the node logs it and exits 1', { skip }, async (t) => {
  const redis = await startRedis(t, { persist: false });
  const server = await spawnServer(t, ['--redis', redis.url, '--member-ttl', '3']);
  const erin = await signedInClient(t, server.port, 'erin', 'team');
  await redis.stop();
  await redis.start(); // empty: no append-only file
  const shutdown = await erin.next('shutdown');
  assert.match(shutdown.type === 'shutdown' ? shutdown.message : '', /lost its data/);
  await erin.closed;
  assert.deepEqual(await server.exited, { code: 1, signal: null });
  assert.ok(server.stderr.some((line) => /shared store lost its data/.test(line)), server.stderr.join('\n'));
});

test('Redis flushed under a running node: sessions are closed, the node stops', { skip }, async (t) => {
  const redis = await startRedis(t);
  const server = await startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 } });
  const erin = await signedInClient(t, server.port, 'erin', 'team');
  const admin = new Redis(redis.url);
  t.after(() => admin.quit());
  await admin.flushall();
  await erin.next('shutdown');
  await erin.closed;
  assert.equal((await server.health()).status, 'draining');
});
