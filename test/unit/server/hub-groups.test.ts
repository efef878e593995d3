/** The hub with connections in several groups (January additions): routing by group, joins under way, re-joins. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameEncoder } from '../../../src/protocol/frame.js';
import { Hub } from '../../../src/server/hub.js';
import { LocalLink } from '../../../src/cluster/local-link.js';
import type { ChatSession, OpenGroup, SessionState } from '../../../src/server/session.js';
import { fakeMember } from '../../helpers/fake-member.js';

const AUTH: SessionState = { kind: 'auth' };
const message = (group: string, seq: number) => ({ group, seq, from: 'bob', text: `${group}${seq}`, ts: 1 });
/** In `groups` (the last one current), each holding messages up to `seen`. */
const inGroups = (user: string, groups: string[], seen = 0): ChatSession => {
  const open: OpenGroup[] = groups.map((group) => ({ group, joinedAtSeq: seen }));
  const current = open.at(-1)!;
  return { kind: 'chat', user, ...current, ...(open.length > 1 ? { others: open.slice(0, -1) } : {}) };
};
const texts = (received: Array<Record<string, unknown>>): unknown[] => received.map((body) => body['text'] ?? `${String(body['type'])} ${String(body['user'])} ${String(body['event'])}`);

async function startedHub(): Promise<Hub> {
  const hub = new Hub(new FrameEncoder(), new LocalLink());
  await hub.start();
  return hub;
}

test('a connection gets the messages and presence of every group it is in; moves between sets of groups give presence per group', async () => {
  const hub = await startedHub();
  const bob = fakeMember();
  hub.move(bob, AUTH, inGroups('bob', ['a', 'b', 'c']));
  const alice = fakeMember();
  hub.move(alice, AUTH, inGroups('alice', ['a', 'b']));
  assert.deepEqual(texts(bob.received), ['presence alice join', 'presence alice join']);
  hub.publishMessage(message('a', 1), bob);
  hub.publishMessage(message('b', 1), bob);
  hub.publishMessage(message('c', 1), bob);
  assert.deepEqual(texts(alice.received), ['a1', 'b1']);
  bob.received.length = 0;
  hub.move(alice, inGroups('alice', ['a', 'b']), inGroups('alice', ['b', 'c'], 1));
  assert.deepEqual(bob.received.map((body) => `${String(body['group'])} ${String(body['event'])}`), ['a leave', 'c join']);
  hub.move(alice, inGroups('alice', ['b', 'c'], 1), { kind: 'closed' });
  assert.deepEqual(bob.received.slice(2).map((body) => `${String(body['group'])} ${String(body['event'])}`), ['b leave', 'c leave']);
});

test('a re-join of a group the connection is in holds its live messages until the reply, then hands over those it lacks, once', async () => {
  const hub = await startedHub();
  const bob = fakeMember();
  hub.move(bob, AUTH, inGroups('bob', ['a']));
  const alice = fakeMember();
  const before = inGroups('alice', ['b', 'a']);
  hub.move(alice, AUTH, before);
  hub.holdLiveMessages(alice, 'A');
  hub.publishMessage(message('a', 1), bob); // in the history the re-join reads
  hub.publishMessage(message('a', 2), bob); // after it
  hub.publishMessage(message('b', 1), bob); // another group: live as ever
  assert.deepEqual(texts(alice.received), ['b1'], 'a is held meanwhile');
  const handedOver = hub.move(alice, before, { ...inGroups('alice', ['b', 'a']), joinedAtSeq: 1 });
  for (const frame of handedOver) alice.sendFrame(frame);
  assert.deepEqual(texts(alice.received), ['b1', 'a2']);
  hub.publishMessage(message('a', 3), bob);
  assert.deepEqual(texts(alice.received).at(-1), 'a3', 'then live again');
  assert.deepEqual(texts(bob.received), ['presence alice join'], 'no presence for the re-join');
});

test('a re-join that fails sends what it held and lets live messages flow again', async () => {
  const hub = await startedHub();
  const bob = fakeMember();
  hub.move(bob, AUTH, inGroups('bob', ['a']));
  const alice = fakeMember();
  hub.move(alice, AUTH, inGroups('alice', ['a'], 1));
  const release = hub.holdLiveMessages(alice, 'a');
  hub.publishMessage(message('a', 2), bob);
  assert.deepEqual(texts(alice.received), []);
  release();
  hub.publishMessage(message('a', 3), bob);
  assert.deepEqual(texts(alice.received), ['a2', 'a3']);
});

test('a kick from one group while a join of another is under way leaves that join alone', async () => {
  const hub = await startedHub();
  const bob = fakeMember();
  hub.move(bob, AUTH, inGroups('bob', ['a', 'b']));
  const alice = fakeMember();
  hub.move(alice, AUTH, inGroups('alice', ['a']));
  hub.holdLiveMessages(alice, 'b');
  hub.move(alice, inGroups('alice', ['a']), { kind: 'group_select', user: 'alice' }, { by: 'olga', banned: false });
  hub.publishMessage(message('b', 5), bob);
  const handedOver = hub.move(alice, { kind: 'group_select', user: 'alice' }, inGroups('alice', ['b'], 4));
  assert.equal(handedOver.length, 1, 'the message that came during the join is handed over');
});

test('a kick of a user with no connection on this node undoes no join under way here (only the kicked user\'s)', async () => {
  const hub = await startedHub();
  const removed: string[] = [];
  const alice = { ...fakeMember(), removeFromGroup: (group: string) => { removed.push(`alice:${group}`); } };
  const selecting: SessionState = { kind: 'group_select', user: 'alice' };
  hub.move(alice, AUTH, selecting);
  hub.holdLiveMessages(alice, 'g');
  hub.groupEvent({ kind: 'kicked', group: 'g', user: 'carol', by: 'olga', banned: false });
  hub.move(alice, selecting, inGroups('alice', ['g']));
  await Promise.resolve();
  assert.deepEqual(removed, []);
});

test('a closed connection leaves its groups a few per event-loop turn, every one in the end, with one presence leave each', async () => {
  const hub = await startedHub();
  const names = Array.from({ length: 20 }, (_, i) => `g${i}`);
  const bob = fakeMember();
  hub.move(bob, AUTH, inGroups('bob', names));
  const alice = fakeMember();
  hub.move(alice, AUTH, inGroups('alice', names));
  bob.received.length = 0;
  hub.move(alice, inGroups('alice', names), { kind: 'closed' });
  const leaves = () => bob.received.filter((body) => body['event'] === 'leave').map((body) => body['group']);
  assert.ok(leaves().length > 0 && leaves().length < names.length, 'not all in one turn');
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(leaves(), names);
  hub.publishMessage(message('g19', 1), bob);
  assert.deepEqual(alice.received, [], 'nothing reaches the closed connection');
});
