/**
 * The January contract (shared protocol.md, "Removing a message" and "What
 * members see of moderation and roles"), tested from the wire alone the way
 * an outside suite would: who may delete, the tombstone in every later
 * reply, `message_deleted` to every connection, conversation deletion,
 * presence after kick/ban, `role`, `notice`, bad fields.
 * Absence is proved by a later marker (a ping round trip), never a timeout.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { admin } from '../helpers/admin.js';
import { login } from '../helpers/conversations.js';
import { signedInClient, startTestServer, tempDir } from '../helpers/server.js';
import { expectError, say, type ServerMessage, WireClient } from '../helpers/wire-client.js';

const DELETED = '(message deleted)';

/**
 * `root` is an admin (server option `admins`, which names existing accounts:
 * registered on a first start, promoted at the restart); every other name a plain user.
 */
async function world<N extends string>(t: TestContext, names: readonly N[], dataDir = tempDir(t)) {
  const first = await startTestServer(t, { dataDir });
  await signedInClient(t, first.port, 'root');
  await first.close();
  const server = await startTestServer(t, { dataDir, admins: ['root'], limits: { rateLimit: 1000, createRatePerHour: 10_000 } });
  const clients = {} as Record<N, WireClient>;
  for (const name of names) clients[name] = name === 'root' ? await login(t, server.port, name) : await signedInClient(t, server.port, name);
  return { port: server.port, clients };
}

async function ok(client: WireClient, request: object): Promise<void> {
  const reply = await client.request(request);
  assert.equal(reply.type, 'ok', JSON.stringify(reply));
}

async function joined(client: WireClient, group: string, extra: object = {}): Promise<Extract<ServerMessage, { type: 'joined' }>> {
  const reply = await client.request({ type: 'join', group, ...extra });
  if (reply.type !== 'joined') throw new Error(`join ${group}: ${JSON.stringify(reply)}`);
  return reply;
}

async function received<T extends ServerMessage['type']>(client: WireClient, type: T): Promise<Array<Extract<ServerMessage, { type: T }>>> {
  await client.sync();
  return client.take(type);
}

test('delete_message in a group: the author, the owner, a moderator and an admin may; another member gets not_allowed', async (t) => {
  const { clients: { owner, mod, mem, other, root } } = await world(t, ['owner', 'mod', 'mem', 'other', 'root']);
  assert.equal((await owner.request({ type: 'create_group', group: 'room' })).type, 'group_created');
  await ok(owner, { type: 'set_role', group: 'room', user: 'mod', role: 'moderator' });
  for (const c of [owner, mod, mem, other]) await joined(c, 'room');
  const seqs: number[] = [];
  for (let i = 0; i < 5; i++) seqs.push(await say(mem, `line ${i}`));
  expectError(await other.request({ type: 'delete_message', group: 'room', seq: seqs[0] }), 'not_allowed');
  await ok(mem, { type: 'delete_message', group: 'room', seq: seqs[0] });
  await ok(owner, { type: 'delete_message', group: 'room', seq: seqs[1] });
  await ok(mod, { type: 'delete_message', group: 'room', seq: seqs[2] });
  await ok(root, { type: 'delete_message', group: 'room', seq: seqs[3] }); // not in the group, in GROUP_SELECT
  expectError(await mem.request({ type: 'delete_message', group: 'room', seq: 99 }), 'no_such_message');
  expectError(await mem.request({ type: 'delete_message', group: 'nowhere', seq: 1 }), 'no_such_group');
  const history = await owner.request({ type: 'history' });
  assert.deepEqual(history.type === 'history' && history.messages.map((m) => [m.text, m.deleted?.by]),
    [[DELETED, 'mem'], [DELETED, 'owner'], [DELETED, 'mod'], [DELETED, 'root'], ['line 4', undefined]]);
});

test('a removed message keeps seq, from and ts, has text (message deleted) and deleted {by, ts} in history, joined and join since; message_deleted reaches every connection in the group', async (t) => {
  const { port, clients: { alice, bob, carol } } = await world(t, ['alice', 'bob', 'carol']);
  assert.equal((await alice.request({ type: 'create_group', group: 'room' })).type, 'group_created');
  assert.equal((await alice.request({ type: 'create_group', group: 'elsewhere' })).type, 'group_created');
  await joined(alice, 'room');
  await joined(bob, 'room');
  await joined(carol, 'room');
  await joined(carol, 'elsewhere', { keep: true }); // room is not carol's current group
  const bob2 = await login(t, port, 'bob'); // not in the group
  await say(alice, 'first');
  const seq = await say(bob, 'oops');
  await say(alice, 'third');
  const before = await alice.request({ type: 'history' });
  const original = before.type === 'history' ? before.messages[1]! : undefined;
  await ok(bob, { type: 'delete_message', group: 'room', seq });
  for (const c of [alice, bob, carol]) assert.deepEqual(await c.next('message_deleted'), { type: 'message_deleted', group: 'room', seq, by: 'bob' });
  assert.deepEqual(await received(bob2, 'message_deleted'), [], 'not in the group: not told');
  const check = (m: { seq: number; from: string; text: string; ts: number; deleted?: { by: string; ts: number } } | undefined) => {
    assert.ok(m);
    assert.deepEqual([m.seq, m.from, m.ts, m.text, m.deleted?.by], [seq, 'bob', original?.ts, DELETED, 'bob']);
    assert.equal(typeof m.deleted?.ts, 'number');
  };
  const history = await alice.request({ type: 'history' });
  check(history.type === 'history' ? history.messages.find((m) => m.seq === seq) : undefined);
  check((await joined(bob2, 'room')).history.find((m) => m.seq === seq));
  const since = await joined(bob2, 'room', { since: 0 });
  check(since.history.find((m) => m.seq === seq));
  assert.deepEqual(since.history.map((m) => m.seq), [1, 2, 3]);
});

test('delete_message in a conversation: only one\'s own message; both sides get message_deleted with user = the other side', async (t) => {
  const { port, clients: { alice, bob } } = await world(t, ['alice', 'bob']);
  const alice2 = await login(t, port, 'alice');
  const ack = await alice.request({ type: 'dm', to: 'bob', text: 'regret' });
  assert.ok(ack.type === 'ack' && ack.seq === 1);
  const reply = await bob.request({ type: 'dm', to: 'alice', text: 'answer' });
  assert.ok(reply.type === 'ack' && reply.seq === 2);
  expectError(await bob.request({ type: 'delete_message', user: 'alice', seq: 1 }), 'not_allowed');
  expectError(await alice.request({ type: 'delete_message', user: 'bob', seq: 3 }), 'no_such_message');
  await ok(alice, { type: 'delete_message', user: 'bob', seq: 1 });
  for (const c of [alice, alice2]) assert.deepEqual(await c.next('message_deleted'), { type: 'message_deleted', user: 'bob', seq: 1, by: 'alice' });
  assert.deepEqual(await bob.next('message_deleted'), { type: 'message_deleted', user: 'alice', seq: 1, by: 'alice' });
  const history = await bob.request({ type: 'dm_history', user: 'alice' });
  assert.deepEqual(history.type === 'dm_history' && history.messages.map((m) => [m.seq, m.from, m.text, m.deleted?.by]),
    [[1, 'alice', DELETED, 'alice'], [2, 'bob', 'answer', undefined]]);
});

test('delete_message and mark_read with both or neither of user and group, or seq of the wrong kind, get bad_message; the connection stays open', async (t) => {
  const { clients: { alice } } = await world(t, ['alice', 'bob']);
  for (const request of [
    { type: 'delete_message', group: 'room', user: 'bob', seq: 1 },
    { type: 'delete_message', seq: 1 },
    { type: 'delete_message', group: 'room', seq: -1 },
    { type: 'delete_message', user: 'bob', seq: 'first' },
    { type: 'delete_message', group: 5, seq: 1 },
    { type: 'mark_read', group: 'room', user: 'bob', seq: 1 },
    { type: 'mark_read', seq: 1 },
  ]) expectError(await alice.request(request), 'bad_message');
  await alice.sync();
});

test('kick and ban: the others see presence leave with by, reason (when given) and banned', async (t) => {
  const { clients: { owner, vic, witness } } = await world(t, ['owner', 'vic', 'witness']);
  assert.equal((await owner.request({ type: 'create_group', group: 'room' })).type, 'group_created');
  await joined(witness, 'room');
  await joined(vic, 'room');
  await witness.next('presence');
  await ok(owner, { type: 'kick', group: 'room', user: 'vic', reason: 'calm down' });
  assert.deepEqual(await witness.next('presence'), { type: 'presence', group: 'room', user: 'vic', event: 'leave', by: 'owner', reason: 'calm down', banned: false });
  await joined(vic, 'room');
  await witness.next('presence');
  await ok(owner, { type: 'ban', group: 'room', user: 'vic' });
  assert.deepEqual(await witness.next('presence'), { type: 'presence', group: 'room', user: 'vic', event: 'leave', by: 'owner', banned: true });
  assert.deepEqual(await vic.next((m) => m.type === 'kicked' && m.banned), { type: 'kicked', group: 'room', by: 'owner', banned: true });
});

test('set_role sends role to every connection in the group, the target\'s included, and to no one else', async (t) => {
  const { clients: { owner, mem, witness, outsider } } = await world(t, ['owner', 'mem', 'witness', 'outsider']);
  assert.equal((await owner.request({ type: 'create_group', group: 'room' })).type, 'group_created');
  await joined(owner, 'room');
  await joined(witness, 'room');
  await joined(mem, 'room');
  await ok(owner, { type: 'set_role', group: 'room', user: 'mem', role: 'moderator' });
  const role = { type: 'role', group: 'room', user: 'mem', role: 'moderator', by: 'owner' };
  for (const c of [owner, witness, mem]) assert.deepEqual(await c.next('role'), role);
  assert.deepEqual(await received(outsider, 'role'), []);
});

test('notice: an admin\'s reaches every signed-in connection (in a group or not) with by and ts; a user\'s is not_allowed', async (t) => {
  const { port, clients: { root, alice, bob } } = await world(t, ['root', 'alice', 'bob']);
  assert.equal((await alice.request({ type: 'create_group', group: 'room' })).type, 'group_created');
  await joined(alice, 'room');
  const alice2 = await login(t, port, 'alice');
  const unsigned = await WireClient.connect(t, port);
  await unsigned.next('welcome');
  expectError(await alice.request({ type: 'notice', text: 'hear me' }), 'not_allowed');
  assert.deepEqual(await received(bob, 'notice'), []);
  await ok(root, { type: 'notice', text: 'maintenance at noon' });
  for (const c of [alice, alice2, bob, root]) {
    const notice = await c.next('notice');
    assert.deepEqual({ ...notice, ts: 0 }, { type: 'notice', text: 'maintenance at noon', by: 'root', ts: 0 });
  }
  assert.deepEqual(await received(unsigned, 'notice'), [], 'not signed in: not told');
});

test('account_role: a role changed by the admin command reaches the account\'s connections at the latest on their next request', async (t) => {
  const dataDir = tempDir(t);
  const { port, clients: { alice } } = await world(t, ['alice'], dataDir);
  const alice2 = await login(t, port, 'alice');
  assert.equal((await admin(t, ['set-role', 'alice', 'admin', '--data', dataDir])).code, 0);
  for (const connection of [alice, alice2]) {
    await connection.sync();
    assert.deepEqual(connection.take('account_role'), [{ type: 'account_role', role: 'admin' }]);
  }
  await ok(alice, { type: 'notice', text: 'now I may' });
});
