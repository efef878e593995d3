/** Several groups on one connection across two nodes on one real Redis (January additions): a group that is not current is live across nodes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { signedInClient, startTestServer } from '../helpers/server.js';
import { say } from '../helpers/wire-client.js';

const skip = hasRedis() ? false : 'redis-server is not installed (apt-get install redis-server); cluster tests skipped';

test('two nodes: messages and presence of a group that is not the current one cross nodes; leaving it stops them', { skip }, async (t) => {
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 }, limits: { rateLimit: 0 } })));
  const alice = await signedInClient(t, a!.port, 'alice', 'ops');
  await alice.request({ type: 'create_group', group: 'dev' });
  assert.equal((await alice.request({ type: 'join', group: 'dev', keep: true })).type, 'joined'); // dev current, ops kept
  const bob = await signedInClient(t, b!.port, 'bob', 'ops');
  assert.deepEqual(await alice.next('presence'), { type: 'presence', group: 'ops', user: 'bob', event: 'join' });
  const seq = await say(bob, 'to ops, across');
  const message = await alice.next('msg');
  assert.deepEqual([message.group, message.seq, message.text], ['ops', seq, 'to ops, across']);
  const ack = await alice.request({ type: 'say', text: 'back to ops', group: 'ops' });
  assert.ok(ack.type === 'ack');
  assert.deepEqual((await bob.next('msg')).text, 'back to ops');
  const who = await bob.request({ type: 'who' });
  assert.deepEqual(who.type === 'members' && [...who.members].sort(), ['alice', 'bob'], 'alice counts as in ops on the other node');
  assert.equal((await alice.request({ type: 'leave', group: 'ops' })).type, 'left');
  assert.deepEqual(await bob.next('presence'), { type: 'presence', group: 'ops', user: 'alice', event: 'leave' });
  await say(bob, 'after she left');
  await alice.sync();
  assert.deepEqual(alice.take('msg'), [], 'no msg for a group left');
});
