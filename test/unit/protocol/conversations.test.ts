/** The January conversation additions on both sides of the wire: the server's parse of the requests, the client's of the replies and of `dm` with `seq`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkServerMessage, ServerViolationError } from '../../../src/client/server-rules.js';
import { parseServerMessage } from '../../../src/protocol/server-message-parse.js';
import { parseRequest } from '../../../src/protocol/validate.js';
import { parseRefusal } from '../../helpers/parse-refusal.js';

test('requests: conversations and blocked page with after; dm_history before or since; block by name; mark_read with user', () => {
  assert.deepEqual(parseRequest({ type: 'conversations', id: 1 }), { type: 'conversations', id: 1 });
  assert.deepEqual(parseRequest({ type: 'conversations', after: 'Bob' }), { type: 'conversations', after: 'Bob' });
  assert.equal(parseRefusal({ type: 'conversations', after: 'no spaces' }).code, 'bad_message');
  assert.deepEqual(parseRequest({ type: 'blocked', after: 'a' }), { type: 'blocked', after: 'a' });
  assert.deepEqual(parseRequest({ type: 'dm_history', user: 'bob', before: 9, limit: 200 }), { type: 'dm_history', user: 'bob', before: 9, limit: 200 });
  assert.deepEqual(parseRequest({ type: 'dm_history', user: 'bob', since: 0 }), { type: 'dm_history', user: 'bob', since: 0 });
  assert.equal(parseRefusal({ type: 'dm_history', user: 'bob', since: 1, before: 5 }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'dm_history', user: 'bob', limit: 201 }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'dm_history', user: 'b b' }).code, 'no_such_user');
  assert.equal(parseRefusal({ type: 'dm_history' }).code, 'bad_message');
  assert.deepEqual(parseRequest({ type: 'block', user: 'bob' }), { type: 'block', user: 'bob' });
  assert.deepEqual(parseRequest({ type: 'unblock', user: 'bob' }), { type: 'unblock', user: 'bob' });
  assert.equal(parseRefusal({ type: 'block', user: 'b\u0000b' }).code, 'no_such_user');
  assert.deepEqual(parseRequest({ type: 'mark_read', user: 'Bob', seq: 3, id: 2 }), { type: 'mark_read', id: 2, user: 'Bob', seq: 3 });
  assert.deepEqual(parseRequest({ type: 'mark_read', group: 'ops', user: null, seq: 3 }), { type: 'mark_read', group: 'ops', seq: 3 });
  assert.equal(parseRefusal({ type: 'mark_read', user: 'bob', group: 'ops', seq: 3 }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'mark_read', user: 'no one', seq: 3 }).code, 'no_such_user');
});

test('the client accepts dm with seq (and without: older servers), the three new replies, and error blocked; it checks their names and texts', () => {
  assert.deepEqual(parseServerMessage({ type: 'dm', from: 'a', to: 'b', seq: 4, text: 'hi', ts: 5 }), { type: 'dm', from: 'a', to: 'b', seq: 4, text: 'hi', ts: 5 });
  assert.deepEqual(parseServerMessage({ type: 'dm', from: 'a', to: 'b', text: 'hi', ts: 5 }), { type: 'dm', from: 'a', to: 'b', text: 'hi', ts: 5 });
  assert.equal(parseRefusal({ type: 'dm', from: 'a', to: 'b', seq: -1, text: 'hi', ts: 5 }, parseServerMessage).code, 'bad_message');
  const listed = parseServerMessage({ type: 'conversations', id: 3, conversations: [{ user: 'bob', last_seq: 2, last_ts: 9, unread: 1 }], more: true });
  assert.deepEqual(listed, { type: 'conversations', id: 3, conversations: [{ user: 'bob', last_seq: 2, last_ts: 9, unread: 1 }], more: true });
  assert.equal(parseRefusal({ type: 'conversations', conversations: [{ user: 'bob', last_seq: 2, last_ts: 9 }] }, parseServerMessage).code, 'bad_message');
  const history = parseServerMessage({ type: 'dm_history', user: 'bob', messages: [{ from: 'bob', to: 'a', seq: 1, text: 'x', ts: 1 }], more: false });
  assert.deepEqual(history, { type: 'dm_history', user: 'bob', messages: [{ from: 'bob', to: 'a', seq: 1, text: 'x', ts: 1 }], more: false });
  assert.equal(parseRefusal({ type: 'dm_history', user: 'bob', messages: [{ from: 'bob', seq: 1, text: 'x', ts: 1 }], more: false }, parseServerMessage).code, 'bad_message');
  assert.deepEqual(parseServerMessage({ type: 'blocked', users: ['a', 'b'] }), { type: 'blocked', users: ['a', 'b'] });
  assert.deepEqual(parseServerMessage({ type: 'error', code: 'blocked', message: 'no' }), { type: 'error', code: 'blocked', message: 'no' });
  for (const message of [listed, history, parseServerMessage({ type: 'blocked', users: ['a'] })]) checkServerMessage(message);
  assert.throws(() => checkServerMessage({ type: 'blocked', users: ['bad name'] }), ServerViolationError);
  assert.throws(() => checkServerMessage({ type: 'dm_history', user: 'bob', messages: [{ from: 'bob', to: 'a', seq: 1, text: '\u001b[2J', ts: 1 }], more: false }), ServerViolationError);
  assert.throws(() => checkServerMessage({ type: 'conversations', conversations: [{ user: 'x y', last_seq: 1, last_ts: 1, unread: 0 }] }), ServerViolationError);
});
