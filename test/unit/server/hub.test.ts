import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameDecoder, FrameEncoder } from '../../../src/protocol/frame.js';
import { Hub, type HubMember } from '../../../src/server/hub.js';

let ids = 0;
function member(): HubMember & { received: unknown[] } {
  const decoder = new FrameDecoder({ maxFrame: 65536 });
  const received: unknown[] = [];
  return {
    connectionId: ++ids,
    received,
    sendFrame(frame: Buffer) {
      decoder.push(frame);
      for (let body = decoder.next(); body !== undefined; body = decoder.next()) received.push(body);
    },
  };
}

const message = (seq: number) => ({ group: 'g', seq, from: 'bob', text: `m${seq}`, ts: 1 });

test('messages that arrive while a join is under way are kept, and only those it lacks are handed over', () => {
  const hub = new Hub(new FrameEncoder());
  const bob = member();
  hub.signIn('bob', bob);
  hub.enter('g', 'bob', bob, 0);
  const alice = member();
  hub.signIn('alice', alice);
  hub.prepareJoin('G', alice);
  hub.publishMessage(message(4), bob); // already in the history alice read
  hub.publishMessage(message(5), bob); // stored after her history was read
  assert.deepEqual(alice.received, [], 'nothing before the joined reply');
  const caughtUp = hub.enter('g', 'alice', alice, 4);
  assert.equal(caughtUp.length, 1);
  alice.sendFrame(caughtUp[0]!);
  assert.deepEqual(alice.received, [{ type: 'msg', ...message(5) }]);
  hub.publishMessage(message(6), bob);
  assert.deepEqual(alice.received.at(-1), { type: 'msg', ...message(6) });
  assert.deepEqual(bob.received.map((m) => (m as { type: string }).type), ['presence'], 'the sender never gets its own message');
});

test('a cancelled join keeps nothing; presence is per user', async () => {
  const hub = new Hub(new FrameEncoder());
  const [a1, a2, b] = [member(), member(), member()];
  hub.enter('g', 'bob', b, 0);
  hub.prepareJoin('g', a1);
  hub.cancelJoin(a1);
  hub.publishMessage(message(1), b);
  assert.deepEqual(hub.enter('g', 'alice', a1, 0), []);
  hub.enter('g', 'Alice', a2, 0); // a second connection of the same user: no second presence
  assert.equal(b.received.filter((m) => (m as { type: string }).type === 'presence').length, 1);
  assert.deepEqual(await hub.members('G'), ['bob', 'alice']);
  hub.exit('g', 'alice', a1);
  assert.equal(b.received.filter((m) => (m as { event?: string }).event === 'leave').length, 0, 'alice is still there on a2');
  hub.exit('g', 'alice', a2);
  assert.equal(b.received.filter((m) => (m as { event?: string }).event === 'leave').length, 1);
  assert.deepEqual(await hub.memberCounts(['g', 'other']), [1, 0]);
});
