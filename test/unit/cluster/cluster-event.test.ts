import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ForgedEventError, MAX_EVENT_CHARS, readClusterEvent } from '../../../src/cluster/cluster-event.js';
import { EVENT_ACCOUNT_CLOSED, EVENT_DIRECT, EVENT_GROUP, EVENT_MESSAGE, EVENT_NOTICE, EVENT_PRESENCE } from '../../../src/redis/keys.js';

const event = (kind: string, body: unknown, origin = 'a1b2c3d4e5f6') => kind + JSON.stringify({ origin, body });
const message = (fields: object) => `${EVENT_MESSAGE}a1b2c3d4e5f6:7\n${JSON.stringify({ group: 'team', seq: 3, from: 'alice', text: 'hi', ts: 1, ...fields })}`;

test('what nodes send is read as it was sent', () => {
  assert.deepEqual(readClusterEvent(message({})), { kind: 'message', origin: 'a1b2c3d4e5f6:7', message: { group: 'team', seq: 3, from: 'alice', text: 'hi', ts: 1 } });
  assert.equal(readClusterEvent(message({ text: 'x'.repeat(4096) })).kind, 'message');
  assert.equal(readClusterEvent(event(EVENT_PRESENCE, { type: 'presence', group: 'team', user: 'bob', event: 'leave' })).kind, 'presence');
  assert.equal(readClusterEvent(event(EVENT_DIRECT, { type: 'dm', from: 'bob', to: 'alice', text: 'tab\tand\nnewline', ts: 2 })).kind, 'direct');
  assert.equal(readClusterEvent(event(EVENT_ACCOUNT_CLOSED, { user: 'bob', message: 'disabled by root' })).kind, 'accountClosed');
  assert.equal(readClusterEvent(event(EVENT_GROUP, { kind: 'topic', group: 'team', by: 'bob', topic: '' })).kind, 'group');
  assert.equal(readClusterEvent(event(EVENT_GROUP, { kind: 'kicked', group: 'team', by: 'bob', user: 'eve', reason: 'spam', banned: true })).kind, 'group');
  assert.equal(readClusterEvent(event(EVENT_GROUP, { kind: 'deleted', group: 'team', by: 'admin' }, 'store')).kind, 'group');
});

test('events that break the client rules are refused', () => {
  const forged = [
    message({ from: 'al\u001bice' }),
    message({ group: 'x'.repeat(33) }),
    message({ text: 'bell\u0007' }),
    message({ text: '' }),
    message({ seq: 0 }),
    message({ text: 'é'.repeat(2049) }),
    event(EVENT_PRESENCE, { type: 'presence', group: 'team', user: 'ev\u001b[2Jil', event: 'join' }),
    event(EVENT_DIRECT, { type: 'dm', from: 'admin', to: 'bob', text: '\u001b]0;x\u0007', ts: 2 }),
    event(EVENT_ACCOUNT_CLOSED, { user: 'bob bob', message: 'x' }),
    event(EVENT_GROUP, { kind: 'topic', group: 'team', by: 'bob', topic: 't'.repeat(301) }),
    event(EVENT_GROUP, { kind: 'kicked', group: 'team', by: 'bob', user: 'eve', reason: 'r'.repeat(301), banned: false }),
    event(EVENT_GROUP, { kind: 'topic', group: 'team', by: 'bob', topic: 'x' }, 'not an origin'),
    event(EVENT_GROUP, { kind: 'topic', group: 'team', by: 'bob', topic: 'x'.repeat(MAX_EVENT_CHARS) }),
  ];
  for (const payload of forged) assert.throws(() => readClusterEvent(payload), ForgedEventError, payload.slice(0, 80));
});

test('January additions: a kick\'s presence, a role and a notice are read as sent, and held to the client rules', () => {
  const leave = { type: 'presence', group: 'team', user: 'eve', event: 'leave', by: 'bob', reason: 'spam', banned: true };
  assert.deepEqual(readClusterEvent(event(EVENT_PRESENCE, leave)), { kind: 'presence', origin: 'a1b2c3d4e5f6', presence: leave });
  const role = { kind: 'role', group: 'team', user: 'eve', role: 'moderator', by: 'bob' };
  assert.deepEqual(readClusterEvent(event(EVENT_GROUP, role)), { kind: 'group', origin: 'a1b2c3d4e5f6', event: role });
  const notice = { type: 'notice', text: 'maintenance at 9\ntonight', by: 'root', ts: 5 };
  assert.deepEqual(readClusterEvent(event(EVENT_NOTICE, notice)), { kind: 'notice', origin: 'a1b2c3d4e5f6', notice });
  const forged = [
    event(EVENT_PRESENCE, { ...leave, by: 'b\u001bob' }),
    event(EVENT_PRESENCE, { ...leave, reason: 'r'.repeat(301) }),
    event(EVENT_PRESENCE, { ...leave, reason: '\u001b[2J' }),
    event(EVENT_GROUP, { ...role, role: 'owner' }),
    event(EVENT_GROUP, { ...role, user: 'e ve' }),
    event(EVENT_NOTICE, { ...notice, text: '\u001b]0;x\u0007' }),
    event(EVENT_NOTICE, { ...notice, text: '' }),
    event(EVENT_NOTICE, { ...notice, text: 'é'.repeat(2049) }),
    event(EVENT_NOTICE, { ...notice, by: 'ro ot' }),
    event(EVENT_NOTICE, { type: 'dm', from: 'root', to: 'bob', text: 'x', ts: 2 }),
  ];
  for (const payload of forged) assert.throws(() => readClusterEvent(payload), payload.slice(0, 80));
});
