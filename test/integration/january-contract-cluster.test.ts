/**
 * The January contract's "on every node" rules, tested from the wire alone
 * on two nodes sharing one real Redis: unsolicited messages of a non-current
 * group, `activity`, conversation markers, `notice`, `message_deleted`.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { dm, login } from '../helpers/conversations.js';
import { signedInClient, startTestServer } from '../helpers/server.js';
import { type ServerMessage, say, WireClient } from '../helpers/wire-client.js';

const skip = hasRedis() ? false : 'redis-server is not installed; cluster contract tests skipped';

async function twoNodes(t: TestContext) {
  const redis = await startRedis(t);
  const options = { redis: { url: redis.url, memberTtlMs: 15_000 }, limits: { rateLimit: 0, createRatePerHour: 10_000 } };
  const [a, b] = await Promise.all([startTestServer(t, options), startTestServer(t, options)]);
  return { redis, options, a: a.port, b: b.port };
}

async function ok(client: WireClient, request: object): Promise<void> {
  const reply = await client.request(request);
  assert.equal(reply.type, 'ok', JSON.stringify(reply));
}

async function join(client: WireClient, group: string, extra: object = {}): Promise<void> {
  const reply = await client.request({ type: 'join', group, ...extra });
  assert.equal(reply.type, 'joined', JSON.stringify(reply));
}

test('cluster: role, message_deleted, presence leave with by and kicked of a non-current group reach a connection on the other node; its current group stays', { skip }, async (t) => {
  const nodes = await twoNodes(t);
  const owner = await signedInClient(t, nodes.a, 'owner');
  for (const group of ['g1', 'g2']) assert.equal((await owner.request({ type: 'create_group', group })).type, 'group_created');
  await join(owner, 'g1');
  await join(owner, 'g2', { keep: true });
  const alice = await signedInClient(t, nodes.b, 'alice');
  const vic = await signedInClient(t, nodes.a, 'vic', 'g1');
  await join(alice, 'g1');
  await join(alice, 'g2', { keep: true }); // g1 not current on node B
  await ok(owner, { type: 'set_role', group: 'g1', user: 'vic', role: 'moderator' });
  assert.deepEqual(await alice.next('role'), { type: 'role', group: 'g1', user: 'vic', role: 'moderator', by: 'owner' });
  const seq = await say(vic, 'soon gone');
  await ok(vic, { type: 'delete_message', group: 'g1', seq });
  assert.deepEqual(await alice.next('message_deleted'), { type: 'message_deleted', group: 'g1', seq, by: 'vic' });
  await ok(owner, { type: 'set_role', group: 'g1', user: 'vic', role: 'member' });
  await ok(owner, { type: 'kick', group: 'g1', user: 'vic', reason: 'enough' });
  const leave = (m: ServerMessage) => m.type === 'presence' && m.event === 'leave' && m.user === 'vic';
  assert.deepEqual(await alice.next(leave), { type: 'presence', group: 'g1', user: 'vic', event: 'leave', by: 'owner', reason: 'enough', banned: false });
  await ok(owner, { type: 'kick', group: 'g1', user: 'alice' });
  assert.deepEqual(await alice.next('kicked'), { type: 'kicked', group: 'g1', by: 'owner', banned: false });
  await say(alice, 'still in g2');
  assert.equal((await owner.next((m) => m.type === 'msg' && m.text === 'still in g2')).type, 'msg');
  const who = await alice.request({ type: 'who' });
  assert.equal(who.type === 'members' && who.group, 'g2');
});

test('cluster: a message in a group joined before reaches a connection on the other node as activity, not msg', { skip }, async (t) => {
  const nodes = await twoNodes(t);
  const bob = await signedInClient(t, nodes.a, 'bob', 'g1');
  const alice = await signedInClient(t, nodes.b, 'alice', 'g1');
  assert.equal((await alice.request({ type: 'leave' })).type, 'left');
  await say(bob, 'while she is away');
  const activity = await alice.next('activity');
  assert.deepEqual([activity.group, activity.last_seq, activity.unread], ['g1', 1, 1]);
  await alice.sync();
  assert.deepEqual(alice.take('msg'), []);
});

test('cluster: a conversation\'s marker moved on one node is what the other node counts; the sender\'s marker moves with its dm', { skip }, async (t) => {
  const nodes = await twoNodes(t);
  const alice = await signedInClient(t, nodes.a, 'alice');
  const bob = await signedInClient(t, nodes.b, 'bob');
  for (const text of ['one', 'two', 'three']) assert.equal((await bob.request({ type: 'dm', to: 'alice', text })).type, 'ack');
  const aliceOnB = await login(t, nodes.b, 'alice');
  const unread = async (client: WireClient) => {
    const reply = await client.request({ type: 'conversations' });
    return reply.type === 'conversations' ? reply.conversations.find((c) => c.user === 'bob')?.unread : undefined;
  };
  assert.equal(await unread(aliceOnB), 3);
  await ok(alice, { type: 'mark_read', user: 'bob', seq: 2 });
  assert.equal(await unread(aliceOnB), 1);
  const ack = await aliceOnB.request({ type: 'dm', to: 'bob', text: 'read them' });
  assert.equal(ack.type === 'ack' && ack.seq, 4);
  assert.equal(await unread(alice), 0);
});

test('cluster: both sides writing at once through two nodes: one conversation\'s seqs from 1, each once, no gap', { skip }, async (t) => {
  const nodes = await twoNodes(t);
  const alice = await signedInClient(t, nodes.a, 'alice');
  const bob = await signedInClient(t, nodes.b, 'bob');
  const sends = [alice, bob].flatMap((client, index) => Array.from({ length: 100 }, (_, i) => dm(client, index === 0 ? 'bob' : 'alice', `${index}:${i}`)));
  const seqs = (await Promise.all(sends)).sort((x, y) => x - y);
  assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => i + 1));
});

test('cluster: an admin\'s notice reaches every signed-in connection on every node', { skip }, async (t) => {
  const nodes = await twoNodes(t);
  const root = await signedInClient(t, nodes.a, 'root');
  await startTestServer(t, { ...nodes.options, admins: ['root'] }); // a node started with --admins names the existing account
  const onB = await signedInClient(t, nodes.b, 'bob', 'g1');
  const alsoB = await signedInClient(t, nodes.b, 'carol');
  await ok(root, { type: 'notice', text: 'to everyone' });
  for (const client of [onB, alsoB]) {
    const notice = await client.next('notice');
    assert.deepEqual([notice.text, notice.by], ['to everyone', 'root']);
  }
});
