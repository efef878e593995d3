/**
 * A hung Redis (SIGSTOP): requests are answered `unavailable` after a bounded
 * wait, a `say` so answered is never stored, and a stall shorter than the
 * member TTL (the documented node-death timeout) makes no presence change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { REDIS_REPLY_TIMEOUT_MS } from '../../src/redis/connection.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { signedInClient, startTestServer, type TestServer } from '../helpers/server.js';
import { expectError } from '../helpers/wire-client.js';

const skip = hasRedis() ? false : 'redis-server is not installed; cluster tests skipped';

test('a hung Redis: say is answered unavailable within the bound, and is not stored once Redis resumes', { skip }, async (t) => {
  const redis = await startRedis(t);
  const server = await startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 }, limits: { rateLimit: 0 } });
  const alice = await signedInClient(t, server.port, 'alice', 'team');
  const first = await alice.request({ type: 'say', text: 'before' });
  assert.ok(first.type === 'ack');
  redis.freeze();
  const started = performance.now();
  const refused = await alice.request({ type: 'say', text: 'during the stall' });
  const waited = performance.now() - started;
  redis.thaw();
  expectError(refused, 'unavailable');
  assert.ok(waited < REDIS_REPLY_TIMEOUT_MS + 2_000, `answered after ${Math.round(waited)} ms`);
  const next = await alice.request({ type: 'say', text: 'after' });
  assert.deepEqual(next.type === 'ack' && next.seq, (first.seq ?? 0) + 1, 'the refused say took no seq');
  const history = await alice.request({ type: 'history' });
  assert.deepEqual(history.type === 'history' && history.messages.map((m) => m.text), ['before', 'after']);
});

test('a Redis stall shorter than the member TTL makes no presence change', { skip }, async (t) => {
  const memberTtlMs = 6_000;
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs }, limits: { rateLimit: 0 } }))) as [TestServer, TestServer];
  const alice = await signedInClient(t, a.port, 'alice', 'team');
  const erin = await signedInClient(t, b.port, 'erin', 'team');
  await alice.next('presence');
  await sleep(memberTtlMs); // past the first TTL after start, when nodes begin to sweep
  redis.freeze();
  await sleep(memberTtlMs * 0.75); // the fault: a stall that swallows two refresh periods
  redis.thaw();
  await sleep(memberTtlMs); // every node renews and sweeps several times after the stall
  assert.equal((await erin.request({ type: 'say', text: 'after' })).type, 'ack');
  const next = await alice.next(() => true);
  assert.deepEqual(next.type === 'msg' && next.text, 'after', `alice received first: ${JSON.stringify(next)}`);
});
