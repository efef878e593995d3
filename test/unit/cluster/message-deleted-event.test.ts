/** A removal travels between nodes as a group event; what comes in is read by the client rules (January addition). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAccountMessage } from '../../../src/cluster/account-message.js';
import { ForgedEventError, readClusterEvent } from '../../../src/cluster/cluster-event.js';
import { parseGroupEvent } from '../../../src/cluster/group-event.js';
import { EVENT_ACCOUNT_MESSAGE, EVENT_GROUP, EVENT_MESSAGE } from '../../../src/redis/keys.js';

const event = (body: unknown) => EVENT_GROUP + JSON.stringify({ origin: 'a1b2c3d4e5f6', body });

test('message_deleted group events parse; a seq that is not a positive integer does not', () => {
  assert.deepEqual(parseGroupEvent({ kind: 'message_deleted', group: 'g', seq: 3, by: 'mo' }), { kind: 'message_deleted', group: 'g', seq: 3, by: 'mo' });
  for (const seq of [0, -1, 1.5, '3', undefined]) assert.equal(parseGroupEvent({ kind: 'message_deleted', group: 'g', seq, by: 'mo' }), undefined, String(seq));
  assert.deepEqual(readClusterEvent(event({ kind: 'message_deleted', group: 'team', seq: 9, by: 'mo' })),
    { kind: 'group', origin: 'a1b2c3d4e5f6', event: { kind: 'message_deleted', group: 'team', seq: 9, by: 'mo' } });
  assert.throws(() => readClusterEvent(event({ kind: 'message_deleted', group: 'team', seq: 9, by: 'm\u001bo' })), ForgedEventError);
});

test('a removed message from the channel or a catch-up is read with its deletion, whose `by` is held to the name rule', () => {
  const removed = { group: 'team', seq: 3, from: 'alice', text: '(message deleted)', ts: 1, deleted: { by: 'mo', ts: 2 } };
  const payload = (message: object) => `${EVENT_MESSAGE}a1b2c3d4e5f6:7\n${JSON.stringify(message)}`;
  assert.deepEqual(readClusterEvent(payload(removed)), { kind: 'message', origin: 'a1b2c3d4e5f6:7', message: removed });
  assert.throws(() => readClusterEvent(payload({ ...removed, deleted: { by: 'x y', ts: 2 } })), ForgedEventError);
});

test('a conversation\'s message_deleted travels as an account message, held to the name rule', () => {
  const sent = { user: 'bob', message: { type: 'message_deleted', user: 'Alice', seq: 2, by: 'Alice' } };
  const payload = (body: unknown) => EVENT_ACCOUNT_MESSAGE + JSON.stringify({ origin: 'a1b2c3d4e5f6', body });
  assert.deepEqual(readClusterEvent(payload(sent)), { kind: 'accountMessage', origin: 'a1b2c3d4e5f6', sent });
  assert.deepEqual(parseAccountMessage(sent), sent);
  const forged = [
    { ...sent, user: 'b\u001bob' }, { ...sent, message: { ...sent.message, user: 'a b' } }, { ...sent, message: { ...sent.message, by: 'x\u0007' } },
    { ...sent, message: { ...sent.message, seq: 0 } }, { ...sent, message: { ...sent.message, type: 'notice' } }, { user: 'bob' }, 'bob',
  ];
  for (const body of forged) assert.throws(() => readClusterEvent(payload(body)), ForgedEventError, JSON.stringify(body));
});
