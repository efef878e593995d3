/** Issue 15 item 9: presence stops above --presence-max-members, so a crowd joining or leaving costs O(n). */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

async function crowd(t: TestContext, port: number, count: number, prefix: string): Promise<WireClient[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const client = await WireClient.connect(t, port);
    await client.next('welcome');
    assert.equal((await client.request({ type: 'register', user: `${prefix}${i}`, password: TEST_PASSWORD })).type, 'auth_ok');
    return client;
  }));
}

async function presenceAfterSync(clients: WireClient[]): Promise<number> {
  await Promise.all(clients.map((client) => client.sync()));
  return clients.reduce((sum, client) => sum + client.take('presence').length, 0);
}

test('--presence-max-members: presence goes on exactly up to that size, and stops above it', async (t) => {
  const server = await spawnServer(t, ['--data', tempDir(t), '--presence-max-members', '3']);
  const [first, second, third, fourth] = await crowd(t, server.port, 4, 'p');
  assert.equal((await first!.request({ type: 'create_group', group: 'g' })).type, 'group_created');
  for (const client of [first, second, third, fourth]) assert.equal((await client!.request({ type: 'join', group: 'g' })).type, 'joined');
  await first!.sync();
  assert.deepEqual(first!.take('presence').map((p) => `${p.user} ${p.event}`), ['p1 join', 'p2 join'], 'the 4th member made the group larger than 3');
  const who = await first!.request({ type: 'who' });
  assert.equal(who.type === 'members' && who.members.length, 4, 'who still lists everyone');
  assert.equal((await fourth!.request({ type: 'leave' })).type, 'left');
  assert.equal((await third!.request({ type: 'leave' })).type, 'left');
  await first!.sync();
  assert.deepEqual(first!.take('presence').map((p) => `${p.user} ${p.event}`), ['p2 leave'], 'a leave from 4 is silent, from 3 is seen');
});

test('a crowd of 150 joining and leaving at once with --presence-max-members 40: presence bounded, every reply arrives', async (t) => {
  const limit = 40;
  const server = await spawnServer(t, ['--data', tempDir(t), '--presence-max-members', String(limit), '--query-rate', '0']);
  const members = await crowd(t, server.port, 150, 'c');
  assert.equal((await members[0]!.request({ type: 'create_group', group: 'crowd' })).type, 'group_created');
  // Deliveries while the group is at most `limit` big: 1 + 2 + … + (limit - 1), plus a few held for joins under way.
  const bound = limit * limit;
  const joins = await Promise.all(members.map((member) => member.request({ type: 'join', group: 'crowd' })));
  assert.ok(joins.every((reply) => reply.type === 'joined'));
  const joinPresence = await presenceAfterSync(members);
  assert.ok(joinPresence >= (limit * (limit - 1)) / 2 && joinPresence <= bound, `join presence ${joinPresence}; without the cut it would be ${150 * 149 / 2}`);
  const leaves = await Promise.all(members.map((member) => member.request({ type: 'leave' })));
  assert.ok(leaves.every((reply) => reply.type === 'left'));
  const leavePresence = await presenceAfterSync(members);
  assert.equal(leavePresence, (limit * (limit - 1)) / 2, 'the last 40 to leave are seen by those still in');
});
