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
