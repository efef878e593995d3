/** Validation of several groups on one connection (January additions): `keep` on `join`, `group` on say/who/history/leave. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequest } from '../../../src/protocol/validate.js';
import { parseRefusal } from '../../helpers/parse-refusal.js';

test('join: keep is an optional bool; false, null or absent is a join without keep', () => {
  assert.deepEqual(parseRequest({ type: 'join', group: 'g', keep: true, since: 3 }), { type: 'join', group: 'g', since: 3, keep: true });
  for (const keep of [false, null, undefined]) assert.deepEqual(parseRequest({ type: 'join', group: 'g', keep }), { type: 'join', group: 'g' });
  assert.equal(parseRefusal({ type: 'join', group: 'g', keep: 'yes' }).code, 'bad_message');
});

test('say, who, history, leave: group is optional; null is absent; not a string is bad_message; a malformed name is not_in_group', () => {
  assert.deepEqual(parseRequest({ type: 'say', text: 'hi', group: 'Ops' }), { type: 'say', text: 'hi', group: 'Ops' });
  assert.deepEqual(parseRequest({ type: 'who', after: 'a', group: 'g' }), { type: 'who', after: 'a', group: 'g' });
  assert.deepEqual(parseRequest({ type: 'who', group: 'g' }), { type: 'who', group: 'g' });
  assert.deepEqual(parseRequest({ type: 'history', limit: 5, group: 'g' }), { type: 'history', limit: 5, group: 'g' });
  assert.deepEqual(parseRequest({ type: 'leave', id: 4, group: 'g' }), { type: 'leave', id: 4, group: 'g' });
  for (const type of ['say', 'who', 'history', 'leave']) {
    const base = type === 'say' ? { type, text: 'x' } : { type };
    assert.deepEqual(parseRequest({ ...base, group: null }), base);
    assert.equal(parseRefusal({ ...base, group: 5 }).code, 'bad_message', type);
    assert.deepEqual(parseRefusal({ ...base, id: 9, group: 'no way' }), { code: 'not_in_group', id: 9 });
  }
});

test('list_groups takes no group: an unknown field, ignored as every extra field is (not refused as a group the connection is not in)', () => {
  assert.deepEqual(parseRequest({ type: 'list_groups', group: 'bad name!' }), { type: 'list_groups' });
  assert.deepEqual(parseRequest({ type: 'list_groups', id: 3, group: 5, after: 'b' }), { type: 'list_groups', id: 3, after: 'b' });
});
