import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from '../../../src/server/login-throttle.js';

const options = { freeFailures: 3, baseDelayMs: 250, maxDelayMs: 10_000, forgetAfterMs: 60_000, maxTracked: 3 };

test('a name that keeps failing waits longer and longer, up to the cap', () => {
  const throttle = new LoginThrottle(options);
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) {
    delays.push(throttle.delayFor('Alice', 1000));
    throttle.recordFailure('alice', 1000);
  }
  // Three failures are free; from the fourth on, each next attempt waits twice as long.
  assert.deepEqual(delays, [0, 0, 0, 0, 250, 500, 1000, 2000, 4000, 8000]);
  throttle.recordFailure('alice', 1000);
  assert.equal(throttle.delayFor('alice', 1000), 10_000, 'capped');
});

test('success clears it, time forgets it, and memory stays bounded', () => {
  const throttle = new LoginThrottle(options);
  for (let i = 0; i < 5; i++) throttle.recordFailure('bob', 0);
  assert.equal(throttle.delayFor('BOB', 0), 500);
  assert.equal(throttle.delayFor('bob', 60_001), 0, 'forgotten after a quiet period');
  for (let i = 0; i < 5; i++) throttle.recordFailure('bob', 0);
  throttle.recordSuccess('Bob');
  assert.equal(throttle.delayFor('bob', 0), 0);
  for (let i = 0; i < 5; i++) throttle.recordFailure('carol', 0);
  for (const name of ['d', 'e', 'f']) throttle.recordFailure(name, 0);
  assert.equal(throttle.delayFor('carol', 0), 0, 'the oldest name is dropped past maxTracked');
});

test('a name that is not a valid user name is never recorded, however often it fails', () => {
  const throttle = new LoginThrottle(options);
  const huge = 'x'.repeat(64 * 1024);
  for (const name of [huge, 'has space', '', 'ünïcode', 'a'.repeat(33)]) {
    for (let i = 0; i < 10; i++) throttle.recordFailure(name, 1000);
    assert.equal(throttle.delayFor(name, 1000), 0, `${name.slice(0, 40)} is not remembered`);
  }
  assert.equal(throttle.size, 0);
});

test('the table is a least-recently-failed cache: expired records go first, then the oldest failure at the cap', () => {
  const throttle = new LoginThrottle(options); // maxTracked 3, forgetAfterMs 60 s
  for (let i = 0; i < 5; i++) throttle.recordFailure('alice', 0);
  throttle.recordFailure('bob', 10_000);
  throttle.recordFailure('carol', 20_000);
  for (let i = 0; i < 5; i++) throttle.recordFailure('alice', 30_000); // alice failed last now
  throttle.recordFailure('dave', 40_000);
  assert.equal(throttle.size, 3);
  assert.equal(throttle.delayFor('alice', 40_000), 10_000, 'the name failing most recently stays');
  assert.equal(throttle.delayFor('bob', 40_000), 0, 'the least recently failed name was forgotten at the cap');
});

test('records past forgetAfterMs are dropped as new failures come in, before the cap is reached', () => {
  const throttle = new LoginThrottle({ ...options, maxTracked: 100 });
  throttle.recordFailure('alice', 0);
  throttle.recordFailure('bob', 10_000);
  throttle.recordFailure('carol', 50_000);
  assert.equal(throttle.size, 3);
  throttle.recordFailure('dave', 75_000); // alice (75 s ago) and bob (65 s ago) are past 60 s
  assert.equal(throttle.size, 2);
});
