/** Validation of the read-marker additions: `mark_read`, `list_groups` entries, `activity`, the mention rule. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../../../src/protocol/errors.js';
import { mentionedKeys, mentions } from '../../../src/protocol/mentions.js';
import { parseServerMessage } from '../../../src/protocol/server-message-parse.js';
import { parseRequest } from '../../../src/protocol/validate.js';

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  assert.fail('expected a ProtocolError');
}

test('mark_read: group by the name rule (else no_such_group), seq an unsigned integer', () => {
  assert.deepEqual(parseRequest({ type: 'mark_read', id: 4, group: 'Ops', seq: 12 }), { type: 'mark_read', id: 4, group: 'Ops', seq: 12 });
  assert.deepEqual(parseRequest({ type: 'mark_read', group: 'ops', seq: 0 }), { type: 'mark_read', group: 'ops', seq: 0 });
  assert.equal(code(() => parseRequest({ type: 'mark_read', group: 'no spaces', seq: 1 })), 'no_such_group');
  assert.equal(code(() => parseRequest({ type: 'mark_read', group: 'ops' })), 'bad_message');
  assert.equal(code(() => parseRequest({ type: 'mark_read', group: 'ops', seq: -1 })), 'bad_message');
  assert.equal(code(() => parseRequest({ type: 'mark_read', group: 'ops', seq: 1.5 })), 'bad_message');
  assert.equal(code(() => parseRequest({ type: 'mark_read', group: 'ops', seq: '3' })), 'bad_message');
  assert.equal(code(() => parseRequest({ type: 'mark_read', seq: 3 })), 'bad_message');
});

test('groups entries: last_seq and unread (null: never joined), both optional for older servers', () => {
  const reply = parseServerMessage({ type: 'groups', groups: [
    { name: 'a', members: 1, last_seq: 9, unread: 2 }, { name: 'b', members: 0, last_seq: 4, unread: null }, { name: 'c', members: 0 },
  ] });
  assert.deepEqual(reply.type === 'groups' && reply.groups, [
    { name: 'a', members: 1, last_seq: 9, unread: 2 }, { name: 'b', members: 0, last_seq: 4, unread: null }, { name: 'c', members: 0 },
  ]);
  assert.equal(code(() => parseServerMessage({ type: 'groups', groups: [{ name: 'a', members: 1, unread: -1 }] })), 'bad_message');
  assert.equal(code(() => parseServerMessage({ type: 'groups', groups: [{ name: 'a', members: 1, last_seq: 'x' }] })), 'bad_message');
});

test('activity: every field required and typed', () => {
  const body = { type: 'activity', group: 'ops', last_seq: 7, unread: 3, mention: true };
  assert.deepEqual(parseServerMessage(body), body);
  assert.equal(code(() => parseServerMessage({ ...body, mention: 'yes' })), 'bad_message');
  assert.equal(code(() => parseServerMessage({ ...body, unread: null })), 'bad_message');
  assert.equal(code(() => parseServerMessage({ type: 'activity', group: 'ops', last_seq: 7, unread: 3 })), 'bad_message');
  });

test('mentions: the name as a word, with or without @, in any case; trailing dots not part of the name', () => {
  assert.equal(mentions('hi @alice', 'Alice'), true);
  assert.equal(mentions('@ALICE: look', 'alice'), true);
  assert.equal(mentions('ping (@alice), please', 'alice'), true);
  assert.equal(mentions('thanks @alice.', 'alice'), true);
  assert.equal(mentions('hi @alice.bob', 'alice'), false);
  assert.equal(mentions('hi @alice.bob', 'alice.bob'), true);
  assert.equal(mentions('hi @alicex', 'alice'), false);
  assert.equal(mentions('mail me@alice', 'alice'), false);
  assert.deepEqual([...mentionedKeys('@a @B @a- @@c x@d')].sort(), ['a', 'a-', 'b', 'x'], '`x@d`: x is a word, d an address');
  assert.equal(mentionedKeys('').size, 0);
});

test('mentions: a bare name is a mention (the form Tab writes, `alice: `), as the screen highlights it', () => {
  assert.equal(mentions('hi alice', 'alice'), true);
  assert.equal(mentions('Alice: the build is red', 'alice'), true);
  assert.equal(mentions("thanks alice.", 'alice'), true);
  assert.equal(mentions("alice's patch", 'alice'), true);
  assert.equal(mentions('malice aforethought', 'alice'), false);
  assert.equal(mentions('alice_2 said so', 'alice'), false);
  assert.equal(mentions('alice.bob: hi', 'alice'), false);
  assert.deepEqual([...mentionedKeys('hi bob, ask Carol.')].sort(), ['ask', 'bob', 'carol', 'hi']);
});
