/**
 * Issue 20's holes in roles and private groups: a banned moderator may not
 * moderate (nor lift its own ban), and `mark_read` tells an outsider nothing
 * of a private group (the reply to a missing group and to a private one
 * closed to the caller are the same bytes).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader } from '../../src/protocol/frame.js';
import { joined, outcome, signIn } from '../helpers/moderation.js';
import { startTestServer } from '../helpers/server.js';
import { expectError, type WireClient } from '../helpers/wire-client.js';

test('a banned moderator may not moderate: no unban of itself, no ban, no topic (not_allowed); unbanned by another, it may again', async (t) => {
  const server = await startTestServer(t, { limits: { createRatePerHour: 1000 } });
  const [owner, a, b] = await Promise.all(['olga', 'amod', 'bmod'].map((user) => signIn(t, server.port, user)));
  assert.equal(await outcome(owner!, { type: 'create_group', group: 'lobby' }), 'group_created');
  for (const user of ['amod', 'bmod']) assert.equal(await outcome(owner!, { type: 'set_role', group: 'lobby', user, role: 'moderator' }), 'ok');
  await joined(b!, 'lobby');
  assert.equal(await outcome(a!, { type: 'ban', group: 'lobby', user: 'bmod', reason: 'rogue' }), 'ok');
  assert.equal((await b!.next('kicked')).banned, true);
  expectError(await b!.request({ type: 'join', group: 'lobby' }), 'banned');
  // Banned: every moderation request is refused, its own unban first.
  for (const request of [
    { type: 'unban', group: 'lobby', user: 'bmod' },
    { type: 'unban', group: 'LOBBY', user: 'BMOD' },
    { type: 'ban', group: 'lobby', user: 'amod' },
    { type: 'kick', group: 'lobby', user: 'amod' },
    { type: 'set_topic', group: 'lobby', topic: 'mine now' },
    { type: 'invite', group: 'lobby', user: 'olga' },
  ]) {
    const refused = expectError(await b!.request(request), 'not_allowed');
    assert.match(refused.message, /banned/, JSON.stringify(request));
  }
  expectError(await b!.request({ type: 'join', group: 'lobby' }), 'banned');
  // Nothing changed: amod still moderates, the topic is unset.
  assert.equal(await outcome(a!, { type: 'set_topic', group: 'lobby', topic: 'calm' }), 'ok');
  assert.equal((await joined(owner!, 'lobby')).topic, 'calm');
  // Another moderator lifts the ban: bmod is a moderator again.
  assert.equal(await outcome(a!, { type: 'unban', group: 'lobby', user: 'bmod' }), 'ok');
  assert.equal((await joined(b!, 'lobby')).role, 'moderator');
  assert.equal(await outcome(b!, { type: 'set_topic', group: 'lobby', topic: 'back' }), 'ok');
});

/** The raw bytes of every frame the client receives, in order. */
function tapFrames(client: WireClient): Buffer[] {
  const frames: Buffer[] = [];
  const reader = new FrameReader(16 * 1024 * 1024);
  client.socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let bytes = reader.nextBytes(); bytes !== undefined; bytes = reader.nextBytes()) frames.push(Buffer.from(bytes));
  });
  return frames;
}

test('mark_read: a missing group and a private group closed to the caller get byte-identical replies', async (t) => {
  const server = await startTestServer(t);
  const owner = await signIn(t, server.port, 'olga');
  const outsider = await signIn(t, server.port, 'out');
  assert.equal(await outcome(owner, { type: 'create_group', group: 'Secret', private: true }), 'group_created');
  await joined(owner, 'Secret');
  assert.equal((await owner.request({ type: 'say', text: 'hidden' })).type, 'ack');
  const frames = tapFrames(outsider);
  /** The raw reply to mark_read of `group`, with the same request id each time. */
  const replyBytes = async (group: string): Promise<Buffer> => {
    outsider.send({ type: 'mark_read', group, seq: 1, id: 7 });
    expectError(await outsider.next((message) => 'id' in message && message.id === 7), 'no_such_group');
    await outsider.sync();
    const [reply] = frames.splice(0);
    assert.ok(reply !== undefined);
    return reply;
  };
  const closed = await replyBytes('Secret');
  // The same name, once the group is gone; and a name never used, of the same length.
  assert.equal(await outcome(owner, { type: 'delete_group', group: 'Secret' }), 'ok');
  const missing = await replyBytes('Secret');
  assert.deepEqual(missing, closed);
  assert.equal(missing.toString('latin1').includes('joined'), false, 'the reply does not hint at a group one could have joined');
  // A public group the caller never joined may say so (it sees the group anyway).
  assert.equal(await outcome(owner, { type: 'create_group', group: 'open' }), 'group_created');
  assert.match(expectError(await outsider.request({ type: 'mark_read', group: 'open', seq: 0 }), 'no_such_group').message, /that you joined/);
});
