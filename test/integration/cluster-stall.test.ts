/**
 * A hung Redis (SIGSTOP): requests are answered `unavailable` after a bounded
 * wait, a `say` so answered is never stored, and a stall shorter than the
 * member TTL (the documented node-death timeout) makes no presence change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { REDIS_REPLY_TIMEOUT_MS } from '../../src/redis/connection.js';
import { nameKey } from '../../src/protocol/names.js';
import { REDIS_KEYS } from '../../src/redis/keys.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { signedInClient, startTestServer } from '../helpers/server.js';
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

test('a Redis stall shorter than the member TTL makes no presence change, even for a node slow to renew after it', { skip }, async (t) => {
  const memberTtlMs = 3_000; // refreshed every second
  const redis = await startRedis(t);
  const server = await startTestServer(t, { redis: { url: redis.url, memberTtlMs }, limits: { rateLimit: 0 } });
  const bob = await signedInClient(t, server.port, 'bob', 'team');
  const alice = await signedInClient(t, server.port, 'alice', 'team');
  await bob.next('presence');
  // Another node, played by the test: erin's entry, renewed every second as a node does.
  const otherNode = new Redis(redis.url);
  t.after(() => otherNode.quit());
  const renew = () => otherNode.zadd(REDIS_KEYS.members(nameKey('team')), Date.now() + memberTtlMs, 'othernode|erin');
  await renew();
  let renewing = setInterval(() => void renew(), memberTtlMs / 3);
  t.after(() => clearInterval(renewing));
  await sleep(memberTtlMs + 500); // past the first TTL after start, when the node sweeps
  redis.freeze();
  clearInterval(renewing);
  void renew(); // sent during the stall: lands when Redis resumes, with an expiry counted from now
  await sleep(memberTtlMs * 0.8); // the fault: a stall shorter than the TTL
  redis.thaw();
  // The other node renews half a TTL late after the stall (its timer was busy): its entry expired meanwhile.
  await sleep(memberTtlMs * 0.7);
  await renew();
  renewing = setInterval(() => void renew(), memberTtlMs / 3);
  await sleep(memberTtlMs); // the node sweeps several times
  assert.equal((await alice.request({ type: 'say', text: 'after' })).type, 'ack');
  const next = await bob.next(() => true);
  assert.deepEqual(next.type === 'msg' && next.text, 'after', `bob received first: ${JSON.stringify(next)}`);
});
