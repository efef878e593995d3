/** The activity module alone: who gets `activity`, coalescing per connection and group, mentions, the index. */
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { FrameEncoder } from '../../../src/protocol/frame.js';
import { nameKey, type NameKey, storedNameKey } from '../../../src/protocol/names.js';
import { ActivityNotifier } from '../../../src/server/activity.js';
import { createLogger } from '../../../src/observe/logger.js';
import type { ReadMarkerStore } from '../../../src/store/read-markers.js';
import { ManualTimers } from '../../helpers/clock.js';
import { fakeMember } from '../../helpers/fake-member.js';

const member = fakeMember;

/** Markers in memory, with a count of the reads. */
class MemoryMarkers implements ReadMarkerStore {
  readonly markers = new Map<string, number>();
  reads = 0;
  async recordJoin(user: string, group: string, seq: number): Promise<number> {
    const key = `${nameKey(user)}/${nameKey(group)}`;
    if (!this.markers.has(key)) this.markers.set(key, seq);
    return this.markers.get(key)!;
  }
  async markRead(user: string, group: string, seq: number): Promise<boolean> {
    const key = `${nameKey(user)}/${nameKey(group)}`;
    const marker = this.markers.get(key);
    if (marker === undefined) return false;
    this.markers.set(key, Math.max(marker, seq));
    return true;
  }
  async dropMarker(user: string, group: string): Promise<void> {
    this.markers.delete(`${nameKey(user)}/${nameKey(group)}`);
  }
  async readMarker(user: string, group: string): Promise<number | undefined> {
    this.reads += 1;
    return this.markers.get(`${nameKey(user)}/${nameKey(group)}`);
  }
  async readMarkers(user: string): Promise<Map<NameKey, number>> {
    const mine = new Map<NameKey, number>();
    for (const [key, seq] of this.markers) if (key.startsWith(`${nameKey(user)}/`)) mine.set(storedNameKey(key.slice(nameKey(user).length + 1)), seq);
    return mine;
  }
  async lastSeqs(groups: string[]): Promise<number[]> {
    return groups.map(() => 0);
  }
}

async function setup() {
  const store = new MemoryMarkers();
  const timers = new ManualTimers();
  const activity = new ActivityNotifier({ store, encoder: new FrameEncoder(), logger: createLogger('silent'), timers });
  return { store, timers, activity };
}

const msg = (seq: number, text = `m${seq}`, from = 'bob', group = 'Ops') => ({ group, seq, from, text, ts: 1 });
/** Lets the store reads and sends of this turn finish. */
const settle = async () => { for (let i = 0; i < 3; i++) await nextTurn(); };

test('the first message goes out at once; the next second is coalesced into one, the latest counts, a mention in any counts', async () => {
  const { store, timers, activity } = await setup();
  await store.recordJoin('alice', 'ops', 2);
  const alice = member();
  activity.signedIn(alice, 'Alice');
  await settle(); // markers loaded
  assert.equal(activity.idleWatchers('OPS'), 1);
  activity.messageArrived(msg(3));
  await settle();
  assert.deepEqual(alice.received, [{ type: 'activity', group: 'Ops', last_seq: 3, unread: 1, mention: false }]);
  activity.messageArrived(msg(4, 'hey @ALICE, look'));
  activity.messageArrived(msg(5));
  activity.messageArrived(msg(6));
  await settle();
  assert.equal(alice.received.length, 1, 'nothing more within the second');
  assert.equal(timers.waiting, 1, 'one timer for the connection and group');
  await store.markRead('alice', 'ops', 4); // on another connection or node: counted when sent
  timers.advance(999);
  await settle();
  assert.equal(alice.received.length, 1);
  timers.advance(1);
  await settle();
  assert.deepEqual(alice.received.at(-1), { type: 'activity', group: 'Ops', last_seq: 6, unread: 2, mention: true });
  assert.equal(timers.waiting, 0, 'no timer while nothing waits');
  // A quiet second later, the next message goes out at once again.
  timers.advance(5000);
  activity.messageArrived(msg(7));
  await settle();
  assert.deepEqual(alice.received.at(-1), { type: 'activity', group: 'Ops', last_seq: 7, unread: 3, mention: false });
});

test('a bare name is a mention too (the form Tab writes, `alice: `), by the one rule the client highlights with', async () => {
  const { store, activity } = await setup();
  await store.recordJoin('alice', 'ops', 2);
  const alice = member();
  activity.signedIn(alice, 'alice');
  await settle();
  activity.messageArrived(msg(3, 'Alice: the build is red'));
  await settle();
  assert.deepEqual(alice.received, [{ type: 'activity', group: 'Ops', last_seq: 3, unread: 1, mention: true }]);
});

test('nothing for the group a connection is in, for groups never joined, or after sign-out; a first join is watched by the account\'s other connections', async () => {
  const { store, timers, activity } = await setup();
  const inOps = member();
  const elsewhere = member();
  const stranger = member();
  activity.signedIn(inOps, 'alice');
  activity.signedIn(elsewhere, 'alice');
  activity.signedIn(stranger, 'carol');
  await settle();
  assert.equal(activity.idleWatchers('ops'), 0, 'nobody joined ops before');
  activity.messageArrived(msg(1));
  // alice joins ops for the first time on one connection.
  await store.recordJoin('alice', 'ops', 1);
  activity.entered(inOps, 'Ops');
  assert.equal(activity.idleWatchers('ops'), 1, 'only the other connection is idle in ops');
  activity.messageArrived(msg(2));
  await settle();
  assert.deepEqual(inOps.received, []);
  assert.deepEqual(stranger.received, []);
  assert.deepEqual(elsewhere.received, [{ type: 'activity', group: 'Ops', last_seq: 2, unread: 1, mention: false }]);
  // Leaving makes it idle there too; signing out ends it all, timers included.
  activity.exited(inOps, 'Ops');
  assert.equal(activity.idleWatchers('ops'), 2);
  activity.messageArrived(msg(3));
  await settle();
  assert.equal(inOps.received.length, 1);
  assert.equal(timers.waiting, 1, 'elsewhere waits for its second');
  activity.signedOut(elsewhere);
  activity.signedOut(inOps);
  assert.equal(timers.waiting, 0);
  assert.equal(activity.idleWatchers('ops'), 0);
  timers.advance(2000);
  activity.messageArrived(msg(4));
  await settle();
  assert.equal(elsewhere.received.length, 1);
});

test('entering the group drops what waited for it; one\'s own message never counts as a mention', async () => {
  const { store, timers, activity } = await setup();
  await store.recordJoin('alice', 'ops', 0);
  const alice = member();
  activity.signedIn(alice, 'alice');
  await settle();
  activity.messageArrived(msg(1, 'note to self @alice', 'alice'));
  activity.messageArrived(msg(2));
  await settle();
  assert.deepEqual(alice.received, [{ type: 'activity', group: 'Ops', last_seq: 1, unread: 1, mention: false }]);
  assert.equal(timers.waiting, 1);
  activity.entered(alice, 'ops');
  assert.equal(timers.waiting, 0);
  timers.advance(1000);
  await settle();
  assert.equal(alice.received.length, 1);
});

test('a message in a group with nobody idle here reads nothing from the store', async () => {
  const { store, activity } = await setup();
  const alice = member();
  activity.signedIn(alice, 'alice');
  await settle();
  for (let seq = 1; seq <= 1000; seq++) activity.messageArrived(msg(seq, '@alice'));
  await settle();
  assert.equal(store.reads, 0);
  assert.deepEqual(alice.received, []);
});

test('a busy group: 1000 messages within a second give each idle connection two activities (at once, then when the second ends)', async () => {
  const { store, timers, activity } = await setup();
  const idle = Array.from({ length: 50 }, (_, i) => {
    const connection = member();
    void store.recordJoin(`u${i}`, 'ops', 0);
    return { connection, user: `u${i}` };
  });
  for (const { connection, user } of idle) activity.signedIn(connection, user);
  await settle();
  for (let seq = 1; seq <= 1000; seq++) activity.messageArrived(msg(seq, seq === 500 ? 'hi @u7' : 'x'));
  await settle();
  assert.equal(timers.waiting, 50);
  timers.advance(1000);
  await settle();
  assert.equal(store.reads, 100);
  for (const [i, { connection }] of idle.entries()) {
    assert.deepEqual(connection.received.map((m) => [m['last_seq'], m['unread'], m['mention']]), [[1, 1, false], [1000, 1000, i === 7]]);
  }
});

test('forget: a deletion ends every connection\'s watch of the group, a ban or uninvite the user\'s; a marker gone elsewhere ends the watch at the next send', async () => {
  const { store, timers, activity } = await setup();
  await store.recordJoin('alice', 'ops', 0);
  await store.recordJoin('alice', 'dev', 0);
  await store.recordJoin('bob', 'ops', 0);
  const alice = member();
  const bob = member();
  activity.signedIn(alice, 'alice');
  activity.signedIn(bob, 'bob');
  await settle();
  assert.equal(activity.idleWatchers('ops'), 2);
  activity.forget('OPS', nameKey('alice'));
  assert.equal(activity.idleWatchers('ops'), 1, 'only alice\'s watch goes');
  activity.messageArrived(msg(1, 'hi', 'carol'));
  await settle();
  assert.deepEqual([alice.received.length, bob.received.length], [0, 1]);
  // bob's next one waits for its second: a deletion drops the timer too.
  activity.messageArrived(msg(2, 'hi', 'carol'));
  assert.equal(timers.waiting, 1);
  activity.forget('ops');
  assert.equal(activity.idleWatchers('ops'), 0);
  assert.equal(timers.waiting, 0);
  timers.advance(2000);
  activity.messageArrived(msg(3, 'hi', 'carol'));
  await settle();
  assert.equal(bob.received.length, 1);
  // The marker dropped on another node (no group event here): nothing is sent, and the watch ends.
  await store.dropMarker('alice', 'dev');
  activity.messageArrived(msg(1, 'hi', 'carol', 'dev'));
  await settle();
  assert.deepEqual(alice.received, []);
  assert.equal(activity.idleWatchers('dev'), 0);
});
