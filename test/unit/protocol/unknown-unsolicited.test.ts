import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUnknownUnsolicited, parseServerMessage } from '../../../src/protocol/validate.js';

test('a message of a newer type without an id may be ignored by a client', () => {
  for (const type of ['topic', 'kicked', 'group_deleted', 'activity', 'launch_missiles']) {
    assert.equal(isUnknownUnsolicited({ type, group: 'g' }), true, type);
  }
});

test('known types, replies (with an id) and bodies without a string type are never ignored', () => {
  assert.equal(isUnknownUnsolicited({ type: 'msg', group: 'g' }), false, 'a malformed known message stays a violation');
  assert.throws(() => parseServerMessage({ type: 'msg', group: 'g' }), { name: 'ProtocolError', code: 'bad_message' });
  assert.equal(isUnknownUnsolicited({ type: 'launch_missiles', id: 1 }), false, 'a reply of an unknown type stays a violation');
  assert.equal(isUnknownUnsolicited({ type: 42 }), false);
  assert.equal(isUnknownUnsolicited({}), false);
  assert.equal(isUnknownUnsolicited({ type: 'toString' }), true, 'inherited names are not known types');
});
