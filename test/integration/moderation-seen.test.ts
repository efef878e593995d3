/**
 * What members see of moderation and roles (protocol.md, January additions),
 * on one SQLite node: a kick's or ban's presence `leave` says who and why;
 * `set_role` sends `role` to everyone in the group; an account's role changed
 * by the admin command reaches its connections by their next request at the
 * latest (`account_role`); an admin's `notice` reaches everyone signed in.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import { TestClock } from '../helpers/clock.js';
import { finished, runCommand } from '../helpers/command.js';
import { joined, outcome, signIn } from '../helpers/moderation.js';
import { startTestServer, tempDir } from '../helpers/server.js';
import { type ServerMessage, WireClient } from '../helpers/wire-client.js';

const ROLES = ['owner', 'moderator', 'member', 'admin', 'outsider'] as const;
type Role = (typeof ROLES)[number];
const NAMES: Record<Role, string> = { owner: 'olga', moderator: 'mo', member: 'mem', admin: 'root', outsider: 'out' };

/** A client per role, and `vic`, the user acted on; `dataDir` for the admin command. */
type World = { port: number; dataDir: string; as: Record<Role, WireClient>; victim: WireClient };

/** One client per role (`root` an admin) and `vic`; `lobby` made by the owner, `mo` its moderator. */
async function world(t: TestContext, options: { clock?: TestClock; limits?: { rateLimit: number } } = {}): Promise<World> {
  const dataDir = tempDir(t);
  const store = SqliteStore.open(dataDir);
  const server = await startTestServer(t, { store, dataDir, ...options });
  const as = {} as Record<Role, WireClient>;
  for (const role of ROLES) as[role] = await signIn(t, server.port, NAMES[role]);
  assert.equal(await store.accounts.setRole('root', 'admin'), true);
  const victim = await signIn(t, server.port, 'vic');
  assert.equal(await outcome(as.owner, { type: 'create_group', group: 'lobby' }), 'group_created');
  assert.equal(await outcome(as.owner, { type: 'set_role', group: 'lobby', user: 'mo', role: 'moderator' }), 'ok');
  return { port: server.port, dataDir, as, victim };
}

/** What `client` holds of `type` once everything sent before has come. */
async function held<T extends ServerMessage['type']>(client: WireClient, type: T): Promise<Array<Extract<ServerMessage, { type: T }>>> {
  await client.sync();
  return client.take(type);
}

test('kick and ban: the others see the leave with who did it, why (when given) and whether banned; by owner, moderator and admin', async (t) => {
  const w = await world(t);
  for (const role of ['owner', 'moderator', 'member', 'admin'] as const) await joined(w.as[role], 'lobby');
  for (const actor of ['owner', 'moderator', 'admin'] as const) {
    const by = NAMES[actor];
    await joined(w.victim, 'lobby');
    assert.equal(await outcome(w.as[actor], { type: 'kick', group: 'lobby', user: 'vic', reason: `calm down, says ${by}` }), 'ok');
    const kicked = { type: 'presence', group: 'lobby', user: 'vic', event: 'leave', by, reason: `calm down, says ${by}`, banned: false };
    for (const role of ['owner', 'moderator', 'member', 'admin'] as const) {
      assert.deepEqual(await w.as[role].next((m) => m.type === 'presence' && m.user === 'vic' && m.event === 'leave'), kicked, `${role} sees ${actor}'s kick`);
    }
    assert.deepEqual(await w.victim.next('kicked'), { type: 'kicked', group: 'lobby', by, reason: `calm down, says ${by}`, banned: false });

    await joined(w.victim, 'lobby');
    assert.equal(await outcome(w.as[actor], { type: 'ban', group: 'lobby', user: 'vic' }), 'ok');
    assert.equal((await w.victim.next('kicked')).banned, true);
    const banned = { type: 'presence', group: 'lobby', user: 'vic', event: 'leave', by, banned: true };
    for (const role of ['owner', 'moderator', 'member', 'admin'] as const) {
      assert.deepEqual(await w.as[role].next((m) => m.type === 'presence' && m.user === 'vic' && m.event === 'leave'), banned, `${role} sees ${actor}'s ban`);
    }
    assert.equal(await outcome(w.as[actor], { type: 'unban', group: 'lobby', user: 'vic' }), 'ok');
  }
  // Those who may not kick change nothing, and nobody is told of anything.
  await joined(w.victim, 'lobby');
  for (const role of ['member', 'outsider'] as const) assert.equal(await outcome(w.as[role], { type: 'kick', group: 'lobby', user: 'vic' }), 'error:not_allowed');
  // A leave of one's own says nothing more than before.
  assert.equal(await outcome(w.victim, { type: 'leave' }), 'left');
  assert.deepEqual(await w.as.member.next((m) => m.type === 'presence' && m.event === 'leave'), { type: 'presence', group: 'lobby', user: 'vic', event: 'leave' });
  assert.deepEqual((await held(w.victim, 'presence')).filter((m) => m.user === 'vic'), [], 'the removed user is told by `kicked`, not by presence about itself');
});

test('set_role: everyone in the group, the target included (each of its connections), gets role; nobody outside it; only the owner and admins may', async (t) => {
  const w = await world(t);
  const victimAgain = await signIn(t, w.port, 'vic', 'login');
  for (const client of [w.as.owner, w.as.moderator, w.as.member, w.as.admin, w.victim, victimAgain]) await joined(client, 'lobby');
  const inGroup = [w.as.owner, w.as.moderator, w.as.member, w.as.admin, w.victim, victimAgain];

  assert.equal(await outcome(w.as.owner, { type: 'set_role', group: 'lobby', user: 'VIC', role: 'moderator' }), 'ok');
  for (const client of inGroup) assert.deepEqual(await client.next('role'), { type: 'role', group: 'lobby', user: 'vic', role: 'moderator', by: 'olga' });
  // Told at once, the new moderator may moderate at once.
  assert.equal(await outcome(w.victim, { type: 'set_topic', group: 'lobby', topic: 'by the new moderator' }), 'ok');

  assert.equal(await outcome(w.as.admin, { type: 'set_role', group: 'lobby', user: 'vic', role: 'member' }), 'ok');
  for (const client of inGroup) assert.deepEqual(await client.next('role'), { type: 'role', group: 'lobby', user: 'vic', role: 'member', by: 'root' });

  for (const role of ['moderator', 'member', 'outsider'] as const) {
    assert.equal(await outcome(w.as[role], { type: 'set_role', group: 'lobby', user: 'vic', role: 'moderator' }), 'error:not_allowed', role);
  }
  for (const client of [...inGroup, w.as.outsider]) assert.deepEqual(await held(client, 'role'), [], 'no role for refusals; none outside the group');
});

test('notice: admins only; every signed-in connection gets it (in a group or not, the sender too), a connection not signed in does not; rate limited as say', async (t) => {
  const clock = new TestClock();
  const w = await world(t, { clock, limits: { rateLimit: 5 } });
  await joined(w.as.member, 'lobby');
  const anonymous = await WireClient.connect(t, w.port);
  await anonymous.next('welcome');
  const text = 'the server restarts at 22:00\nsave your words';

  for (const role of ['owner', 'moderator', 'member', 'outsider'] as const) {
    assert.equal(await outcome(w.as[role], { type: 'notice', text: `from ${role}` }), 'error:not_allowed', role);
  }
  assert.equal(await outcome(w.as.admin, { type: 'notice', text }), 'ok');
  for (const client of [...ROLES.map((role) => w.as[role]), w.victim]) {
    const notice = await client.next('notice');
    assert.deepEqual({ ...notice, ts: 0 }, { type: 'notice', text, by: 'root', ts: 0 });
    assert.ok(Math.abs(notice.ts - Date.now()) < 60_000);
    assert.deepEqual(await held(client, 'notice'), [], 'once, and none of the refused ones');
  }
  assert.deepEqual(await held(anonymous, 'notice'), []);
  assert.equal(await outcome(anonymous, { type: 'notice', text }), 'error:wrong_state');
  assert.equal(await outcome(w.as.admin, { type: 'notice', text: 'bell\u0007' }), 'error:bad_message');
  assert.equal(await outcome(w.as.admin, { type: 'notice', text: '' }), 'error:bad_message');

  // The clock stands still: the bucket does not refill, so a burst past it is refused.
  const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => w.as.admin.request({ type: 'notice', text: `burst ${i}` })));
  const limited = replies.filter((reply) => reply.type === 'error' && reply.code === 'rate_limited').length;
  assert.ok(limited > 0 && limited < 30, `${limited} of 30 refused`);
  await w.as.member.sync();
  assert.equal(w.as.member.take('notice').length, 30 - limited, 'only the accepted ones went out');
});

async function setRole(t: TestContext, dataDir: string, user: string, role: string): Promise<void> {
  const { code, stderr } = await finished(runCommand(t, 'dist/src/cli/admin.js', ['set-role', user, role, '--data', dataDir]));
  assert.equal(code, 0, stderr.join('\n'));
}

test('SQLite: set-role by the admin command beside a running server: the account\'s connections get account_role by their next request at the latest, and the role counts', async (t) => {
  const w = await world(t);
  const [inGroup, idle] = [w.as.member, await signIn(t, w.port, 'mem', 'login')];
  await joined(inGroup, 'lobby');

  await setRole(t, w.dataDir, 'mem', 'admin');
  // The next request's reply comes after account_role, whatever the request (a say's ack too).
  assert.equal(await outcome(inGroup, { type: 'say', text: 'am I?' }), 'ack');
  assert.deepEqual(inGroup.take('account_role'), [{ type: 'account_role', role: 'admin' }]);
  assert.deepEqual(await idle.next('account_role'), { type: 'account_role', role: 'admin' }, 'every connection of the account');
  assert.equal(await outcome(inGroup, { type: 'notice', text: 'newly an admin' }), 'ok', 'the role counts at once');
  for (const client of [inGroup, idle]) assert.deepEqual(await held(client, 'account_role'), [], 'told once');
  for (const role of ['owner', 'moderator', 'outsider'] as const) assert.deepEqual(await held(w.as[role], 'account_role'), [], `${role} is not told`);
  // world() made root an admin behind its connection (with the server's own store handle, which moves no mark): the pass tells it too.
  assert.deepEqual(await held(w.as.admin, 'account_role'), [{ type: 'account_role', role: 'admin' }]);

  await setRole(t, w.dataDir, 'mem', 'user');
  assert.equal((await idle.request({ type: 'ping' })).type, 'pong');
  assert.deepEqual(idle.take('account_role'), [{ type: 'account_role', role: 'user' }]);
  assert.deepEqual(await inGroup.next('account_role'), { type: 'account_role', role: 'user' });
  assert.equal(await outcome(idle, { type: 'notice', text: 'no longer' }), 'error:not_allowed');

  // Unasked, within the watch's period (about a second), when the connection sends nothing.
  await setRole(t, w.dataDir, 'mem', 'admin');
  for (const client of [inGroup, idle]) assert.deepEqual(await client.next('account_role'), { type: 'account_role', role: 'admin' });
});
