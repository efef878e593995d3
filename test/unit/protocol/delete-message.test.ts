/** Validation of the removal additions (January): `delete_message`, `message_deleted`, a stored message's `deleted`, on both sides. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkServerMessage, ServerViolationError } from '../../../src/client/server-rules.js';
import { isUnknownUnsolicited, parseServerMessage, parseStoredMessage } from '../../../src/protocol/server-message-parse.js';
import { parseRequest } from '../../../src/protocol/validate.js';

test('delete_message: a group (else no_such_group) or a user (else no_such_user), not both, and seq an unsigned integer', () => {
  assert.deepEqual(parseRequest({ type: 'delete_message', id: 3, group: 'Ops', seq: 7 }), { type: 'delete_message', id: 3, group: 'Ops', seq: 7 });
  assert.deepEqual(parseRequest({ type: 'delete_message', user: 'Bob', seq: 0 }), { type: 'delete_message', user: 'Bob', seq: 0 });
  assert.throws(() => parseRequest({ type: 'delete_message', group: 'no spaces', seq: 1 }), { code: 'no_such_group' });
  assert.throws(() => parseRequest({ type: 'delete_message', user: 'no spaces', seq: 1 }), { code: 'no_such_user' });
  for (const bad of [{ seq: 1 }, { group: 'ops', user: 'bob', seq: 1 }, { group: 'ops' }, { group: 'ops', seq: -1 }, { group: 'ops', seq: 1.5 }, { user: 'bob', seq: '2' }]) {
    assert.throws(() => parseRequest({ type: 'delete_message', ...bad }), { code: 'bad_message' }, JSON.stringify(bad));
  }
});

test('message_deleted (group or user) and removed messages are read; malformed ones are bad_message', () => {
  assert.equal(isUnknownUnsolicited({ type: 'message_deleted', group: 'g', seq: 1, by: 'bob' }), false);
  assert.deepEqual(parseServerMessage({ type: 'message_deleted', group: 'g', seq: 4, by: 'bob' }), { type: 'message_deleted', group: 'g', seq: 4, by: 'bob' });
  assert.deepEqual(parseServerMessage({ type: 'message_deleted', user: 'amy', seq: 2, by: 'amy' }), { type: 'message_deleted', user: 'amy', seq: 2, by: 'amy' });
  for (const bad of [{ seq: 1, by: 'b' }, { group: 'g', by: 'b' }, { group: 'g', seq: 1 }, { group: 1, seq: 1, by: 'b' }]) {
    assert.throws(() => parseServerMessage({ type: 'message_deleted', ...bad }), { code: 'bad_message' }, JSON.stringify(bad));
  }
  const removed = { group: 'g', seq: 2, from: 'amy', text: '(message deleted)', ts: 10, deleted: { by: 'mo', ts: 20 } };
  assert.deepEqual(parseStoredMessage(removed), removed);
  assert.deepEqual(parseStoredMessage({ ...removed, deleted: null }), { group: 'g', seq: 2, from: 'amy', text: '(message deleted)', ts: 10 });
  assert.deepEqual(parseServerMessage({ type: 'history', id: 1, group: 'g', messages: [removed], more: false }),
    { type: 'history', id: 1, group: 'g', messages: [removed], more: false });
  assert.deepEqual(parseServerMessage({ type: 'msg', ...removed }), { type: 'msg', ...removed }, 'a catch-up may carry one');
  for (const deleted of [{ by: 'mo' }, { ts: 1 }, 'mo', { by: 'mo', ts: -1 }]) {
    assert.throws(() => parseStoredMessage({ ...removed, deleted }), { code: 'bad_message' }, JSON.stringify(deleted));
  }
});

test('dm_history carries removed direct messages', () => {
  const removed = { from: 'amy', to: 'bob', seq: 3, text: '(message deleted)', ts: 10, deleted: { by: 'amy', ts: 11 } };
  assert.deepEqual(parseServerMessage({ type: 'dm_history', id: 2, user: 'amy', messages: [removed], more: false }),
    { type: 'dm_history', id: 2, user: 'amy', messages: [removed], more: false });
  assert.throws(() => parseServerMessage({ type: 'dm_history', id: 2, user: 'amy', messages: [{ ...removed, deleted: { by: 1, ts: 1 } }], more: false }), { code: 'bad_message' });
  checkServerMessage({ type: 'dm_history', user: 'amy', messages: [removed], more: false });
  assert.throws(() => checkServerMessage({ type: 'dm_history', user: 'amy', messages: [{ ...removed, deleted: { by: 'a\u001bmy', ts: 11 } }], more: false }), ServerViolationError);
});

test('the client holds them to the name rule', () => {
  checkServerMessage({ type: 'message_deleted', group: 'g', seq: 1, by: 'bob' });
  checkServerMessage({ type: 'history', group: 'g', messages: [{ group: 'g', seq: 1, from: 'a', text: 'x', ts: 1, deleted: { by: 'mo', ts: 2 } }], more: false });
  assert.throws(() => checkServerMessage({ type: 'message_deleted', group: 'g', seq: 1, by: 'b\u001b[2Jb' }), ServerViolationError);
  assert.throws(() => checkServerMessage({ type: 'message_deleted', user: 'a b', seq: 1, by: 'bob' }), ServerViolationError);
  assert.throws(() => checkServerMessage({ type: 'msg', group: 'g', seq: 1, from: 'a', text: 'x', ts: 1, deleted: { by: 'not a name', ts: 2 } }), ServerViolationError);
});
