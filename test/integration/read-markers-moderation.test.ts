/**
 * Read markers meet moderation (issues 11 and 12 together): a deleted group's
 * markers go (a group made again under the name starts with nobody's marker),
 * a ban or an uninvite ends the account's marker and its `activity`, and
 * `mark_read` is `no_such_group` for a group the account may no longer see.
 * Each scenario runs on SQLite (one node) and on Redis (two nodes: the
 * moderator on node A, the watched account on node B). Both stores'
 * semantics at the store level: store-semantics.test.ts.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import { ManualTimers } from '../helpers/clock.js';
import { joined, outcome, signIn } from '../helpers/moderation.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { startTestServer, tempDir } from '../helpers/server.js';
import { expectError, type WireClient } from '../helpers/wire-client.js';

const NO_REDIS = hasRedis() ? false : 'redis-server is not installed';

type Kind = 'sqlite' | 'redis';

/** Group name → [last_seq, unread] as `list_groups` tells `client` (as in read-markers.test.ts, not imported: that would run its tests here). */
async function unreadOf(client: WireClient): Promise<Record<string, [number | undefined, number | null | undefined]>> {
  const reply = await client.request({ type: 'list_groups' });
  assert.equal(reply.type, 'groups');
  return Object.fromEntries((reply.type === 'groups' ? reply.groups : []).map((group) => [group.name, [group.last_seq, group.unread]]));
}

async function say(client: WireClient, text: string): Promise<number> {
  const ack = await client.request({ type: 'say', text });
  assert.ok(ack.type === 'ack' && ack.seq !== undefined, JSON.stringify(ack));
  return ack.seq;
}

/** Ports of node A (moderators) and node B (the watched account): one server on SQLite, two on one Redis. */
async function nodes(t: TestContext, kind: Kind): Promise<{ timers: ManualTimers; a: number; b: number }> {
  const timers = new ManualTimers();
  if (kind === 'sqlite') {
    const server = await startTestServer(t, { limits: { rateLimit: 0 }, activityTimers: timers });
    return { timers, a: server.port, b: server.port };
  }
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, {
    redis: { url: redis.url, memberTtlMs: 15_000 }, limits: { rateLimit: 0 }, activityTimers: timers,
  })));
  return { timers, a: a!.port, b: b!.port };
}

/**
 * The activity for `other` (a group the clients joined before) comes, and none
 * for `gone` before it: activity is sent in message order per node, so what
 * was said in `gone` first would have come first.
 */
async function onlyControlActivity(timers: ManualTimers, speaker: WireClient, clients: WireClient[], gone: string): Promise<void> {
  timers.advance(1000);
  const seq = await say(speaker, `control ${gone}`);
  for (const client of clients) {
    const activity = await client.next('activity');
    assert.deepEqual([activity.group, activity.last_seq], ['other', seq], `no activity for ${gone} before the control`);
    await client.sync();
    assert.deepEqual(client.take('activity').filter((a) => a.group === gone), [], `no activity for ${gone}`);
  }
}

/** olga owns `other` and is in it; alice joined `other` before (so it is her control group). */
async function setUp(t: TestContext, kind: Kind) {
  const { timers, a, b } = await nodes(t, kind);
  const olga = await signIn(t, a, 'olga');
  const alice = await signIn(t, b, 'alice');
  assert.equal(await outcome(olga, { type: 'create_group', group: 'other' }), 'group_created');
  await joined(alice, 'other');
  assert.equal(await outcome(alice, { type: 'leave' }), 'left');
  const speaker = await signIn(t, a, 'sam');
  await joined(speaker, 'other');
  return { timers, a, b, olga, alice, speaker };
}

for (const kind of ['sqlite', 'redis'] as const) {
  const options = kind === 'redis' ? { skip: NO_REDIS } : {};

  test(`${kind}: delete_group removes the markers; made again, nobody has one (unread null, no activity to the old readers)`, options, async (t) => {
    const { timers, b, olga, alice, speaker } = await setUp(t, kind);
    assert.equal(await outcome(olga, { type: 'create_group', group: 'Lobby' }), 'group_created');
    await joined(alice, 'lobby');
    assert.equal(await outcome(alice, { type: 'leave' }), 'left');
    const aliceLater = await signIn(t, b, 'alice', 'login');
    await unreadOf(aliceLater); // its markers are loaded by this reply
    await joined(olga, 'lobby');
    // Before: the old reader gets activity for it.
    const before = await say(olga, 'before');
    for (const client of [alice, aliceLater]) assert.deepEqual(await client.next('activity'), { type: 'activity', group: 'Lobby', last_seq: before, unread: 1, mention: false });
    assert.equal(await outcome(olga, { type: 'delete_group', group: 'lobby' }), 'ok');
    await olga.next('group_deleted');
    assert.equal(await outcome(olga, { type: 'create_group', group: 'LOBBY' }), 'group_created');
    await joined(olga, 'lobby');
    timers.advance(1000);
    // Seqs start again from 1: past the old group's `before` too.
    assert.equal(await say(olga, 'after'), 1);
    assert.equal(await say(olga, 'after again'), 2);
    await onlyControlActivity(timers, speaker, [alice, aliceLater], 'LOBBY');
    assert.deepEqual((await unreadOf(alice))['LOBBY'], [2, null]);
    expectError(await alice.request({ type: 'mark_read', group: 'lobby', seq: 1 }), 'no_such_group');
    // A first join of the new group starts a marker as usual.
    await joined(alice, 'lobby');
    assert.deepEqual((await unreadOf(alice))['LOBBY'], [2, 0]);
  });

  test(`${kind}: ban ends the marker and activity (in the group or not); after unban a join starts it again`, options, async (t) => {
    const { timers, b, olga, alice, speaker } = await setUp(t, kind);
    assert.equal(await outcome(olga, { type: 'create_group', group: 'lobby' }), 'group_created');
    await joined(olga, 'lobby');
    await joined(alice, 'lobby');
    assert.equal(await outcome(alice, { type: 'leave' }), 'left');
    const aliceIn = await signIn(t, b, 'alice', 'login');
    await joined(aliceIn, 'lobby');
    const before = await say(olga, 'before');
    assert.deepEqual(await alice.next('activity'), { type: 'activity', group: 'lobby', last_seq: before, unread: 1, mention: false });
    assert.equal(await outcome(olga, { type: 'ban', group: 'lobby', user: 'alice' }), 'ok');
    assert.equal((await aliceIn.next('kicked')).banned, true);
    timers.advance(1000);
    await say(olga, 'after @alice');
    await onlyControlActivity(timers, speaker, [alice, aliceIn], 'lobby');
    assert.deepEqual((await unreadOf(alice))['lobby'], [2, null], 'no unread for a group that bans the account');
    expectError(await alice.request({ type: 'mark_read', group: 'lobby', seq: 2 }), 'no_such_group');
    // Unbanned and joined again: the marker starts at that join's last_seq, as at a first join.
    assert.equal(await outcome(olga, { type: 'unban', group: 'lobby', user: 'alice' }), 'ok');
    assert.deepEqual((await unreadOf(alice))['lobby'], [2, null]);
    await joined(aliceIn, 'lobby');
    assert.deepEqual((await unreadOf(alice))['lobby'], [2, 0]);
    assert.equal(await outcome(aliceIn, { type: 'leave' }), 'left');
    timers.advance(1000);
    const again = await say(olga, 'again');
    for (const client of [alice, aliceIn]) assert.deepEqual(await client.next('activity'), { type: 'activity', group: 'lobby', last_seq: again, unread: 1, mention: false });
  });

  test(`${kind}: uninvite from a private group ends the marker and activity; mark_read is no_such_group`, options, async (t) => {
    const { timers, b, olga, alice, speaker } = await setUp(t, kind);
    assert.equal(await outcome(olga, { type: 'create_group', group: 'secret', private: true }), 'group_created');
    assert.equal(await outcome(olga, { type: 'invite', group: 'secret', user: 'alice' }), 'ok');
    await joined(olga, 'secret');
    await joined(alice, 'secret');
    assert.equal(await outcome(alice, { type: 'leave' }), 'left');
    const aliceIn = await signIn(t, b, 'alice', 'login');
    await joined(aliceIn, 'secret');
    const before = await say(olga, 'before');
    assert.deepEqual(await alice.next('activity'), { type: 'activity', group: 'secret', last_seq: before, unread: 1, mention: false });
    assert.equal(await outcome(olga, { type: 'uninvite', group: 'secret', user: 'alice' }), 'ok');
    assert.equal((await aliceIn.next('kicked')).reason, 'no longer invited');
    timers.advance(1000);
    await say(olga, 'after');
    await onlyControlActivity(timers, speaker, [alice, aliceIn], 'secret');
    assert.equal((await unreadOf(alice))['secret'], undefined, 'not listed');
    expectError(await alice.request({ type: 'mark_read', group: 'secret', seq: 2 }), 'no_such_group');
    // Invited again: a join starts the marker again.
    assert.equal(await outcome(olga, { type: 'invite', group: 'secret', user: 'alice' }), 'ok');
    assert.deepEqual((await unreadOf(alice))['secret'], [2, null]);
    await joined(alice, 'secret');
    assert.deepEqual((await unreadOf(alice))['secret'], [2, 0]);
  });
}

test('mark_read on a private group no longer open to the account is no_such_group even with a marker left (invitation removed in the store directly)', async (t) => {
  const store = SqliteStore.open(tempDir(t));
  t.after(() => store.close());
  const server = await startTestServer(t, { store, limits: { rateLimit: 0 } });
  const olga = await signIn(t, server.port, 'olga');
  const alice = await signIn(t, server.port, 'alice');
  assert.equal(await outcome(olga, { type: 'create_group', group: 'secret', private: true }), 'group_created');
  assert.equal(await outcome(olga, { type: 'invite', group: 'secret', user: 'alice' }), 'ok');
  await joined(alice, 'secret');
  assert.equal(await outcome(alice, { type: 'leave' }), 'left');
  assert.equal(await outcome(alice, { type: 'mark_read', group: 'secret', seq: 0 }), 'ok');
  assert.equal(await store.moderation.setInvited('secret', 'alice', false), true);
  assert.equal(await store.markers.readMarker('alice', 'secret'), 0, 'the marker is still there');
  expectError(await alice.request({ type: 'mark_read', group: 'secret', seq: 0 }), 'no_such_group');
});
