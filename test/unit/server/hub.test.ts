import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameEncoder } from '../../../src/protocol/frame.js';
import { Hub } from '../../../src/server/hub.js';
import type { LocalNode } from '../../../src/cluster/link.js';
import { LocalLink } from '../../../src/cluster/local-link.js';
import type { ProtocolError } from '../../../src/protocol/errors.js';
import { MetricCounts } from '../../../src/observe/metrics.js';
import type { ChatSession, SessionState } from '../../../src/server/session.js';
import { fakeMember } from '../../helpers/fake-member.js';

const member = fakeMember;

const message = (seq: number) => ({ group: 'g', seq, from: 'bob', text: `m${seq}`, ts: 1 });
const AUTH: SessionState = { kind: 'auth' };
const inGroup = (user: string, group: string, joinedAtSeq = 0): ChatSession => ({ kind: 'chat', user, group, joinedAtSeq });
const typeOf = (received: unknown): unknown => (received as { type: string }).type;

async function startedHub(): Promise<Hub> {
  const hub = new Hub(new FrameEncoder(), new LocalLink());
  await hub.start();
  return hub;
}

test('messages that arrive while a join is under way are kept, and only those it lacks are handed over', async () => {
  const hub = await startedHub();
  const bob = member();
  hub.move(bob, AUTH, inGroup('bob', 'g'));
  const alice = member();
  const selecting: SessionState = { kind: 'group_select', user: 'alice' };
  hub.move(alice, AUTH, selecting);
  hub.holdLiveMessages(alice, 'G');
  hub.publishMessage(message(4), bob); // already in the history alice read
  hub.publishMessage(message(5), bob); // stored after her history was read
  assert.deepEqual(alice.received, [], 'nothing before the joined reply');
  const caughtUp = hub.move(alice, selecting, inGroup('alice', 'g', 4));
  assert.equal(caughtUp.length, 1);
  alice.sendFrame(caughtUp[0]!);
  assert.deepEqual(alice.received, [{ type: 'msg', ...message(5) }]);
  hub.publishMessage(message(6), bob);
  assert.deepEqual(alice.received.at(-1), { type: 'msg', ...message(6) });
  assert.deepEqual(bob.received.map(typeOf), ['presence'], 'the sender never gets its own message');
});

test('messages handed over after a join count as deliveries, those it already had do not', async () => {
  const counts = new MetricCounts();
  const hub = new Hub(new FrameEncoder(), new LocalLink(), { presenceMaxMembers: 100, counts });
  await hub.start();
  const bob = member();
  hub.move(bob, AUTH, inGroup('bob', 'g'));
  const alice = member();
  const selecting: SessionState = { kind: 'group_select', user: 'alice' };
  hub.move(alice, AUTH, selecting);
  hub.holdLiveMessages(alice, 'g');
  hub.publishMessage(message(4), bob);
  hub.publishMessage(message(5), bob);
  assert.equal(counts.deliveries.message, 0, 'nobody else is in the group yet');
  assert.equal(hub.move(alice, selecting, inGroup('alice', 'g', 4)).length, 1);
  assert.equal(counts.deliveries.message, 1, 'message 5, handed over after the joined reply');
  hub.publishMessage(message(6), bob);
  assert.equal(counts.deliveries.message, 2);
});

test('a released hold keeps nothing; presence is per user', async () => {
  const hub = await startedHub();
  const [a1, a2, b] = [member(), member(), member()];
  hub.move(b, AUTH, inGroup('bob', 'g'));
  const release = hub.holdLiveMessages(a1, 'g');
  release();
  hub.publishMessage(message(1), b);
  assert.deepEqual(hub.move(a1, AUTH, inGroup('alice', 'g')), []);
  hub.move(a2, AUTH, inGroup('Alice', 'g')); // a second connection of the same user: no second presence
  assert.equal(b.received.filter((m) => typeOf(m) === 'presence').length, 1);
  assert.deepEqual(await hub.members('G'), ['bob', 'alice']);
  hub.move(a1, inGroup('alice', 'g'), { kind: 'closed' });
  assert.equal(b.received.filter((m) => (m as { event?: string }).event === 'leave').length, 0, 'alice is still there on a2');
  hub.move(a2, inGroup('Alice', 'g'), { kind: 'group_select', user: 'Alice' });
  assert.equal(b.received.filter((m) => (m as { event?: string }).event === 'leave').length, 1);
  assert.deepEqual(await hub.memberCounts(['g', 'other']), [1, 0]);
  hub.move(a2, { kind: 'group_select', user: 'Alice' }, { kind: 'closed' });
});

test('a move within the same group changes nothing; a move to another group leaves the first', async () => {
  const hub = await startedHub();
  const [a, b] = [member(), member()];
  hub.move(b, AUTH, inGroup('bob', 'g'));
  hub.move(a, AUTH, inGroup('alice', 'g'));
  hub.move(a, inGroup('alice', 'g'), inGroup('alice', 'g', 3));
  assert.deepEqual(b.received.map((m) => (m as { event?: string }).event), ['join'], 'no leave and join again');
  hub.move(a, inGroup('alice', 'g', 3), inGroup('alice', 'h'));
  assert.deepEqual(b.received.map((m) => (m as { event?: string }).event), ['join', 'leave']);
  assert.deepEqual(await hub.members('h'), ['alice']);
});

test('a single node tags no origin: the sender is handed over as it is', async () => {
  const hub = await startedHub();
  assert.equal(hub.originOf(member()), '');
});

test('a kick or deletion while a join is under way undoes that join right after its reply; other users\' joins stand', async () => {
  const hub = await startedHub();
  const removed: string[] = [];
  const watched = (user: string) => ({ ...member(), removeFromGroup: (group: string, notice: { type: string }) => { removed.push(`${user}:${group}:${notice.type}`); } });
  const alice = watched('alice');
  const bob = watched('bob');
  const aliceSelecting: SessionState = { kind: 'group_select', user: 'alice' };
  const bobSelecting: SessionState = { kind: 'group_select', user: 'bob' };
  hub.move(alice, AUTH, aliceSelecting);
  hub.move(bob, AUTH, bobSelecting);
  hub.holdLiveMessages(alice, 'g');
  hub.holdLiveMessages(bob, 'g');
  hub.groupEvent({ kind: 'kicked', group: 'G', user: 'ALICE', by: 'olga', banned: true });
  hub.move(alice, aliceSelecting, inGroup('alice', 'g'));
  hub.move(bob, bobSelecting, inGroup('bob', 'g'));
  assert.deepEqual(removed, [], 'not before the joined reply');
  await Promise.resolve();
  assert.deepEqual(removed, ['alice:g:kicked']);

  const carol = watched('carol');
  const carolSelecting: SessionState = { kind: 'group_select', user: 'carol' };
  hub.move(carol, AUTH, carolSelecting);
  hub.holdLiveMessages(carol, 'g');
  hub.groupEvent({ kind: 'deleted', group: 'g', by: 'olga' });
  assert.deepEqual(removed.slice(1).sort(), ['alice:g:group_deleted', 'bob:g:group_deleted'], 'those inside (the fakes do not move out)');
  hub.move(carol, carolSelecting, inGroup('carol', 'g'));
  await Promise.resolve();
  assert.deepEqual(removed.at(-1), 'carol:g:group_deleted');
});

test('an account closed while a login of it is under way revokes that sign-in, from this node or another; signing in all the same closes it', async () => {
  let otherNodes: LocalNode | undefined;
  class ListenedLink extends LocalLink {
    override async start(node: LocalNode): Promise<void> {
      otherNodes = node;
      await super.start(node);
    }
  }
  const hub = new Hub(new FrameEncoder(), new ListenedLink());
  await hub.start();
  const failed: Array<[string, string]> = [];
  const recording = (name: string) => ({ ...member(), fail: (error: ProtocolError) => { failed.push([name, `${error.code}: ${error.message}`]); } });
  const [alice, bob, carol] = [recording('alice'), recording('bob'), recording('carol')];
  const alive = new AbortController().signal;
  const aliceHold = hub.holdSignIn(alice, 'Alice', alive);
  const bobHold = hub.holdSignIn(bob, 'bob', alive);
  otherNodes!.accountClosed('alice', 'this account is disabled', 'node-b:7');
  assert.equal(aliceHold.revoked, 'this account is disabled');
  assert.equal(bobHold.revoked, undefined);
  const carolHold = hub.holdSignIn(carol, 'carol', alive);
  hub.closeAccount('carol', 'this account is disabled: spam');
  assert.equal(carolHold.revoked, 'this account is disabled: spam', 'a close on this node too');
  hub.move(alice, AUTH, { kind: 'group_select', user: 'alice' });
  hub.move(bob, AUTH, { kind: 'group_select', user: 'bob' });
  assert.equal(failed.length, 0, 'after the reply, not during the move');
  await Promise.resolve();
  assert.deepEqual(failed, [['alice', 'account_disabled: this account is disabled']]);
  // A hold ends at the member's move, or with its connection.
  const closing = new AbortController();
  const dave = recording('dave');
  hub.holdSignIn(dave, 'dave', closing.signal);
  closing.abort();
  hub.closeAccount('dave', 'gone');
  hub.move(dave, AUTH, { kind: 'group_select', user: 'dave' });
  await Promise.resolve();
  assert.deepEqual(failed.map(([name]) => name), ['alice'], 'an ended hold is not revoked');
});
