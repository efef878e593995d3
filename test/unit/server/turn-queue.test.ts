/** Issue 20 item 2: a crowd of joins at once may not hold the event loop; at most a few start per turn, in order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { TurnQueue } from '../../../src/server/turn-queue.js';

test('a crowd of queries starts a few per event-loop turn, in arrival order, and other work runs between', async () => {
  const queue = new TurnQueue(4);
  const started: number[] = [];
  const all = Array.from({ length: 1_000 }, (_, i) => queue.take().then(() => { started.push(i); }));
  await Promise.resolve();
  assert.ok(started.length <= 4, `the first turn starts at most 4 (${started.length})`);
  await nextTurn();
  assert.ok(started.length <= 8, `one turn later at most 8 (${started.length})`);
  // A timer (as a socket's read would) runs long before the crowd is through.
  await sleep(1);
  assert.ok(started.length < 1_000, `other work ran with ${started.length} of 1,000 started`);
  await Promise.all(all);
  assert.deepEqual(started, Array.from({ length: 1_000 }, (_, i) => i), 'in arrival order');
  assert.equal(queue.queued, 0);
});

test('a query alone starts at once', async () => {
  const queue = new TurnQueue(4);
  let started = false;
  const one = queue.take().then(() => { started = true; });
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(started, true);
  await one;
});
