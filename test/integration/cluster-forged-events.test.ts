/**
 * Events forged on the cluster's Redis channel (by whoever can write to it)
 * are judged like client input: a msg with a seq far beyond the group's
 * counter does not stop live delivery; names with escapes, an oversized topic
 * and a 20 MB one are dropped, and no member is disconnected.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Redis } from 'ioredis';
import { EVENT_DIRECT, EVENT_GROUP, EVENT_MESSAGE, EVENT_PRESENCE, REDIS_KEYS } from '../../src/redis/keys.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { signedInClient, startTestServer, type TestServer } from '../helpers/server.js';
import type { WireClient } from '../helpers/wire-client.js';

const skip = hasRedis() ? false : 'redis-server is not installed; cluster tests skipped';

async function twoNodes(t: TestContext): Promise<{ alice: WireClient; bob: WireClient; forge: (payload: string) => Promise<void> }> {
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 }, limits: { rateLimit: 0 } }))) as [TestServer, TestServer];
  const alice = await signedInClient(t, a.port, 'alice', 'team');
  const bob = await signedInClient(t, b.port, 'bob', 'team');
  await alice.next('presence');
  const publisher = new Redis(redis.url);
  t.after(() => publisher.quit());
  return { alice, bob, forge: async (payload) => { await publisher.publish(REDIS_KEYS.events, payload); } };
}

/** Alice says `text`; the next thing Bob receives, whatever it is, must be that message (nothing forged came before it). */
async function nextIsMessage(alice: WireClient, bob: WireClient, text: string): Promise<void> {
  assert.equal((await alice.request({ type: 'say', text })).type, 'ack');
  const next = await bob.next(() => true);
  assert.deepEqual(next.type === 'msg' && [next.from, next.text], ['alice', text], `received instead: ${JSON.stringify(next).slice(0, 200)}`);
}

test('a forged msg with seq 10^12 does not stop live delivery of the group', { skip }, async (t) => {
  const { alice, bob, forge } = await twoNodes(t);
  const forged = (seq: number) => `${EVENT_MESSAGE}x\n${JSON.stringify({ group: 'team', seq, from: 'alice', text: 'forged', ts: Date.now() })}`;
  await forge(forged(1e12)); // into a group with no message yet
  await nextIsMessage(alice, bob, 'first');
  await forge(forged(1e12));
  await nextIsMessage(alice, bob, 'after one');
  await nextIsMessage(alice, bob, 'after two');
});

test('forged events breaking the client rules are dropped: escapes in names, a 5 KB topic, a 20 MB topic, escapes in a dm', { skip }, async (t) => {
  const { alice, bob, forge } = await twoNodes(t);
  const event = (kind: string, body: object) => kind + JSON.stringify({ origin: 'f00dbabe0000', body });
  await forge(event(EVENT_PRESENCE, { type: 'presence', group: 'team', user: 'ev\u001b[2Jil', event: 'join' }));
  await forge(event(EVENT_GROUP, { kind: 'topic', group: 'team', by: 'alice', topic: 't'.repeat(5000) }));
  await forge(event(EVENT_GROUP, { kind: 'topic', group: 'team', by: 'alice', topic: 'x'.repeat(20 * 1024 * 1024) }));
  await forge(event(EVENT_GROUP, { kind: 'kicked', group: 'team', user: 'bob', by: 'al\u001bice', banned: true }));
  await forge(event(EVENT_DIRECT, { type: 'dm', from: 'admin', to: 'bob', text: 'reset your password \u001b]0;x\u0007', ts: Date.now() }));
  await forge(`${EVENT_MESSAGE}x\n${JSON.stringify({ group: 'team', seq: 2, from: 'al\u001bice', text: 'forged', ts: Date.now() })}`);
  await nextIsMessage(alice, bob, 'still here');
  // A valid topic event still passes: the checks do not drop what a node sends.
  await forge(event(EVENT_GROUP, { kind: 'topic', group: 'team', by: 'alice', topic: 'fine' }));
  const topic = await bob.next(() => true);
  assert.deepEqual(topic, { type: 'topic', group: 'team', topic: 'fine', by: 'alice' });
});
