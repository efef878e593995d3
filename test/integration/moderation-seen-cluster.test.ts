/**
 * What members see of moderation and roles (January additions) across a
 * cluster: two nodes on one real Redis. A kick's leave, a role and a notice
 * made on one node reach the users on the other; a role given by another
 * node's `--admins` at its start reaches the account's connections.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { joined, outcome, signIn } from '../helpers/moderation.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { startTestServer } from '../helpers/server.js';
import type { WireClient } from '../helpers/wire-client.js';

const SKIP = { skip: hasRedis() ? false : 'redis-server is not installed' };

async function twoNodes(t: TestContext) {
  const redis = await startRedis(t);
  const config = { redis: { url: redis.url, memberTtlMs: 15_000 } };
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, config)));
  return { config, a: a!, b: b! };
}

function leaveOf(user: string) {
  return (message: { type: string; user?: string; event?: string }) => message.type === 'presence' && message.user === user && message.event === 'leave';
}

test('cluster: a kick or ban on node A shows on node B as a leave with by, reason and banned; a role set on A reaches everyone in the group on B', SKIP, async (t) => {
  const { a, b } = await twoNodes(t);
  const owner = await signIn(t, a.port, 'olga');
  const [victim, member, mod] = await Promise.all(['vic', 'mem', 'mo'].map((user) => signIn(t, b.port, user)));
  assert.equal(await outcome(owner, { type: 'create_group', group: 'lobby' }), 'group_created');
  for (const client of [owner, member!, mod!]) await joined(client, 'lobby');

  assert.equal(await outcome(owner, { type: 'set_role', group: 'lobby', user: 'mo', role: 'moderator' }), 'ok');
  for (const client of [owner, member!, mod!]) assert.deepEqual(await client.next('role'), { type: 'role', group: 'lobby', user: 'mo', role: 'moderator', by: 'olga' });

  await joined(victim!, 'lobby');
  assert.equal(await outcome(owner, { type: 'kick', group: 'lobby', user: 'vic', reason: 'cool off' }), 'ok');
  const kicked = { type: 'presence', group: 'lobby', user: 'vic', event: 'leave', by: 'olga', reason: 'cool off', banned: false };
  for (const client of [owner, member!]) assert.deepEqual(await client.next(leaveOf('vic')), kicked, 'the node of the kick and the node of the user');

  // A ban by the moderator on node B, seen on node A.
  await joined(victim!, 'lobby');
  assert.equal(await outcome(mod!, { type: 'ban', group: 'lobby', user: 'vic' }), 'ok');
  const banned = { type: 'presence', group: 'lobby', user: 'vic', event: 'leave', by: 'mo', banned: true };
  for (const client of [owner, member!]) assert.deepEqual(await client.next(leaveOf('vic')), banned);
});

test('cluster: an admin\'s notice on node A reaches every signed-in connection on both nodes, once', SKIP, async (t) => {
  const { config, a, b } = await twoNodes(t);
  const root = await signIn(t, a.port, 'root');
  const clients: WireClient[] = [root, await signIn(t, a.port, 'ann'), await signIn(t, b.port, 'ben'), await signIn(t, b.port, 'ann', 'login')];
  assert.equal(await outcome(clients[1]!, { type: 'create_group', group: 'lobby' }), 'group_created');
  await joined(clients[2]!, 'lobby');
  assert.equal(await outcome(root, { type: 'notice', text: 'from A' }), 'error:not_allowed');
  // Made an admin by a third node's --admins: node A reads the role at the request.
  await startTestServer(t, { ...config, admins: ['root'] });
  assert.equal(await outcome(root, { type: 'notice', text: 'maintenance at noon' }), 'ok');
  for (const client of clients) {
    const notice = await client.next('notice');
    assert.deepEqual([notice.text, notice.by], ['maintenance at noon', 'root']);
    await client.sync();
    assert.deepEqual(client.take('notice'), [], 'once');
  }
});

test('cluster: --admins at the start of a node gives the role to the account\'s connections on the other nodes (account_role), at once on their next request', SKIP, async (t) => {
  const { config, a, b } = await twoNodes(t);
  const onA = await signIn(t, a.port, 'root');
  const onB = await signIn(t, b.port, 'root', 'login');
  const other = await signIn(t, b.port, 'ann');
  await startTestServer(t, { ...config, admins: ['root'] });
  assert.equal((await onA.request({ type: 'ping' })).type, 'pong');
  assert.deepEqual(onA.take('account_role'), [{ type: 'account_role', role: 'admin' }]);
  assert.deepEqual(await onB.next('account_role'), { type: 'account_role', role: 'admin' });
  await other.sync();
  assert.deepEqual(other.take('account_role'), []);
});

test('a hung Redis does not hold a signed-in ping for the role check before it: pong within a second', SKIP, async (t) => {
  const redis = await startRedis(t);
  const server = await startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 } });
  const alice = await signIn(t, server.port, 'alice');
  assert.equal((await alice.request({ type: 'ping' })).type, 'pong');
  redis.freeze();
  t.after(() => redis.thaw());
  const started = performance.now();
  assert.equal((await alice.request({ type: 'ping' })).type, 'pong');
  const waited = performance.now() - started;
  redis.thaw();
  assert.ok(waited < 1_000, `answered after ${Math.round(waited)} ms`);
});
