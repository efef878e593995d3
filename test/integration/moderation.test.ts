/** Issue 11, moderation: every request × role, private groups on every path, kick/ban/topic/delete/set_role effects. */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { joined, listed, outcome, signIn } from '../helpers/moderation.js';
import { startTestServer, tempDir } from '../helpers/server.js';
import { expectError, type WireClient } from '../helpers/wire-client.js';

const ROLES = ['owner', 'moderator', 'member', 'admin', 'outsider'] as const;
type Role = (typeof ROLES)[number];

interface World {
  port: number;
  store: Store;
  dataDir: string;
  as: Record<Role, WireClient>;
  /** The user acted on. */
  victim: WireClient;
  close(): Promise<void>;
}

const NAMES: Record<Role, string> = { owner: 'olga', moderator: 'mo', member: 'mem', admin: 'root', outsider: 'out' };

async function world(t: TestContext, dataDir = tempDir(t)): Promise<World> {
  const store = SqliteStore.open(dataDir);
  const server = await startTestServer(t, { store, dataDir, limits: { createRatePerHour: 10_000, maxGroupsPerUser: 10_000 } });
  const as = {} as Record<Role, WireClient>;
  for (const role of ROLES) as[role] = await signIn(t, server.port, NAMES[role]);
  assert.equal(await store.accounts.setRole('root', 'admin'), true);
  const victim = await signIn(t, server.port, 'vic');
  return { port: server.port, store, dataDir, as, victim, close: () => server.close() };
}

/** A group made by the owner, `mo` its moderator, `mem` (and `vic`) invited when private. */
async function group(w: World, name: string, isPrivate = false): Promise<void> {
  assert.equal(await outcome(w.as.owner, { type: 'create_group', group: name, ...(isPrivate ? { private: true } : {}) }), 'group_created');
  assert.equal(await outcome(w.as.owner, { type: 'set_role', group: name, user: 'mo', role: 'moderator' }), 'ok');
  if (isPrivate) {
    for (const user of ['mem', 'vic']) assert.equal(await outcome(w.as.owner, { type: 'invite', group: name, user }), 'ok');
  }
}

type RequestMaker = (group: string) => object;
const REQUESTS: Record<string, RequestMaker> = {
  set_topic: (group) => ({ type: 'set_topic', group, topic: 'hello' }),
  invite: (group) => ({ type: 'invite', group, user: 'vic' }),
  uninvite: (group) => ({ type: 'uninvite', group, user: 'vic' }),
  kick: (group) => ({ type: 'kick', group, user: 'vic', reason: 'calm down' }),
  ban: (group) => ({ type: 'ban', group, user: 'vic' }),
  unban: (group) => ({ type: 'unban', group, user: 'vic' }),
  set_role: (group) => ({ type: 'set_role', group, user: 'vic', role: 'moderator' }),
  delete_group: (group) => ({ type: 'delete_group', group }),
};

/** Who may: owner, moderator (not set_role, delete_group), admin. */
function expected(request: string, role: Role, isPrivate: boolean): string {
  if (role === 'outsider' && isPrivate) return 'error:no_such_group';
  if (role === 'owner' || role === 'admin') return 'ok';
  if (role === 'moderator' && request !== 'set_role' && request !== 'delete_group') return 'ok';
  return 'error:not_allowed';
}

for (const isPrivate of [false, true]) {
  test(`every moderation request × role (${isPrivate ? 'private' : 'public'} group)`, async (t) => {
    const w = await world(t);
    let n = 0;
    for (const [request, make] of Object.entries(REQUESTS)) {
      for (const role of ROLES) {
        const name = `g${n++}`;
        await group(w, name, isPrivate);
        assert.equal(await outcome(w.as[role], make(name)), expected(request, role, isPrivate), `${request} by ${role}`);
      }
    }
    // Unknown group and malformed names: no_such_group for everyone; unknown target: no_such_user once allowed.
    await group(w, 'known', isPrivate);
    for (const role of ROLES) {
      assert.equal(await outcome(w.as[role], { type: 'kick', group: 'nowhere', user: 'vic' }), 'error:no_such_group');
      assert.equal(await outcome(w.as[role], { type: 'set_topic', group: 'bad name!', topic: '' }), 'error:no_such_group');
      const unknownTarget = await outcome(w.as[role], { type: 'ban', group: 'known', user: 'nobody' });
      assert.equal(unknownTarget, expected('ban', role, isPrivate) === 'ok' ? 'error:no_such_user' : expected('ban', role, isPrivate), role);
    }
  });
}

test('nobody kicks or bans the owner or an admin; set_role cannot touch the owner; validation of the new requests', async (t) => {
  const w = await world(t);
  await group(w, 'lobby');
  for (const role of ['moderator', 'admin', 'owner'] as const) {
    assert.equal(await outcome(w.as[role], { type: 'kick', group: 'lobby', user: 'OLGA' }), 'error:not_allowed', role);
    assert.equal(await outcome(w.as[role], { type: 'ban', group: 'lobby', user: 'olga' }), 'error:not_allowed', role);
  }
  assert.equal(await outcome(w.as.moderator, { type: 'ban', group: 'lobby', user: 'root' }), 'error:not_allowed');
  assert.equal(await outcome(w.as.admin, { type: 'set_role', group: 'lobby', user: 'olga', role: 'member' }), 'error:not_allowed');
  assert.equal(await outcome(w.as.owner, { type: 'set_role', group: 'lobby', user: 'vic', role: 'owner' }), 'error:bad_message');
  assert.equal(await outcome(w.as.owner, { type: 'set_topic', group: 'lobby', topic: 'x'.repeat(301) }), 'error:bad_message');
  assert.equal(await outcome(w.as.owner, { type: 'set_topic', group: 'lobby', topic: 'bell\u0007' }), 'error:bad_message');
  assert.equal(await outcome(w.as.owner, { type: 'set_topic', group: 'lobby', topic: 'é'.repeat(150) }), 'ok');
  const anonymous = await (await import('../helpers/wire-client.js')).WireClient.connect(t, w.port);
  await anonymous.next('welcome');
  for (const make of Object.values(REQUESTS)) assert.equal(await outcome(anonymous, make('lobby')), 'error:wrong_state');
});

test('topic: members in the group get it, joined and list_groups show it, empty clears it', async (t) => {
  const w = await world(t);
  await group(w, 'lobby');
  await joined(w.as.member, 'lobby');
  await joined(w.victim, 'lobby');
  assert.equal(await outcome(w.as.moderator, { type: 'set_topic', group: 'LOBBY', topic: 'be kind' }), 'ok');
  for (const client of [w.as.member, w.victim]) assert.deepEqual(await client.next('topic'), { type: 'topic', group: 'lobby', topic: 'be kind', by: 'mo' });
  await w.as.outsider.sync();
  assert.deepEqual(w.as.outsider.take('topic'), []);
  const reply = await joined(w.as.outsider, 'lobby');
  assert.deepEqual([reply.topic, reply.owner, reply.role], ['be kind', 'olga', 'member']);
  assert.deepEqual([(await joined(w.as.moderator, 'lobby')).role, (await joined(w.as.owner, 'lobby')).role, (await joined(w.as.admin, 'lobby')).role],
    ['moderator', 'owner', 'member']);
  const groups = await w.as.member.request({ type: 'list_groups' });
  assert.deepEqual(groups.type === 'groups' && groups.groups.map((g) => [g.name, g.topic, g.private]), [['lobby', 'be kind', false]]);
  assert.equal(await outcome(w.as.owner, { type: 'set_topic', group: 'lobby', topic: '' }), 'ok');
  assert.deepEqual(await w.victim.next('topic'), { type: 'topic', group: 'lobby', topic: '', by: 'olga' });
  assert.equal((await joined(w.as.member, 'lobby')).topic, '');
});

test('kick: every connection of the user in the group gets kicked and goes to GROUP_SELECT; others see leave; the user may rejoin', async (t) => {
  const w = await world(t);
  await group(w, 'lobby');
  const second = await signIn(t, w.port, 'vic', 'login');
  const notInGroup = await signIn(t, w.port, 'vic', 'login');
  await joined(w.victim, 'lobby');
  await joined(second, 'lobby');
  await joined(w.as.member, 'lobby');
  assert.equal(await outcome(w.as.moderator, { type: 'kick', group: 'lobby', user: 'VIC', reason: 'calm down' }), 'ok');
  for (const client of [w.victim, second]) {
    assert.deepEqual(await client.next('kicked'), { type: 'kicked', group: 'lobby', by: 'mo', reason: 'calm down', banned: false });
    assert.equal(await outcome(client, { type: 'say', text: 'still here?' }), 'error:wrong_state');
  }
  const leave = await w.as.member.next('presence');
  assert.deepEqual([leave.user, leave.event], ['vic', 'leave']);
  await notInGroup.sync();
  assert.deepEqual(notInGroup.take('kicked'), []);
  await joined(w.victim, 'lobby');
  assert.equal(await outcome(w.as.owner, { type: 'kick', group: 'lobby', user: 'mem' }), 'ok'); // no reason: none sent
  assert.deepEqual(await w.as.member.next('kicked'), { type: 'kicked', group: 'lobby', by: 'olga', banned: false });
});

test('ban: kicked with banned, join is banned until unban; a ban survives a restart', async (t) => {
  const dataDir = tempDir(t);
  const w = await world(t, dataDir);
  await group(w, 'lobby');
  await joined(w.victim, 'lobby');
  assert.equal(await outcome(w.as.owner, { type: 'ban', group: 'lobby', user: 'vic', reason: 'spam' }), 'ok');
  assert.deepEqual(await w.victim.next('kicked'), { type: 'kicked', group: 'lobby', by: 'olga', reason: 'spam', banned: true });
  assert.match(expectError(await w.victim.request({ type: 'join', group: 'lobby' }), 'banned').message, /spam/);
  const { ban } = await w.store.moderation.standing('LOBBY', 'vic');
  assert.deepEqual([ban?.reason, ban?.by, typeof ban?.at], ['spam', 'olga', 'number']);
  await w.close();
  await w.store.close();

  const store = SqliteStore.open(dataDir);
  const server = await startTestServer(t, { store, dataDir });
  const victim = await signIn(t, server.port, 'vic', 'login');
  const owner = await signIn(t, server.port, 'olga', 'login');
  expectError(await victim.request({ type: 'join', group: 'lobby' }), 'banned');
  assert.equal(await outcome(owner, { type: 'unban', group: 'lobby', user: 'vic' }), 'ok');
  await joined(victim, 'lobby');
  assert.equal((await store.moderation.standing('lobby', 'vic')).ban, undefined);
});

test('private group: invisible to outsiders on every path; invited users, moderators and admins see it', async (t) => {
  const w = await world(t);
  await group(w, 'secret', true);
  await group(w, 'open');
  await joined(w.as.outsider, 'open');
  await joined(w.as.member, 'secret');
  // The outsider: not listed, no join, no moderation, no presence; creating the name says only that it exists.
  assert.deepEqual(await listed(w.as.outsider), ['open']);
  assert.equal(await outcome(w.as.outsider, { type: 'join', group: 'Secret' }), 'error:no_such_group');
  assert.equal(await outcome(w.as.outsider, { type: 'join', group: 'Secret', since: 0 }), 'error:no_such_group');
  assert.equal(await outcome(w.as.outsider, { type: 'create_group', group: 'SECRET' }), 'error:group_exists');
  for (const make of Object.values(REQUESTS)) assert.equal(await outcome(w.as.outsider, make('secret')), 'error:no_such_group');
  await joined(w.victim, 'secret');
  await w.as.outsider.sync();
  assert.deepEqual(w.as.outsider.take('presence'), []);
  // history and who are CHAT requests about the caller's own group: the outsider's is `open`.
  const who = await w.as.outsider.request({ type: 'who' });
  assert.deepEqual(who.type === 'members' && [who.group, who.members], ['open', ['out']]);
  const history = await w.as.outsider.request({ type: 'history' });
  assert.deepEqual(history.type === 'history' && history.group, 'open');
  // Those it is open to.
  for (const role of ['owner', 'moderator', 'member', 'admin'] as const) {
    assert.deepEqual(await listed(w.as[role]), ['open', 'secret'], role);
  }
  const entry = await w.as.member.request({ type: 'list_groups' });
  assert.deepEqual(entry.type === 'groups' && entry.groups.find((g) => g.name === 'secret'), { name: 'secret', members: 2, topic: '', private: true, last_seq: 0, unread: 0 });
  assert.equal((await joined(w.as.admin, 'secret')).role, 'member');
  // Invited later: sees it and joins.
  assert.equal(await outcome(w.as.moderator, { type: 'invite', group: 'secret', user: 'out' }), 'ok');
  assert.deepEqual(await listed(w.as.outsider), ['open', 'secret']);
  await joined(w.as.outsider, 'secret');
});

test('uninvite: a member inside a private group is removed like a kick and no longer sees it; moderators keep access when demoted', async (t) => {
  const w = await world(t);
  await group(w, 'secret', true);
  await joined(w.victim, 'secret');
  assert.equal(await outcome(w.as.moderator, { type: 'uninvite', group: 'secret', user: 'vic' }), 'ok');
  assert.deepEqual(await w.victim.next('kicked'), { type: 'kicked', group: 'secret', by: 'mo', reason: 'no longer invited', banned: false });
  assert.deepEqual(await listed(w.victim), []);
  assert.equal(await outcome(w.victim, { type: 'join', group: 'secret' }), 'error:no_such_group');
  // Public group: uninvite changes nothing for a member inside.
  await group(w, 'open');
  await joined(w.as.member, 'open');
  assert.equal(await outcome(w.as.owner, { type: 'uninvite', group: 'open', user: 'mem' }), 'ok');
  await w.as.member.sync();
  assert.deepEqual(w.as.member.take('kicked'), []);
  // A demoted moderator stays invited.
  assert.equal(await outcome(w.as.owner, { type: 'set_role', group: 'secret', user: 'mo', role: 'member' }), 'ok');
  assert.equal((await joined(w.as.moderator, 'secret')).role, 'member');
  assert.equal(await outcome(w.as.moderator, { type: 'kick', group: 'secret', user: 'mem' }), 'error:not_allowed');
});

test('set_role: a member made moderator may moderate, and not once made member again', async (t) => {
  const w = await world(t);
  await group(w, 'lobby');
  assert.equal(await outcome(w.as.member, { type: 'set_topic', group: 'lobby', topic: 'mine' }), 'error:not_allowed');
  assert.equal(await outcome(w.as.moderator, { type: 'set_role', group: 'lobby', user: 'mem', role: 'moderator' }), 'error:not_allowed');
  assert.equal(await outcome(w.as.owner, { type: 'set_role', group: 'lobby', user: 'MEM', role: 'moderator' }), 'ok');
  assert.equal((await joined(w.as.member, 'lobby')).role, 'moderator');
  assert.equal(await outcome(w.as.member, { type: 'set_topic', group: 'lobby', topic: 'mine' }), 'ok');
  assert.equal(await outcome(w.as.admin, { type: 'set_role', group: 'lobby', user: 'mem', role: 'member' }), 'ok');
  assert.equal(await outcome(w.as.member, { type: 'set_topic', group: 'lobby', topic: 'again' }), 'error:not_allowed');
});

test('who carries roles (an addition): the owner, moderators and admins of the page, members none; a role change counts at once; joined names only the owner', async (t) => {
  const w = await world(t);
  await group(w, 'lobby');
  for (const role of ['owner', 'moderator', 'member', 'admin'] as const) await joined(w.as[role], 'lobby');
  const last = await joined(w.victim, 'lobby');
  assert.deepEqual([last.roles, last.owner], [undefined, 'olga'], 'a join reads no roles (its cost in a join storm)');
  const who = await w.as.member.request({ type: 'who' });
  assert.equal(who.type, 'members');
  if (who.type !== 'members') return;
  assert.deepEqual(who.roles, { olga: 'owner', mo: 'moderator', root: 'admin' });
  // A page (`after`) names the roles of its own names only.
  const page = await w.as.member.request({ type: 'who', after: 'mo' });
  assert.deepEqual(page.type === 'members' && [page.members, page.roles], [['olga', 'root', 'vic'], { olga: 'owner', root: 'admin' }]);
  assert.equal(await outcome(w.as.owner, { type: 'set_role', group: 'lobby', user: 'mo', role: 'member' }), 'ok');
  assert.equal(await outcome(w.as.owner, { type: 'set_role', group: 'lobby', user: 'vic', role: 'moderator' }), 'ok');
  const after = await w.as.member.request({ type: 'who' });
  assert.deepEqual(after.type === 'members' && after.roles, { olga: 'owner', root: 'admin', vic: 'moderator' });
});

test('who: a list that fits without its roles but not with them is cut sorted by name key, with more; after gives the rest with theirs', async (t) => {
  const dataDir = tempDir(t);
  const store = SqliteStore.open(dataDir);
  const server = await startTestServer(t, { store, dataDir, limits: { maxFrame: 1024 } });
  // 20 names of 30 characters, joined in reverse order: about 640 bytes, which fit a frame of 1,024 alone.
  const names = Array.from({ length: 20 }, (_, i) => `member${String(i).padStart(2, '0')}`.padEnd(30, 'x')).reverse();
  const clients: WireClient[] = [];
  for (const name of names) {
    const client = await signIn(t, server.port, name);
    if (clients.length === 0) assert.equal(await outcome(client, { type: 'create_group', group: 'roomy' }), 'group_created');
    await joined(client, 'roomy');
    clients.push(client);
  }
  const before = await clients[0]!.request({ type: 'who' });
  assert.deepEqual(before.type === 'members' && [before.members, before.more, before.roles], [names, undefined, { [names[0]!]: 'owner' }], 'whole, in join order');
  // Every one a moderator: the roles no longer fit beside the names.
  for (const name of names.slice(1)) assert.equal(await store.moderation.setModerator('roomy', name, true), true);
  const first = await clients[0]!.request({ type: 'who' });
  assert.ok(first.type === 'members' && first.more === true && first.members.length < names.length, JSON.stringify(first));
  const sorted = [...names].sort();
  assert.deepEqual(first.members, sorted.slice(0, first.members.length), 'cut sorted by name key');
  assert.deepEqual(Object.keys(first.roles ?? {}).sort(), first.members);
  const rest = await clients[0]!.request({ type: 'who', after: first.members.at(-1) });
  assert.ok(rest.type === 'members');
  assert.deepEqual([...first.members, ...rest.members], sorted);
  assert.equal(rest.roles?.[names[0]!], 'owner');
});

test('delete_group: every member gets group_deleted and is back in GROUP_SELECT; history and moderation are gone; the name is free', async (t) => {
  const w = await world(t);
  await group(w, 'lobby', true);
  const owner = w.as.owner;
  await joined(owner, 'lobby');
  await joined(w.as.member, 'lobby');
  assert.equal((await owner.request({ type: 'say', text: 'first' })).type, 'ack');
  assert.equal(await outcome(w.as.owner, { type: 'ban', group: 'lobby', user: 'vic' }), 'ok');
  assert.equal(await outcome(w.as.owner, { type: 'delete_group', group: 'LOBBY' }), 'ok');
  for (const client of [owner, w.as.member]) {
    assert.deepEqual(await client.next('group_deleted'), { type: 'group_deleted', group: 'lobby', by: 'olga' });
    assert.equal(await outcome(client, { type: 'who' }), 'error:wrong_state');
  }
  assert.deepEqual(await listed(w.as.admin), []);
  assert.equal(await outcome(w.as.admin, { type: 'join', group: 'lobby' }), 'error:no_such_group');
  // Made again by someone else: a new, public group with no history, no ban, its seqs from 1.
  assert.equal(await outcome(w.victim, { type: 'create_group', group: 'Lobby' }), 'group_created');
  const fresh = await joined(w.victim, 'lobby');
  assert.deepEqual([fresh.group, fresh.last_seq, fresh.history, fresh.owner, fresh.role], ['Lobby', 0, [], 'vic', 'owner']);
  const ack = await w.victim.request({ type: 'say', text: 'again' });
  assert.equal(ack.type === 'ack' && ack.seq, 1);
  assert.deepEqual(await w.store.moderation.standing('lobby', 'mo'), { moderator: false, invited: false });
});

test('a group made before owners were kept: no owner, only admins act for it', async (t) => {
  const w = await world(t);
  await w.store.groups.createGroup('legacy');
  assert.equal((await joined(w.as.member, 'legacy')).owner, null);
  assert.equal(await outcome(w.as.member, { type: 'set_topic', group: 'legacy', topic: 'mine' }), 'error:not_allowed');
  assert.equal(await outcome(w.as.admin, { type: 'set_role', group: 'legacy', user: 'mo', role: 'moderator' }), 'ok');
  assert.equal(await outcome(w.as.moderator, { type: 'kick', group: 'legacy', user: 'mem' }), 'ok');
  assert.deepEqual(await w.as.member.next('kicked'), { type: 'kicked', group: 'legacy', by: 'mo', banned: false });
  await joined(w.as.member, 'legacy');
  assert.equal(await outcome(w.as.admin, { type: 'delete_group', group: 'legacy' }), 'ok');
  assert.deepEqual(await w.as.member.next('group_deleted'), { type: 'group_deleted', group: 'legacy', by: 'root' });
});

test('a group deleted under the server (as the admin command does): the next say is no_such_group (unless the server noticed first), the sender gets group_deleted and is back in GROUP_SELECT', async (t) => {
  const w = await world(t);
  await group(w, 'lobby');
  await joined(w.as.member, 'lobby');
  assert.equal((await w.as.member.request({ type: 'say', text: 'one' })).type, 'ack');
  // Another handle on the same file, as the admin command's process has.
  const other = SqliteStore.open(w.dataDir);
  t.after(() => other.close());
  assert.equal(await other.moderation.deleteGroup('lobby', 'admin'), 'lobby');
  assert.match(await outcome(w.as.member, { type: 'say', text: 'two' }), /^error:(no_such_group|wrong_state)$/);
  assert.deepEqual(await w.as.member.next('group_deleted'), { type: 'group_deleted', group: 'lobby', by: 'admin' });
  assert.equal(await outcome(w.as.member, { type: 'say', text: 'three' }), 'error:wrong_state');
  assert.equal(await outcome(w.as.member, { type: 'join', group: 'lobby' }), 'error:no_such_group');
  assert.equal(await outcome(w.as.member, { type: 'create_group', group: 'lobby' }), 'group_created');
  await joined(w.as.member, 'lobby');
  const ack = await w.as.member.request({ type: 'say', text: 'new' });
  assert.equal(ack.type === 'ack' && ack.seq, 1);
});
