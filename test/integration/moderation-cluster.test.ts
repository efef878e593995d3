/** Issue 11, moderation across a cluster: two server nodes on one real Redis; the admin command's delete-group on Redis. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RedisStore } from '../../src/store/redis.js';
import { finished, runCommand } from '../helpers/command.js';
import { joined, listed, outcome, signIn } from '../helpers/moderation.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { startTestServer } from '../helpers/server.js';
import { expectError } from '../helpers/wire-client.js';

const SKIP = { skip: hasRedis() ? false : 'redis-server is not installed' };

async function twoNodes(t: Parameters<typeof startRedis>[0]) {
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 } })));
  return { redis, a: a!, b: b! };
}

test('cluster: topic, kick, ban and delete_group on node A reach the users on node B', SKIP, async (t) => {
  const { a, b } = await twoNodes(t);
  const owner = await signIn(t, a.port, 'olga');
  const victim = await signIn(t, b.port, 'vic');
  const member = await signIn(t, b.port, 'mem');
  assert.equal(await outcome(owner, { type: 'create_group', group: 'lobby', private: true }), 'group_created');
  assert.deepEqual(await listed(member), []);
  for (const user of ['vic', 'mem']) assert.equal(await outcome(owner, { type: 'invite', group: 'lobby', user }), 'ok');
  assert.deepEqual(await listed(member), ['lobby']);
  await joined(victim, 'lobby');
  await joined(member, 'lobby');
  await joined(owner, 'lobby');

  assert.equal(await outcome(owner, { type: 'set_topic', group: 'lobby', topic: 'cluster-wide' }), 'ok');
  for (const client of [victim, member]) assert.deepEqual(await client.next('topic'), { type: 'topic', group: 'lobby', topic: 'cluster-wide', by: 'olga' });

  assert.equal(await outcome(owner, { type: 'kick', group: 'lobby', user: 'vic', reason: 'cool off' }), 'ok');
  assert.deepEqual(await victim.next('kicked'), { type: 'kicked', group: 'lobby', by: 'olga', reason: 'cool off', banned: false });
  assert.equal(await outcome(victim, { type: 'who' }), 'error:wrong_state');
  await member.next((m) => m.type === 'presence' && m.user === 'vic' && m.event === 'leave');
  await joined(victim, 'lobby');

  assert.equal(await outcome(owner, { type: 'ban', group: 'lobby', user: 'vic' }), 'ok');
  assert.deepEqual(await victim.next('kicked'), { type: 'kicked', group: 'lobby', by: 'olga', banned: true });
  expectError(await victim.request({ type: 'join', group: 'lobby' }), 'banned');

  assert.equal((await owner.request({ type: 'say', text: 'old history' })).type, 'ack');
  await member.next('msg');
  assert.equal(await outcome(owner, { type: 'delete_group', group: 'lobby' }), 'ok');
  for (const client of [owner, member]) assert.deepEqual(await client.next('group_deleted'), { type: 'group_deleted', group: 'lobby', by: 'olga' });
  await owner.sync();
  assert.deepEqual(owner.take('group_deleted'), [], 'told once, though the store announces it too');

  // Made again: its seqs start from 1, and node B still delivers them.
  assert.equal(await outcome(member, { type: 'create_group', group: 'lobby' }), 'group_created');
  assert.equal((await joined(member, 'lobby')).last_seq, 0);
  await joined(owner, 'lobby');
  assert.equal(await outcome(victim, { type: 'join', group: 'lobby' }), 'joined');
  const ack = await owner.request({ type: 'say', text: 'fresh start' });
  assert.equal(ack.type === 'ack' && ack.seq, 1);
  for (const client of [member, victim]) {
    const message = await client.next('msg');
    assert.deepEqual([message.seq, message.text], [1, 'fresh start']);
  }
});

test('cluster: admin delete-group on Redis: live members on every node get group_deleted at once', SKIP, async (t) => {
  const { redis, a, b } = await twoNodes(t);
  const onA = await signIn(t, a.port, 'olga');
  const onB = await signIn(t, b.port, 'mem');
  assert.equal(await outcome(onA, { type: 'create_group', group: 'Lobby', private: true }), 'group_created');
  assert.equal(await outcome(onA, { type: 'invite', group: 'lobby', user: 'mem' }), 'ok');
  await joined(onA, 'lobby');
  await joined(onB, 'lobby');
  const listing = await finished(runCommand(t, 'dist/src/cli/admin.js', ['groups', '--redis', redis.url, '--json']));
  assert.equal(listing.code, 0, listing.stderr.join('\n'));
  assert.deepEqual(JSON.parse(listing.stdout.join('\n')).map((g: { name: string; owner: string; private: boolean }) => [g.name, g.owner, g.private]),
    [['Lobby', 'olga', true]]);
  const deleted = await finished(runCommand(t, 'dist/src/cli/admin.js', ['delete-group', 'LOBBY', '--redis', redis.url]));
  assert.deepEqual([deleted.code, deleted.stdout], [0, ['Lobby: deleted, with its history']], deleted.stderr.join('\n'));
  for (const client of [onA, onB]) assert.deepEqual(await client.next('group_deleted'), { type: 'group_deleted', group: 'Lobby', by: 'admin' });
  const again = await finished(runCommand(t, 'dist/src/cli/admin.js', ['delete-group', 'lobby', '--redis', redis.url]));
  assert.deepEqual([again.code, again.stderr], [1, ["termsender-admin: no group 'lobby'"]]);
  const store = await RedisStore.connect(redis.url, () => undefined);
  t.after(() => store.close());
  assert.deepEqual([await store.moderation.groupSettings('lobby'), await store.groups.countOwnedGroups('olga')], [undefined, 0]);
});
