/** Validation of the moderation requests and notices (December additions). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUnknownUnsolicited, parseServerMessage } from '../../../src/protocol/server-message-parse.js';
import { parseRequest } from '../../../src/protocol/validate.js';
import { parseRefusal } from '../../helpers/parse-refusal.js';

test('create_group: private is an optional bool; false or absent is a public group', () => {
  assert.deepEqual(parseRequest({ type: 'create_group', group: 'g', private: true }), { type: 'create_group', group: 'g', private: true });
  assert.deepEqual(parseRequest({ type: 'create_group', group: 'g', private: false }), { type: 'create_group', group: 'g' });
  assert.deepEqual(parseRequest({ type: 'create_group', group: 'g', private: null }), { type: 'create_group', group: 'g' });
  assert.equal(parseRefusal({ type: 'create_group', group: 'g', private: 1 }).code, 'bad_message');
});

test('set_topic: 0..300 bytes of text; empty allowed; control characters and longer are bad_message', () => {
  assert.deepEqual(parseRequest({ type: 'set_topic', id: 2, group: 'g', topic: '' }), { type: 'set_topic', id: 2, group: 'g', topic: '' });
  assert.deepEqual(parseRequest({ type: 'set_topic', group: 'g', topic: 'x'.repeat(300) }).type, 'set_topic');
  assert.deepEqual(parseRequest({ type: 'set_topic', group: 'g', topic: 'é'.repeat(150) }).type, 'set_topic');
  assert.deepEqual(parseRefusal({ type: 'set_topic', id: 2, group: 'g', topic: 'é'.repeat(151) }), { code: 'bad_message', id: 2 });
  assert.equal(parseRefusal({ type: 'set_topic', group: 'g', topic: 'line\u0000' }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'set_topic', group: 'g', topic: 'a\u0085' }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'set_topic', group: 'g' }).code, 'bad_message');
  assert.equal(parseRefusal({ type: 'set_topic', group: 'no way', topic: '' }).code, 'no_such_group');
});

test('invite, uninvite, kick, ban, unban, set_role, delete_group: names fail as lookups; reason rule; role values', () => {
  for (const type of ['invite', 'uninvite']) {
    assert.deepEqual(parseRequest({ type, group: 'g', user: 'u', reason: 'ignored' }), { type, group: 'g', user: 'u' });
  }
  for (const type of ['kick', 'ban', 'unban']) {
    assert.deepEqual(parseRequest({ type, group: 'g', user: 'u', reason: 'why' }), { type, group: 'g', user: 'u', reason: 'why' });
    assert.deepEqual(parseRequest({ type, group: 'g', user: 'u', reason: '' }), { type, group: 'g', user: 'u' });
    assert.equal(parseRefusal({ type, group: 'g', user: 'u', reason: 'x'.repeat(301) }).code, 'bad_message');
    assert.equal(parseRefusal({ type, group: 'g', user: 'u', reason: 5 }).code, 'bad_message');
    assert.equal(parseRefusal({ type, group: '', user: 'u' }).code, 'no_such_group');
    assert.equal(parseRefusal({ type, group: 'g', user: 'a b' }).code, 'no_such_user');
    assert.equal(parseRefusal({ type, group: 'g' }).code, 'bad_message');
  }
  assert.deepEqual(parseRequest({ type: 'set_role', group: 'g', user: 'u', role: 'moderator' }), { type: 'set_role', group: 'g', user: 'u', role: 'moderator' });
  assert.deepEqual(parseRequest({ type: 'set_role', group: 'g', user: 'u', role: 'member' }).type, 'set_role');
  for (const role of ['owner', 'admin', '', 1]) assert.equal(parseRefusal({ type: 'set_role', group: 'g', user: 'u', role }).code, 'bad_message');
  assert.deepEqual(parseRequest({ type: 'delete_group', id: 9, group: 'g' }), { type: 'delete_group', id: 9, group: 'g' });
  assert.equal(parseRefusal({ type: 'delete_group', group: 'x'.repeat(33) }).code, 'no_such_group');
});

test('notices: topic, kicked, group_deleted parse; joined and groups carry the new fields', () => {
  assert.deepEqual(parseServerMessage({ type: 'topic', group: 'g', topic: '', by: 'o' }), { type: 'topic', group: 'g', topic: '', by: 'o' });
  assert.deepEqual(parseServerMessage({ type: 'kicked', group: 'g', by: 'o', banned: true }), { type: 'kicked', group: 'g', by: 'o', banned: true });
  assert.deepEqual(parseServerMessage({ type: 'kicked', group: 'g', by: 'o', reason: 'r', banned: false }), { type: 'kicked', group: 'g', by: 'o', reason: 'r', banned: false });
  assert.deepEqual(parseServerMessage({ type: 'group_deleted', group: 'g', by: 'o' }), { type: 'group_deleted', group: 'g', by: 'o' });
  assert.equal(parseRefusal({ type: 'kicked', group: 'g', by: 'o' }, parseServerMessage).code, 'bad_message');
  // Known types now: a malformed one is a violation, not an unknown message to skip.
  assert.equal(isUnknownUnsolicited({ type: 'kicked', group: 'g', by: 'o', banned: true }), false);
  const joined = parseServerMessage({ type: 'joined', group: 'g', members: [], last_seq: 0, history: [], more: false, role: 'owner', owner: null, topic: 't' });
  assert.deepEqual(joined, { type: 'joined', group: 'g', members: [], last_seq: 0, history: [], more: false, role: 'owner', owner: null, topic: 't' });
  assert.equal(parseRefusal({ type: 'joined', group: 'g', members: [], last_seq: 0, history: [], more: false, role: 'admin' }, parseServerMessage).code, 'bad_message');
  const groups = parseServerMessage({ type: 'groups', groups: [{ name: 'g', members: 1, topic: 't', private: true }] });
  assert.deepEqual(groups, { type: 'groups', groups: [{ name: 'g', members: 1, topic: 't', private: true }] });
});

test('members and joined: roles (an addition) is optional; a role unknown to this client is left out; not a map is bad_message', () => {
  assert.deepEqual(parseServerMessage({ type: 'members', id: 1, group: 'g', members: ['a', 'b'] }), { type: 'members', id: 1, group: 'g', members: ['a', 'b'] });
  const members = parseServerMessage({ type: 'members', id: 1, group: 'g', members: ['a', 'b', 'c'], roles: { a: 'owner', b: 'moderator', c: 'queen' } });
  assert.deepEqual(members, { type: 'members', id: 1, group: 'g', members: ['a', 'b', 'c'], roles: { a: 'owner', b: 'moderator' } });
  const joined = parseServerMessage({ type: 'joined', group: 'g', members: ['r'], last_seq: 0, history: [], more: false, roles: { r: 'admin' } });
  assert.deepEqual(joined.type === 'joined' && joined.roles, { r: 'admin' });
  assert.equal(parseRefusal({ type: 'members', id: 1, group: 'g', members: [], roles: ['a'] }, parseServerMessage).code, 'bad_message');
});
