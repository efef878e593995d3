import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Release, Semaphore } from '../../../src/server/semaphore.js';

/** A semaphore whose holders are recorded in the order they got a slot. */
function recorded(limit: number, maxQueued: number) {
  const semaphore = new Semaphore(limit, maxQueued);
  const started: string[] = [];
  const holders: Release[] = [];
  const acquire = (key: string, signal?: AbortSignal): Promise<void> => {
    const slot = semaphore.tryAcquire({ key, signal });
    assert.ok(slot, `${key} was queued`);
    return slot.then((release) => {
      started.push(key);
      holders.push(release);
    });
  };
  /** Releases every holder in turn, letting each next waiter start. */
  const drain = async (): Promise<void> => {
    while (holders.length > 0) {
      holders.shift()!();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  return { semaphore, started, acquire, drain };
}

test('a freed slot goes to the keys in turn: a flooding key delays another by one task, not by its whole queue', async () => {
  const { semaphore, started, acquire, drain } = recorded(1, 100);
  await acquire('flood');
  for (let i = 0; i < 5; i++) void acquire('flood');
  void acquire('other');
  assert.equal(semaphore.queued, 6);
  await drain();
  assert.deepEqual(started, ['flood', 'flood', 'other', 'flood', 'flood', 'flood', 'flood']);
  assert.equal(semaphore.queued, 0);
});

test('an aborted waiter leaves the queue at once and never runs', async () => {
  const { semaphore, started, acquire, drain } = recorded(1, 100);
  await acquire('a');
  const gone = new AbortController();
  const dropped = acquire('gone', gone.signal);
  void acquire('kept');
  assert.equal(semaphore.queued, 2);
  gone.abort(new Error('connection closed'));
  await assert.rejects(dropped, /connection closed/);
  assert.equal(semaphore.queued, 1);
  await drain();
  assert.deepEqual(started, ['a', 'kept']);
  await assert.rejects(semaphore.tryAcquire({ signal: gone.signal })!, /connection closed/, 'already aborted: refused');
});

test('the queue is bounded in all and per key', async () => {
  const { semaphore, started, acquire, drain } = recorded(1, 3);
  await acquire('a');
  const perKey = { key: 'a', maxQueuedForKey: 2 };
  assert.ok(semaphore.tryAcquire(perKey)?.then((release) => release()));
  assert.ok(semaphore.tryAcquire(perKey)?.then((release) => release()));
  assert.equal(semaphore.tryAcquire(perKey), undefined, 'this key has its share waiting');
  void acquire('b');
  assert.equal(semaphore.tryAcquire({ key: 'c' }), undefined, 'the whole queue is full');
  await drain();
  await drain();
  assert.deepEqual(started, ['a', 'b']);
  assert.equal(semaphore.queued, 0);
});
