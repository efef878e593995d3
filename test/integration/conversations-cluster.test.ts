/** Issue 22 item 2 across nodes: two nodes on one real Redis deliver, store and block direct messages as one server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dm, login } from '../helpers/conversations.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { signedInClient, startTestServer } from '../helpers/server.js';
import { expectError } from '../helpers/wire-client.js';

const skip = hasRedis() ? false : 'redis-server is not installed; cluster conversation tests skipped';

test('a dm from node A reaches the recipient on B and the sender\'s other connection on B, once each; blocks set on A hold on B', { skip }, async (t) => {
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 }, limits: { rateLimit: 0 } })));
  const alice = await signedInClient(t, a!.port, 'alice');
  const aliceOnB = await login(t, b!.port, 'alice');
  const bob = await signedInClient(t, b!.port, 'bob');
  const carol = await signedInClient(t, a!.port, 'carol');
  const seqs: number[] = [];
  for (let i = 1; i <= 5; i++) seqs.push(await dm(alice, 'bob', `hi ${i}`));
  assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
  for (const client of [bob, aliceOnB]) {
    const got: string[] = [];
    for (let i = 0; i < 5; i++) {
      const message = await client.next('dm');
      got.push(`${message.seq}:${message.from}>${message.to}:${message.text}`);
    }
    assert.deepEqual(got.sort(), seqs.map((seq) => `${seq}:alice>bob:hi ${seq}`));
  }
  // A reply from B: seqs of one conversation on both nodes, no gap; the sending node's other connection sees it.
  assert.equal(await dm(bob, 'alice', 'back at you'), 6);
  for (const client of [alice, aliceOnB]) assert.equal((await client.next('dm')).seq, 6);
  for (const client of [alice, aliceOnB, bob, carol]) await client.sync();
  assert.deepEqual([alice, aliceOnB, bob, carol].map((client) => client.take('dm').length), [0, 0, 0, 0], 'once each, nowhere else');

  // A block set through node A refuses a dm sent through node B, stored nowhere.
  assert.equal((await alice.request({ type: 'block', user: 'bob' })).type, 'ok');
  expectError(await bob.request({ type: 'dm', to: 'alice', text: 'blocked?' }), 'blocked');
  const listed = await aliceOnB.request({ type: 'blocked' });
  assert.deepEqual(listed.type === 'blocked' && listed.users, ['bob']);
  const history = await bob.request({ type: 'dm_history', user: 'alice' });
  assert.deepEqual(history.type === 'dm_history' && history.messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6]);

  // Markers are shared: read on B, seen on A.
  const before = await bob.request({ type: 'conversations' });
  assert.deepEqual(before.type === 'conversations' && before.conversations.map((c) => [c.user, c.last_seq, c.unread]), [['alice', 6, 0]]);
  assert.equal((await aliceOnB.request({ type: 'mark_read', user: 'bob', seq: 5 })).type, 'ok');
  const seen = await alice.request({ type: 'conversations' });
  assert.deepEqual(seen.type === 'conversations' && seen.conversations.map((c) => [c.user, c.last_seq, c.unread]), [['bob', 6, 1]]);
  // A dm to an account connected to no node is stored.
  carol.destroy();
  await carol.closed;
  assert.equal(await dm(bob, 'carol', 'later'), 1);
});
