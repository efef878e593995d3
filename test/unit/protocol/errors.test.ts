import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closesConnection, ERROR_CODES, ProtocolError } from '../../../src/protocol/errors.js';

/** protocol.md's "Error codes" list, as written there. */
const SPEC_CODES = ['frame_too_large', 'bad_frame', 'bad_message', 'wrong_state', 'invalid_name', 'weak_password', 'user_exists',
  'registration_closed', 'auth_failed', 'too_many_attempts', 'auth_timeout', 'no_such_group', 'group_exists', 'no_such_user',
  'offline', 'rate_limited', 'slow_consumer', 'idle_timeout', 'server_busy', 'internal',
  'not_allowed', 'banned', 'account_disabled'];
const CLOSING = ['frame_too_large', 'bad_frame', 'too_many_attempts', 'auth_timeout', 'slow_consumer', 'idle_timeout', 'server_busy',
  'account_disabled'];

test('every spec code exists; exactly the spec’s closing codes close', () => {
  for (const code of SPEC_CODES) assert.ok((ERROR_CODES as readonly string[]).includes(code), code);
  for (const code of ERROR_CODES) assert.equal(closesConnection(code), CLOSING.includes(code), code);
});

test('ProtocolError carries code, id, cause; withId keeps the rest', () => {
  const cause = new Error('root');
  const error = new ProtocolError('bad_message', 'nope', { cause });
  assert.equal(error.fatal, false);
  const answered = error.withId(4);
  assert.equal(answered.id, 4);
  assert.equal(answered.code, 'bad_message');
  assert.equal(answered.cause, cause);
  assert.equal(new ProtocolError('bad_frame', 'x').fatal, true);
});
