/** Group events from other nodes (or the Redis store's delete script) are read, never trusted blindly. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGroupEvent } from '../../../src/cluster/group-event.js';

test('group events parse; anything else is undefined', () => {
  assert.deepEqual(parseGroupEvent({ kind: 'topic', group: 'g', topic: 't', by: 'o' }), { kind: 'topic', group: 'g', topic: 't', by: 'o' });
  assert.deepEqual(parseGroupEvent({ kind: 'kicked', group: 'g', user: 'u', by: 'o', banned: false, reason: 'r' }),
    { kind: 'kicked', group: 'g', user: 'u', by: 'o', banned: false, reason: 'r' });
  assert.deepEqual(parseGroupEvent({ kind: 'kicked', group: 'g', user: 'u', by: 'o', banned: false, shutOut: true }),
    { kind: 'kicked', group: 'g', user: 'u', by: 'o', banned: false, shutOut: true }, 'an uninvite keeps shutOut');
  assert.deepEqual(parseGroupEvent({ kind: 'deleted', group: 'g', by: 'admin' }), { kind: 'deleted', group: 'g', by: 'admin' });
  for (const value of [null, [], 'x', { kind: 'topic', group: 'g', by: 'o' }, { kind: 'kicked', group: 'g', user: 'u', by: 'o' },
    { kind: 'deleted', group: 1, by: 'o' }, { kind: 'other', group: 'g', by: 'o' }]) {
    assert.equal(parseGroupEvent(value), undefined, JSON.stringify(value));
  }
});
