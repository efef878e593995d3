/**
 * The January contract (shared protocol.md, "Several groups on one
 * connection"), tested from the wire alone the way an outside suite would:
 * join with and without `keep`, re-join, `group` on say/who/history/leave,
 * `not_in_group`, the current group after leave/kick/delete, unsolicited
 * messages of non-current groups, `activity`, `limit_reached`, bad fields.
 * Absence is proved by a later marker (a ping round trip), never a timeout.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { type TestServerOptions, signedInClient, startTestServer } from '../helpers/server.js';
import { expectError, type ServerMessage, type WireClient } from '../helpers/wire-client.js';

const GENEROUS = { limits: { createRatePerHour: 10_000, maxGroupsPerUser: 10_000 } } satisfies TestServerOptions;

/** A server and a signed-in client per name (none in a group yet). */
async function world<N extends string>(t: TestContext, names: readonly N[], options: TestServerOptions = GENEROUS) {
  const server = await startTestServer(t, options);
  const clients = {} as Record<N, WireClient>;
  for (const name of names) clients[name] = await signedInClient(t, server.port, name);
  return { server, clients };
}

async function create(client: WireClient, ...groups: string[]): Promise<void> {
  for (const group of groups) assert.equal((await client.request({ type: 'create_group', group })).type, 'group_created');
}

async function join(client: WireClient, group: string, extra: object = {}): Promise<Extract<ServerMessage, { type: 'joined' }>> {
  const reply = await client.request({ type: 'join', group, ...extra });
  if (reply.type !== 'joined') throw new Error(`join ${group}: ${JSON.stringify(reply)}`);
  return reply;
}

/** Joins `groups` in order, the first without keep, the others with it: the last is current. */
async function joinAll(client: WireClient, ...groups: string[]): Promise<void> {
  for (const [index, group] of groups.entries()) await join(client, group, index === 0 ? {} : { keep: true });
}

/** Says `text` (in `group` when given) and returns the ack's seq. */
async function sayIn(client: WireClient, text: string, group?: string): Promise<number> {
  const ack = await client.request({ type: 'say', text, ...(group === undefined ? {} : { group }) });
  if (ack.type !== 'ack' || ack.seq === undefined) throw new Error(`say: ${JSON.stringify(ack)}`);
  return ack.seq;
}

/** The group a bare `say` lands in, as seen by `witness` (a member of every candidate group). */
async function currentGroupOf(client: WireClient, witness: WireClient, text: string): Promise<string> {
  await sayIn(client, text);
  const msg = await witness.next((m) => m.type === 'msg' && m.text === text);
  assert.equal(msg.type, 'msg');
  return msg.type === 'msg' ? msg.group : '';
}

/** Every message of `type` the client has received so far (after a ping round trip proves the order). */
async function received<T extends ServerMessage['type']>(client: WireClient, type: T): Promise<Array<Extract<ServerMessage, { type: T }>>> {
  await client.sync();
  return client.take(type);
}

test('join without keep leaves every group it is in (their members see presence leave); with keep it stays and the new group is current', async (t) => {
  const { clients: { alice, bob, carol } } = await world(t, ['alice', 'bob', 'carol']);
  await create(alice, 'g1', 'g2', 'g3');
  await join(bob, 'g1');
  await join(carol, 'g2');
  await joinAll(alice, 'g1', 'g2');
  assert.deepEqual(await bob.next('presence'), { type: 'presence', group: 'g1', user: 'alice', event: 'join' });
  assert.deepEqual(await carol.next('presence'), { type: 'presence', group: 'g2', user: 'alice', event: 'join' });
  assert.deepEqual(await received(bob, 'presence'), [], 'keep: alice stayed in g1');
  // The group joined last is current.
  await sayIn(alice, 'to the current group');
  assert.equal((await carol.next('msg')).group, 'g2');
  assert.deepEqual(await received(bob, 'msg'), []);
  // Without keep: leaves g1 and g2, then joins g3.
  await join(alice, 'g3');
  assert.deepEqual(await bob.next('presence'), { type: 'presence', group: 'g1', user: 'alice', event: 'leave' });
  assert.deepEqual(await carol.next('presence'), { type: 'presence', group: 'g2', user: 'alice', event: 'leave' });
  expectError(await alice.request({ type: 'who', group: 'g1' }), 'not_in_group');
});

test('a join (with keep) of a group the connection is already in makes it current and answers joined with history by since, with no presence for anyone', async (t) => {
  const { clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  await create(alice, 'g1', 'g2');
  await joinAll(bob, 'g1', 'g2');
  await joinAll(alice, 'g1', 'g2');
  await sayIn(bob, 'one', 'g1');
  await sayIn(bob, 'two', 'g1');
  await sayIn(bob, 'three', 'g1');
  await received(bob, 'presence');
  await received(alice, 'msg');
  const again = await join(alice, 'g1', { keep: true, since: 1 });
  assert.equal(again.group, 'g1');
  assert.equal(again.last_seq, 3);
  assert.deepEqual(again.history.map((m) => m.text), ['two', 'three']);
  assert.equal(again.more, false);
  assert.deepEqual(new Set(again.members), new Set(['alice', 'bob']));
  assert.deepEqual(await received(bob, 'presence'), [], 'no presence for the others');
  assert.deepEqual(await received(alice, 'presence'), [], 'no presence for the joiner');
  assert.equal(await currentGroupOf(alice, bob, 'now current'), 'g1');
  // Still in g2: its messages keep coming.
  await sayIn(bob, 'in g2', 'g2');
  assert.equal((await alice.next((m) => m.type === 'msg' && m.text === 'in g2')).type, 'msg');
});

test('say, who, history and leave with group act on that group, not the current one', async (t) => {
  const { clients: { alice, bob, carol } } = await world(t, ['alice', 'bob', 'carol']);
  await create(alice, 'g1', 'g2');
  await join(bob, 'g1');
  await join(carol, 'g2');
  await joinAll(alice, 'g1', 'g2');
  await received(carol, 'presence');
  const seq = await sayIn(alice, 'for g1', 'g1');
  assert.deepEqual({ ...(await bob.next('msg')), ts: 0 }, { type: 'msg', group: 'g1', seq, from: 'alice', text: 'for g1', ts: 0 });
  const who = await alice.request({ type: 'who', group: 'g1' });
  assert.equal(who.type, 'members');
  if (who.type === 'members') {
    assert.equal(who.group, 'g1');
    assert.deepEqual(new Set(who.members), new Set(['alice', 'bob']));
  }
  const history = await alice.request({ type: 'history', group: 'g1' });
  assert.equal(history.type, 'history');
  if (history.type === 'history') {
    assert.equal(history.group, 'g1');
    assert.deepEqual(history.messages.map((m) => m.text), ['for g1']);
  }
  const left = await alice.request({ type: 'leave', group: 'g1' });
  assert.equal(left.type === 'left' && left.group, 'g1');
  assert.deepEqual(await bob.next((m) => m.type === 'presence' && m.event === 'leave'), { type: 'presence', group: 'g1', user: 'alice', event: 'leave' });
  assert.deepEqual(await received(carol, 'presence'), [], 'g2 saw nothing');
  assert.equal(await currentGroupOf(alice, carol, 'still in g2'), 'g2');
});

test('say, who, history and leave naming a group the connection is not in get not_in_group, and nothing changes', async (t) => {
  const { clients: { alice, bob, carol } } = await world(t, ['alice', 'bob', 'carol']);
  await create(alice, 'g1', 'g2', 'other');
  await join(carol, 'other');
  await join(bob, 'g1');
  await joinAll(alice, 'g1', 'g2');
  await received(bob, 'presence');
  for (const request of [
    { type: 'say', text: 'stray', group: 'other' },
    { type: 'who', group: 'other' },
    { type: 'history', group: 'other' },
    { type: 'leave', group: 'other' },
    { type: 'leave', group: 'nowhere' },
  ]) expectError(await alice.request(request), 'not_in_group');
  // Nothing stored, nothing delivered, nobody left, still current in g2.
  assert.deepEqual(await received(carol, 'msg'), []);
  assert.equal((await join(carol, 'other', { keep: true })).last_seq, 0);
  assert.deepEqual(await received(bob, 'presence'), []);
  assert.equal((await alice.request({ type: 'who' })).type, 'members');
  await sayIn(alice, 'in g1 still', 'g1');
  assert.equal((await bob.next('msg')).text, 'in g1 still');
});

test('leave of the current group makes the most recently joined remaining group current; leaving the last one is GROUP_SELECT', async (t) => {
  const { clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  await create(alice, 'g1', 'g2', 'g3');
  for (const group of ['g1', 'g2', 'g3']) await join(bob, group, { keep: true });
  await joinAll(alice, 'g1', 'g3', 'g2');
  const left = await alice.request({ type: 'leave' });
  assert.equal(left.type === 'left' && left.group, 'g2');
  assert.equal(await currentGroupOf(alice, bob, 'after leaving g2'), 'g3');
  assert.equal((await alice.request({ type: 'leave' })).type, 'left');
  assert.equal(await currentGroupOf(alice, bob, 'after leaving g3'), 'g1');
  assert.equal((await alice.request({ type: 'leave' })).type, 'left');
  expectError(await alice.request({ type: 'say', text: 'nowhere' }), 'wrong_state');
  expectError(await alice.request({ type: 'who' }), 'wrong_state');
  assert.equal((await alice.request({ type: 'list_groups' })).type, 'groups');
});

test('kicked and group_deleted remove one group; the connection moves to GROUP_SELECT only when it was its last', async (t) => {
  const { clients: { alice, owner, witness } } = await world(t, ['owner', 'alice', 'witness']);
  await create(owner, 'g1', 'g2');
  await joinAll(witness, 'g1', 'g2');
  await joinAll(alice, 'g2', 'g1');
  assert.equal((await owner.request({ type: 'kick', group: 'g1', user: 'alice' })).type, 'ok');
  assert.deepEqual(await alice.next('kicked'), { type: 'kicked', group: 'g1', by: 'owner', banned: false });
  // g1 was current: g2 (the remaining one) is now.
  assert.equal(await currentGroupOf(alice, witness, 'after the kick'), 'g2');
  assert.equal((await owner.request({ type: 'delete_group', group: 'g2' })).type, 'ok');
  assert.deepEqual(await alice.next('group_deleted'), { type: 'group_deleted', group: 'g2', by: 'owner' });
  expectError(await alice.request({ type: 'say', text: 'nowhere' }), 'wrong_state');
});

test('kicked from a non-current group: the current group stays', async (t) => {
  const { clients: { alice, owner, witness } } = await world(t, ['owner', 'alice', 'witness']);
  await create(owner, 'g1', 'g2');
  await joinAll(witness, 'g1', 'g2');
  await joinAll(alice, 'g1', 'g2');
  assert.equal((await owner.request({ type: 'kick', group: 'g1', user: 'alice' })).type, 'ok');
  assert.equal((await alice.next('kicked')).group, 'g1');
  assert.equal(await currentGroupOf(alice, witness, 'still g2'), 'g2');
  expectError(await alice.request({ type: 'who', group: 'g1' }), 'not_in_group');
});

test('msg, presence, topic and role of a non-current group reach the connection; activity comes only for groups it is not in', async (t) => {
  const { clients: { alice, bob, dave } } = await world(t, ['alice', 'bob', 'dave']);
  await create(bob, 'g1', 'g2', 'g3');
  await join(alice, 'g3');
  await join(alice, 'g1');
  await join(alice, 'g2', { keep: true }); // current g2; g3 joined before, not in now
  await joinAll(bob, 'g1', 'g3');
  assert.equal((await alice.next('presence')).group, 'g1');
  await sayIn(bob, 'hello g1', 'g1');
  assert.deepEqual({ ...(await alice.next('msg')), ts: 0 }, { type: 'msg', group: 'g1', seq: 1, from: 'bob', text: 'hello g1', ts: 0 });
  await join(dave, 'g1');
  assert.deepEqual(await alice.next('presence'), { type: 'presence', group: 'g1', user: 'dave', event: 'join' });
  assert.equal((await bob.request({ type: 'set_topic', group: 'g1', topic: 'news' })).type, 'ok');
  assert.deepEqual(await alice.next('topic'), { type: 'topic', group: 'g1', topic: 'news', by: 'bob' });
  assert.equal((await bob.request({ type: 'set_role', group: 'g1', user: 'dave', role: 'moderator' })).type, 'ok');
  assert.deepEqual(await alice.next('role'), { type: 'role', group: 'g1', user: 'dave', role: 'moderator', by: 'bob' });
  await sayIn(bob, 'hello g3', 'g3');
  const activity = await alice.next('activity');
  assert.equal(activity.group, 'g3');
  assert.equal(activity.last_seq, 1);
  assert.deepEqual(await received(alice, 'activity'), [], 'no activity for g1, a group it is in');
});

test('a join with keep past --max-open-groups gets limit_reached and changes nothing; a re-join or a join without keep still works', async (t) => {
  const { clients: { alice, bob, carol } } = await world(t, ['alice', 'bob', 'carol'], { limits: { ...GENEROUS.limits, maxOpenGroups: 2 } });
  await create(alice, 'g1', 'g2', 'g3');
  await joinAll(bob, 'g1', 'g2');
  await join(carol, 'g3');
  await joinAll(alice, 'g1', 'g2');
  await received(bob, 'presence');
  expectError(await alice.request({ type: 'join', group: 'g3', keep: true }), 'limit_reached');
  assert.deepEqual(await received(carol, 'presence'), [], 'g3 saw no join');
  assert.equal(await currentGroupOf(alice, bob, 'still g2'), 'g2');
  assert.equal((await join(alice, 'g1', { keep: true })).group, 'g1');
  assert.equal(await currentGroupOf(alice, bob, 'g1 again'), 'g1');
  assert.equal((await join(alice, 'g3')).group, 'g3');
});

test('--max-open-groups defaults to 100: the 101st group joined with keep gets limit_reached', async (t) => {
  const { clients: { alice } } = await world(t, ['alice']);
  const groups = Array.from({ length: 101 }, (_, i) => `g${i + 1}`);
  await create(alice, ...groups);
  await joinAll(alice, ...groups.slice(0, 100));
  expectError(await alice.request({ type: 'join', group: 'g101', keep: true }), 'limit_reached');
});

test('keep, group, since of the wrong kind get bad_message and the connection stays open', async (t) => {
  const { clients: { alice } } = await world(t, ['alice']);
  await create(alice, 'g1');
  expectError(await alice.request({ type: 'join', group: 'g1', keep: 'yes' }), 'bad_message');
  expectError(await alice.request({ type: 'join', group: 'g1', since: -1 }), 'bad_message');
  await join(alice, 'g1');
  for (const request of [
    { type: 'say', text: 'x', group: 5 },
    { type: 'who', group: 5 },
    { type: 'history', group: true },
    { type: 'leave', group: ['g1'] },
  ]) expectError(await alice.request(request), 'bad_message');
  await alice.sync();
  assert.equal((await alice.request({ type: 'who' })).type, 'members', 'still in g1');
});

test('a join without keep of a group the connection is already in leaves the others (presence leave there) and sends no presence for that group', async (t) => {
  const { clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  await create(bob, 'g1', 'g2');
  await joinAll(bob, 'g1', 'g2');
  await joinAll(alice, 'g1', 'g2');
  await received(bob, 'presence');
  assert.equal((await join(alice, 'g1')).group, 'g1');
  assert.deepEqual(await received(bob, 'presence'), [{ type: 'presence', group: 'g2', user: 'alice', event: 'leave' }]);
  expectError(await alice.request({ type: 'who', group: 'g2' }), 'not_in_group');
});

test('a join with keep that fails (no_such_group, banned) changes nothing: the groups and the current one stay', async (t) => {
  const { clients: { alice, owner } } = await world(t, ['owner', 'alice']);
  await create(owner, 'g1', 'g2');
  await joinAll(owner, 'g1', 'g2');
  await joinAll(alice, 'g2', 'g1');
  assert.equal((await owner.request({ type: 'ban', group: 'g1', user: 'alice' })).type, 'ok');
  assert.equal((await alice.next('kicked')).group, 'g1');
  expectError(await alice.request({ type: 'join', group: 'g1', keep: true }), 'banned');
  expectError(await alice.request({ type: 'join', group: 'nowhere', keep: true }), 'no_such_group');
  expectError(await alice.request({ type: 'join', group: 'nowhere' }), 'no_such_group');
  assert.equal(await currentGroupOf(alice, owner, 'still in g2'), 'g2');
});

test('group_deleted of a non-current group leaves the current one as it is', async (t) => {
  const { clients: { alice, owner, witness } } = await world(t, ['owner', 'alice', 'witness']);
  await create(owner, 'g1', 'g2');
  await joinAll(witness, 'g1', 'g2');
  await joinAll(alice, 'g1', 'g2');
  assert.equal((await owner.request({ type: 'delete_group', group: 'g1' })).type, 'ok');
  assert.deepEqual(await alice.next('group_deleted'), { type: 'group_deleted', group: 'g1', by: 'owner' });
  assert.equal(await currentGroupOf(alice, witness, 'g2 stays'), 'g2');
});

test('a group left with leave {group} is not one the connection is in: its messages come as activity, not msg', async (t) => {
  const { clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  await create(bob, 'g1', 'g2');
  await join(bob, 'g1');
  await joinAll(alice, 'g1', 'g2');
  assert.equal((await alice.request({ type: 'leave', group: 'g1' })).type, 'left');
  await sayIn(bob, 'after she left', 'g1');
  const activity = await alice.next('activity');
  assert.deepEqual([activity.group, activity.last_seq], ['g1', 1]);
  assert.deepEqual(await received(alice, 'msg'), []);
});

test('bye and a closed connection leave every group the connection is in: each group\'s members see presence leave', async (t) => {
  const { clients: { alice, bob, carol } } = await world(t, ['alice', 'bob', 'carol']);
  await create(bob, 'g1', 'g2');
  for (const client of [bob, alice, carol]) {
    await join(client, 'g1');
    await join(client, 'g2', { keep: true });
  }
  await received(bob, 'presence');
  const leaveOf = (user: string, group: string) => (m: ServerMessage) => m.type === 'presence' && m.event === 'leave' && m.user === user && m.group === group;
  alice.send({ type: 'bye' });
  await alice.closed;
  for (const group of ['g1', 'g2']) assert.ok(await bob.next(leaveOf('alice', group)));
  carol.destroy();
  for (const group of ['g1', 'g2']) assert.ok(await bob.next(leaveOf('carol', group)));
});
