/** The outbox: what the user sends waits while offline, in order, and the line in flight at a drop is sent again once, or not at all when it was stored. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionClosedError, ReplyTimeoutError } from '../../../src/client/client.js';
import { Outbox, type OutboxHooks, type OutboxItem, type OutboxTiming } from '../../../src/client/model/outbox.js';
import { ProtocolError } from '../../../src/protocol/errors.js';
import type { AckReply } from '../../../src/protocol/messages.js';

const describe = (item: OutboxItem) => (item.kind === 'say' ? `say ${item.text}` : `dm ${item.to} ${item.text}`);

/** An outbox whose `send` is answered by `answer` (and `more` hooks); records what was sent, acked and shown pending. */
function recorded(answer: (item: OutboxItem, attempt: number) => Promise<AckReply>, timing?: OutboxTiming, more: Partial<OutboxHooks> = {}) {
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
    ...more,
  }, undefined, timing);
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
  await found.acked(2);
  assert.deepEqual(found.events.filter((event) => event.startsWith('sent')), ['sent say stored', 'sent say next'], 'found: sent once in all');
  assert.deepEqual(found.events.filter((event) => event.startsWith('acked')), ['acked say stored', 'acked say next'], 'the view is told the copy is done, as by its ack');
});

test('a direct message in flight at the drop is settled by its conversation since the seq seen before it was sent: found, not sent again', async () => {
  const lostOnce = (text: string) => (item: OutboxItem, attempt: number) => (item.text === text && attempt === 1 ? Promise.reject(new ConnectionClosedError('connection closed')) : box.ack());
  const seqWith = async (user: string) => (user === 'bob' ? 4 : undefined);
  let box = recorded(lostOnce('psst'), undefined, { seqWith });
  const said = box.outbox.push({ kind: 'dm', to: 'bob', text: 'psst' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(box.outbox.inFlightDirect(), [{ to: 'bob', since: 4 }]);
  // Bob's identical text, one's own to carol, and one's own before the seq seen do not count.
  const stored = (seq: number, from: string, to: string) => ({ seq, from, to, text: 'psst', ts: seq * 10 });
  box.outbox.settleDirect('BOB', [stored(3, 'alice', 'bob'), stored(5, 'bob', 'alice'), stored(6, 'alice', 'carol'), stored(7, 'Alice', 'Bob')], 'alice');
  box.outbox.resume();
  assert.deepEqual(await said, { seq: 7, ts: 70 });
  assert.deepEqual(box.events, ['sent dm bob psst', 'pending dm bob psst', 'acked dm bob psst'], 'sent once');

  box = recorded(lostOnce('unknown'), undefined, { seqWith });
  box.outbox.push({ kind: 'dm', to: 'carol', text: 'unknown' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(box.outbox.inFlightDirect(), [], 'no seq known (a server older than conversations): nothing to look for');
  box.outbox.resume();
  await box.acked(1);
  assert.deepEqual(box.events, ['sent dm carol unknown', 'pending dm carol unknown', 'sent dm carol unknown', 'acked dm carol unknown'], 'sent again');
});

test('a line not acked within pendingAfterMs (a stalled server) is shown pending then, and so is what waits behind it', async () => {
  let release!: () => void;
  const stalled = new Promise<void>((resolve) => { release = resolve; });
  const box = recorded(async () => {
    await stalled;
    return box.ack();
  }, { pendingAfterMs: 20 });
  box.outbox.push({ kind: 'say', group: 'g', text: 'stalled' });
  box.outbox.push({ kind: 'say', group: 'g', text: 'behind' });
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(box.events, ['sent say stalled', 'pending say stalled', 'pending say behind']);
  release();
  await box.acked(2);
  assert.deepEqual(box.events.slice(3), ['acked say stalled', 'sent say behind', 'acked say behind']);
});

test('a line acked at once is never shown pending', async () => {
  const box = recorded(() => box.ack(), { pendingAfterMs: 20 });
  box.outbox.push({ kind: 'say', group: 'g', text: 'quick' });
  await box.acked(1);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.deepEqual(box.events, ['sent say quick', 'acked say quick']);
});

test('a reply timeout is not a failure: the line is kept in flight and settled by the resume like one lost in a drop', async () => {
  const box = recorded((item, attempt) => (item.text === 'unknown' && attempt === 1 ? Promise.reject(new ReplyTimeoutError("no reply to 'say' within 15 s")) : box.ack()));
  box.outbox.push({ kind: 'say', group: 'g', text: 'unknown' });
  box.outbox.push({ kind: 'say', group: 'g', text: 'next' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(box.outbox.paused, true);
  assert.ok(!box.events.some((event) => event.startsWith('failed')), box.events.join('\n'));
  box.outbox.settle([{ group: 'g', seq: 4, from: 'alice', text: 'unknown', ts: 0 }], 'alice');
  box.outbox.resume();
  await box.acked(2);
  assert.deepEqual(box.events.filter((event) => event.startsWith('sent') || event.startsWith('failed')), ['sent say unknown', 'sent say next'], 'found stored: not sent again');
});

test('a direct message refused with offline (a server older than conversations) fails like any other refused one, typed offline or not; the rest goes on', async () => {
  const box = recorded((item) => (item.kind === 'dm' ? Promise.reject(new ProtocolError('offline', 'bob is not online')) : box.ack()), { pendingAfterMs: 1_000 });
  box.outbox.pause();
  const waited = box.outbox.push({ kind: 'dm', to: 'bob', text: 'psst' });
  box.outbox.push({ kind: 'say', group: 'g', text: 'after' });
  box.outbox.resume();
  await box.acked(1);
  await assert.rejects(waited, (error: unknown) => error instanceof ProtocolError && error.code === 'offline');
  const typedOnline = box.outbox.push({ kind: 'dm', to: 'bob', text: 'hi' });
  await assert.rejects(typedOnline, (error: unknown) => error instanceof ProtocolError && error.code === 'offline');
  assert.deepEqual(box.events, [
    'pending dm bob psst', 'pending say after', 'sent dm bob psst', 'failed dm bob psst', 'sent say after', 'acked say after',
    'sent dm bob hi', 'failed dm bob hi',
  ]);
  assert.equal(box.outbox.size, 0, 'nothing held');
});

test('bounded waits (line mode, bots): rate_limited waited out maxRetries times, then the line fails; a lost send fails as `lost` says; abandon fails what waits, saying whether it was written', async () => {
  let refusals = 0;
  const failures: string[] = [];
  const hooks = {
    acked: () => undefined, pending: () => undefined, running: () => true,
    failed: (item: OutboxItem, error: unknown) => failures.push(`${item.text}: ${error instanceof Error ? error.message : String(error)}`),
  };
  const limited = new Outbox({ ...hooks, send: () => { refusals += 1; return Promise.reject(new ProtocolError('rate_limited', 'slow down')); } }, { initialMs: 1, maxMs: 1, random: () => 0 }, undefined, 2);
  await assert.rejects(limited.push({ kind: 'say', group: 'g', text: 'limited' }), (error: unknown) => error instanceof ProtocolError && error.code === 'rate_limited');
  assert.equal(refusals, 3, 'two retries, then the refusal');

  const unanswered = new Outbox({ ...hooks, send: () => Promise.reject(new ReplyTimeoutError('no reply')), lost: (error) => error });
  await assert.rejects(unanswered.push({ kind: 'say', group: 'g', text: 'unknown' }), ReplyTimeoutError);

  const written: boolean[] = [];
  const waiting = new Outbox({ ...hooks, send: () => Promise.reject(new ConnectionClosedError('connection closed')), lost: () => undefined });
  const first = waiting.push({ kind: 'say', group: 'g', text: 'in flight' });
  await new Promise((resolve) => setImmediate(resolve));
  const second = waiting.push({ kind: 'say', group: 'g', text: 'behind' });
  waiting.abandon((wasWritten) => {
    written.push(wasWritten);
    return new Error(`gave up (${wasWritten ? 'perhaps stored' : 'not sent'})`);
  });
  await assert.rejects(first, /perhaps stored/);
  await assert.rejects(second, /not sent/);
  assert.deepEqual(written, [true, false]);
  assert.deepEqual(failures, ['limited: slow down', 'unknown: no reply', 'in flight: gave up (perhaps stored)', 'behind: gave up (not sent)']);
});
