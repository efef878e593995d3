/** The outbox: what the user sends waits while offline, in order, and the line in flight at a drop is sent again once, or not at all when it was stored. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionClosedError } from '../../../src/client/client.js';
import { Outbox, type OutboxItem } from '../../../src/client/outbox.js';
import type { AckReply } from '../../../src/protocol/messages.js';

const describe = (item: OutboxItem) => (item.kind === 'say' ? `say ${item.text}` : `dm ${item.to} ${item.text}`);

/** An outbox whose `send` is answered by `answer`; records what was sent, acked and shown pending. */
function recorded(answer: (item: OutboxItem, attempt: number) => Promise<AckReply>) {
  const events: string[] = [];
  let seq = 0;
  let waiter: { count: number; resolve: () => void } | undefined;
  const acks = () => events.filter((event) => event.startsWith('acked')).length;
  const outbox = new Outbox({
    send: (item) => {
      events.push(`sent ${describe(item)}`);
      return answer(item, events.filter((event) => event === `sent ${describe(item)}`).length);
    },
    acked: (item) => {
      events.push(`acked ${describe(item)}`);
      if (waiter && acks() >= waiter.count) waiter.resolve();
    },
    pending: (item) => events.push(`pending ${describe(item)}`),
    failed: (item) => events.push(`failed ${describe(item)}`),
    running: () => true,
  });
  const ack = (): Promise<AckReply> => Promise.resolve({ type: 'ack', seq: ++seq, ts: 0 });
  /** Resolves once `count` messages have been acked in all. */
  const acked = (count: number) => new Promise<void>((resolve) => {
    if (acks() >= count) resolve();
    else waiter = { count, resolve };
  });
  return { outbox, events, ack, acked };
}

test('offline, lines and direct messages wait (shown pending), and go in order after resume', async () => {
  const box = recorded(() => box.ack());
  box.outbox.pause();
  box.outbox.push({ kind: 'say', group: 'g', text: 'one' });
  box.outbox.push({ kind: 'dm', to: 'bob', text: 'two' });
  box.outbox.push({ kind: 'say', group: 'g', text: 'three' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(box.events, ['pending say one', 'pending dm bob two', 'pending say three'], 'nothing sent while offline');
  box.outbox.resume();
  await box.acked(3);
  assert.deepEqual(box.events.slice(3), ['sent say one', 'acked say one', 'sent dm bob two', 'acked dm bob two', 'sent say three', 'acked say three']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(box.outbox.size, 0);
});

test('the line in flight when the connection drops is kept and sent again after resume, before the later ones', async () => {
  const box = recorded((item, attempt) => (item.text === 'in flight' && attempt === 1 ? Promise.reject(new ConnectionClosedError('connection closed')) : box.ack()));
  box.outbox.push({ kind: 'say', group: 'g', text: 'in flight' });
  box.outbox.push({ kind: 'say', group: 'g', text: 'after' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(box.outbox.paused, true, 'a closed connection pauses the outbox');
  box.outbox.settle([], 'alice');
  box.outbox.resume();
  await box.acked(2);
  assert.deepEqual(box.events, [
    'sent say in flight', 'pending say in flight', 'pending say after',
    'sent say in flight', 'acked say in flight', 'sent say after', 'acked say after',
  ]);
});

test('a line in flight at the drop that the resume found stored (its ack was lost) is not sent again', async () => {
  const box = recorded((item, attempt) => (item.text === 'stored' && attempt === 1 ? Promise.reject(new ConnectionClosedError('connection closed')) : box.ack()));
  box.outbox.push({ kind: 'say', group: 'g', text: 'stored' });
  box.outbox.push({ kind: 'say', group: 'g', text: 'next' });
  await new Promise((resolve) => setImmediate(resolve));
  // Another user's identical text, or one's own in another group, does not count.
  box.outbox.settle([{ group: 'other', seq: 7, from: 'Alice', text: 'stored', ts: 0 }, { group: 'G', seq: 8, from: 'bob', text: 'stored', ts: 0 }], 'alice');
  box.outbox.resume();
  await box.acked(2);
  assert.deepEqual(box.events.filter((event) => event.startsWith('sent')), ['sent say stored', 'sent say stored', 'sent say next'], 'not found: sent again');

  const found = recorded((item, attempt) => (item.text === 'stored' && attempt === 1 ? Promise.reject(new ConnectionClosedError('connection closed')) : found.ack()));
  found.outbox.push({ kind: 'say', group: 'g', text: 'stored' });
  found.outbox.push({ kind: 'say', group: 'g', text: 'next' });
  await new Promise((resolve) => setImmediate(resolve));
  found.outbox.settle([{ group: 'G', seq: 9, from: 'Alice', text: 'stored', ts: 0 }], 'alice');
  found.outbox.resume();
  await found.acked(1);
  assert.deepEqual(found.events.filter((event) => event.startsWith('sent')), ['sent say stored', 'sent say next'], 'found: sent once in all');
});
