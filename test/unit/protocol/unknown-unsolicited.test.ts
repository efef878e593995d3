import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUnknownUnsolicited, parseServerMessage } from '../../../src/protocol/server-message-parse.js';

test('a message of a newer type without an id may be ignored by a client', () => {
  for (const type of ['rename_group', 'launch_missiles']) {
    assert.equal(isUnknownUnsolicited({ type, group: 'g' }), true, type);
  }
});

test('the December notices are known: read, and a malformed one is a violation', () => {
  for (const type of ['topic', 'kicked', 'group_deleted', 'activity']) {
    assert.equal(isUnknownUnsolicited({ type, group: 'g' }), false, type);
    assert.throws(() => parseServerMessage({ type, group: 'g' }), { name: 'ProtocolError', code: 'bad_message' }, type);
  }
  assert.deepEqual(parseServerMessage({ type: 'topic', group: 'g', topic: 'hi', by: 'bob' }), { type: 'topic', group: 'g', topic: 'hi', by: 'bob' });
  assert.deepEqual(parseServerMessage({ type: 'kicked', group: 'g', by: 'bob', banned: true }), { type: 'kicked', group: 'g', by: 'bob', banned: true });
  assert.deepEqual(parseServerMessage({ type: 'kicked', group: 'g', by: 'bob', reason: 'spam', banned: false }), { type: 'kicked', group: 'g', by: 'bob', reason: 'spam', banned: false });
  assert.deepEqual(parseServerMessage({ type: 'group_deleted', group: 'g', by: 'bob' }), { type: 'group_deleted', group: 'g', by: 'bob' });
  assert.deepEqual(parseServerMessage({ type: 'activity', group: 'g', last_seq: 9, unread: 3, mention: true }), { type: 'activity', group: 'g', last_seq: 9, unread: 3, mention: true });
  assert.deepEqual(
    parseServerMessage({ type: 'groups', id: 1, groups: [{ name: 'g', members: 1, topic: '', private: true, last_seq: 5, unread: null }, { name: 'h', members: 0, last_seq: 2, unread: 1 }] }),
    { type: 'groups', id: 1, groups: [{ name: 'g', members: 1, topic: '', private: true, last_seq: 5, unread: null }, { name: 'h', members: 0, last_seq: 2, unread: 1 }] },
  );
  assert.deepEqual(
    parseServerMessage({ type: 'joined', id: 2, group: 'g', members: [], last_seq: 0, history: [], more: false, role: 'owner', owner: null, topic: 't' }),
    { type: 'joined', id: 2, group: 'g', members: [], last_seq: 0, history: [], more: false, role: 'owner', owner: null, topic: 't' },
  );
  assert.throws(() => parseServerMessage({ type: 'joined', id: 2, group: 'g', members: [], last_seq: 0, history: [], more: false, role: 'king' }), { code: 'bad_message' });
});

test('known types, replies (with an id) and bodies without a string type are never ignored', () => {
  assert.equal(isUnknownUnsolicited({ type: 'msg', group: 'g' }), false, 'a malformed known message stays a violation');
  assert.throws(() => parseServerMessage({ type: 'msg', group: 'g' }), { name: 'ProtocolError', code: 'bad_message' });
  assert.equal(isUnknownUnsolicited({ type: 'launch_missiles', id: 1 }), false, 'a reply of an unknown type stays a violation');
  assert.equal(isUnknownUnsolicited({ type: 42 }), false);
  assert.equal(isUnknownUnsolicited({}), false);
  assert.equal(isUnknownUnsolicited({ type: 'toString' }), true, 'inherited names are not known types');
});
