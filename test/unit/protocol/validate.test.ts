import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../../src/protocol/errors.js';
import type { FrameBody } from '../../../src/protocol/frame.js';
import { parseServerMessage, parseServerValue, parseStoredMessage } from '../../../src/protocol/server-message-parse.js';
import { parseRequest, textProblem } from '../../../src/protocol/validate.js';
import { parseRefusal } from '../../helpers/parse-refusal.js';

test('valid requests parse to typed requests, extra fields dropped', () => {
  assert.deepEqual(parseRequest({ type: 'join', group: 'g', since: 0, id: 1, extra: [1] }), { type: 'join', group: 'g', since: 0, id: 1 });
  assert.deepEqual(parseRequest({ type: 'join', group: 'g' }), { type: 'join', group: 'g' });
  assert.deepEqual(parseRequest({ type: 'history', before: 5, limit: 200 }), { type: 'history', before: 5, limit: 200 });
  assert.deepEqual(parseRequest({ type: 'history', limit: 1 }), { type: 'history', limit: 1 });
  assert.deepEqual(parseRequest({ type: 'say', text: 'a\tb\nc' }), { type: 'say', text: 'a\tb\nc' });
  assert.deepEqual(parseRequest({ type: 'dm', to: 'Bob', text: 'x' }), { type: 'dm', to: 'Bob', text: 'x' });
  assert.deepEqual(parseRequest({ type: 'register', user: 'a'.repeat(32), password: '12345678' }), { type: 'register', user: 'a'.repeat(32), password: '12345678' });
  for (const type of ['list_groups', 'who', 'leave', 'ping', 'bye']) assert.deepEqual(parseRequest({ type, id: 9 }), { type, id: 9 });
});

test('ids: unsigned integers below 2^32; a bad id is bad_message without an id', () => {
  assert.deepEqual(parseRequest({ type: 'ping', id: 0xffff_ffff }), { type: 'ping', id: 0xffff_ffff });
  for (const id of [-1, 1.5, 2 ** 32, '1', null, true]) assert.deepEqual(parseRefusal({ type: 'ping', id }), { code: 'bad_message', id: undefined });
});

test('unknown or missing type, and fields of the wrong kind: bad_message with the id', () => {
  const cases: FrameBody[] = [
    { type: 'fly' }, {}, { type: 5 },
    { type: 'register', user: 'a', password: 12345678 }, { type: 'login', user: 1, password: 'x' },
    { type: 'create_group' }, { type: 'join', group: ['g'] }, { type: 'join', group: 'g', since: -1 },
    { type: 'join', group: 'g', since: 'x' }, { type: 'say' }, { type: 'say', text: 5 },
    { type: 'history', limit: 0 }, { type: 'history', limit: 201 }, { type: 'history', before: 1.5 },
    { type: 'dm', to: 'bob' }, { type: 'dm', to: 'bob', text: '' },
  ];
  for (const body of cases) assert.deepEqual(parseRefusal({ ...body, id: 3 }), { code: 'bad_message', id: 3 }, JSON.stringify(body));
});

test('text: 1 to 4096 bytes, no control characters but tab and newline', () => {
  assert.equal(textProblem('x'.repeat(4096)), undefined);
  assert.equal(textProblem('€'.repeat(1365)), undefined); // 4095 bytes
  assert.match(textProblem('x'.repeat(4097)) ?? '', /4096/);
  assert.match(textProblem('€'.repeat(1366)) ?? '', /4096/); // 4098 bytes in 1366 characters
  assert.match(textProblem('') ?? '', /empty/);
  for (const bad of ['\u0000', '\u0007', '\r', '\u001b[2J', '\u007f', '\u0080', '\u009b', '\u009f']) {
    assert.match(textProblem(`a${bad}b`) ?? '', /control/, JSON.stringify(bad));
    assert.equal(parseRefusal({ type: 'say', text: `a${bad}b` }).code, 'bad_message');
  }
  for (const fine of ['\t', '\n', '\u00a0', '\u200b', '👍']) assert.equal(textProblem(`a${fine}b`), undefined);
});

test('names: invalid_name for register and create_group; lookups fail as lookups', () => {
  for (const name of ['', 'a'.repeat(33), 'with space', 'ünïcode', 'semi;colon', '../x']) {
    assert.equal(parseRefusal({ type: 'register', user: name, password: '12345678' }).code, 'invalid_name', name);
    assert.equal(parseRefusal({ type: 'create_group', group: name }).code, 'invalid_name', name);
    assert.equal(parseRefusal({ type: 'join', group: name }).code, 'no_such_group', name);
    assert.equal(parseRefusal({ type: 'dm', to: name, text: 'x' }).code, 'no_such_user', name);
    assert.deepEqual(parseRequest({ type: 'login', user: name, password: 'x' }), { type: 'login', user: name, password: 'x' });
  }
});

test('passwords: weak under 8 bytes (bytes, not characters), bad_message over 1024', () => {
  assert.equal(parseRefusal({ type: 'register', user: 'a', password: '1234567' }).code, 'weak_password');
  assert.equal(parseRefusal({ type: 'register', user: 'a', password: '€€' }).code, 'weak_password'); // 6 bytes
  assert.deepEqual(parseRequest({ type: 'register', user: 'a', password: '€€€' }).type, 'register'); // 9 bytes
  assert.equal(parseRefusal({ type: 'register', user: 'a', password: 'p'.repeat(1025) }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'login', user: 'a', password: 'p'.repeat(1025) }).code, 'bad_message');
  assert.equal(parseRequest({ type: 'login', user: 'a', password: '' }).type, 'login');
});

test('login with resume_token (an addition): in place of password; with both the password counts; a long or non-string token is bad_message', () => {
  assert.deepEqual(parseRequest({ type: 'login', user: 'a', resume_token: 't0k3n' }), { type: 'login', user: 'a', resume_token: 't0k3n' });
  assert.deepEqual(parseRequest({ type: 'login', user: 'a', password: 'pw', resume_token: 't0k3n' }), { type: 'login', user: 'a', password: 'pw' });
  assert.equal(parseRefusal({ type: 'login', user: 'a', resume_token: 't'.repeat(129) }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'login', user: 'a', resume_token: 5 }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'login', user: 'a' }).code, 'bad_message', 'neither');
});

test('server messages parse; wrong kinds are bad_message', () => {
  assert.deepEqual(parseServerMessage({ type: 'ack', ts: 5, id: 1 }), { type: 'ack', ts: 5, id: 1 });
  assert.deepEqual(parseServerMessage({ type: 'presence', group: 'g', user: 'u', event: 'leave' }), { type: 'presence', group: 'g', user: 'u', event: 'leave' });
  assert.equal(parseRefusal({ type: 'presence', group: 'g', user: 'u', event: 'wave' }, parseServerMessage).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'error', code: 'nonsense', message: '' }, parseServerMessage).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'joined', group: 'g', members: [1], last_seq: 0, history: [], more: false }, parseServerMessage).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'msg', group: 'g', seq: '1', from: 'a', text: 't', ts: 1 }, parseServerMessage).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'welcome', version: 1, server: 's', max_frame: 10, registration: 'yes' }, parseServerMessage).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'teleport' }, parseServerMessage).code, 'bad_message');
});

test('values from elsewhere than a frame (Redis JSON) go through the same parsers', () => {
  const stored = { group: 'g', seq: 3, from: 'a', text: 't', ts: 1 };
  assert.deepEqual(parseStoredMessage({ ...stored, extra: true }), stored);
  assert.deepEqual(parseServerValue({ type: 'dm', from: 'a', to: 'b', text: 't', ts: 2 }), { type: 'dm', from: 'a', to: 'b', text: 't', ts: 2 });
  for (const value of [null, [], 'x', { ...stored, seq: -1 }, { ...stored, text: 5 }]) {
    assert.throws(() => parseStoredMessage(value), (error) => error instanceof ProtocolError && error.code === 'bad_message');
  }
  for (const value of [null, [1], { type: 'presence', group: 'g', user: 'u', event: 'wave' }]) {
    assert.throws(() => parseServerValue(value), (error) => error instanceof ProtocolError && error.code === 'bad_message');
  }
});

test('account requests (December additions): fields, error codes, reason rule; auth_ok role and ok', () => {
  assert.deepEqual(parseRequest({ type: 'passwd', id: 3, old: 'x', new: '12345678' }), { type: 'passwd', id: 3, old: 'x', new: '12345678' });
  assert.deepEqual(parseRefusal({ type: 'passwd', id: 3, old: 'x', new: 'short' }), { code: 'weak_password', id: 3 });
  assert.equal(parseRefusal({ type: 'passwd', new: '12345678' }).code, 'bad_message');
  assert.deepEqual(parseRequest({ type: 'disable_user', user: 'bob', reason: 'spam' }), { type: 'disable_user', user: 'bob', reason: 'spam' });
  assert.deepEqual(parseRequest({ type: 'enable_user', user: 'bob', reason: '' }), { type: 'enable_user', user: 'bob' });
  assert.equal(parseRefusal({ type: 'disable_user', user: 'bad name' }).code, 'no_such_user');
  assert.equal(parseRefusal({ type: 'disable_user', user: 'bob', reason: 'x'.repeat(301) }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'disable_user', user: 'bob', reason: 'a\u0007b' }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'reset_password', user: 'bob', password: '1234567' }).code, 'weak_password');
  assert.equal(parseRefusal({ type: 'reset_password', user: '', password: '12345678' }).code, 'no_such_user');
  assert.deepEqual(parseServerMessage({ type: 'auth_ok', user: 'a', role: 'admin', id: 1 }), { type: 'auth_ok', user: 'a', role: 'admin', id: 1 });
  assert.deepEqual(parseServerMessage({ type: 'auth_ok', user: 'a' }), { type: 'auth_ok', user: 'a' });
  assert.deepEqual(parseServerMessage({ type: 'auth_ok', user: 'a', resume_token: 'abc' }), { type: 'auth_ok', user: 'a', resume_token: 'abc' });
  assert.equal(parseRefusal({ type: 'auth_ok', user: 'a', resume_token: 5 }, parseServerMessage).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'auth_ok', user: 'a', role: 'owner' }, parseServerMessage).code, 'bad_message');
  assert.deepEqual(parseServerMessage({ type: 'ok', id: 7 }), { type: 'ok', id: 7 });
});
