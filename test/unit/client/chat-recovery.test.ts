/**
 * The chat screen after a lost connection, as the ChatClient's recovery events
 * show it (chat-recovery.ts), with a scripted reconnect: no TTY, no server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatController } from '../../../src/client/chat.js';
import type { Outgoing } from '../../../src/client/client.js';
import { ProtocolError } from '../../../src/protocol/errors.js';
import type { JoinedReply, ServerMessage } from '../../../src/protocol/messages.js';
import { FakeConnection, FakeTerminal, fakeChatClient } from '../../helpers/fake-chat.js';

const TS = new Date(2026, 0, 1, 9, 5).getTime();
const joinedG: JoinedReply = { type: 'joined', group: 'g', members: ['alice', 'bob'], last_seq: 1, more: false, history: [{ group: 'g', seq: 1, from: 'bob', text: 'first', ts: TS }] };

const FAST = { initialMs: 10, maxMs: 10, random: () => 0 };

function ok(request: Outgoing): ServerMessage {
  if (request.type === 'list_groups') return { type: 'groups', groups: [] };
  if (request.type === 'say') return { type: 'ack', seq: 9, ts: TS };
  return { type: 'ok' };
}

test('a rejoin refused after a reconnect is said after "reconnected"; the client stays, and a line typed offline goes then', async () => {
  const fresh = new FakeConnection((request) => (request.type === 'join' ? { type: 'error', code: 'banned', message: 'banned' } : ok(request)));
  const terminal = new FakeTerminal();
  const connection = new FakeConnection(ok);
  const chat = new ChatController(fakeChatClient(connection, async () => fresh, joinedG), terminal, { markReadIntervalMs: 60_000, reconnectBackoff: FAST });
  chat.start(joinedG);
  const before = terminal.printed.length;
  connection.emit('close', new Error('reset by peer'));
  terminal.type('typed offline');
  await fresh.answered('say');
  assert.deepEqual(terminal.printed.slice(before, before + 4), [
    '-- connection lost (reset by peer)',
    '… pending: typed offline',
    '-- reconnected',
    '! you are banned from that group',
  ]);
  assert.deepEqual(fresh.requests.filter((request) => request.type === 'say'), [{ type: 'say', text: 'typed offline' }]);
  assert.equal(terminal.closed, false, 'the client stays');
  await chat.quit();
});

test('a final failure of a reconnect (the password refused) is said once, "giving up", and ends the client with 1', async () => {
  const terminal = new FakeTerminal();
  const connection = new FakeConnection(ok);
  let attempts = 0;
  const chat = new ChatController(fakeChatClient(connection, async () => {
    attempts += 1;
    throw new ProtocolError('auth_failed', 'wrong password');
  }, joinedG), terminal, { markReadIntervalMs: 60_000, reconnectBackoff: FAST });
  chat.start(joinedG);
  connection.emit('close', new Error('reset by peer'));
  assert.equal(await chat.finished, 1);
  assert.equal(attempts, 1, 'a refused password is not tried again');
  assert.deepEqual(terminal.printed.filter((line) => line.includes('giving up')), ['! wrong password; giving up']);
});
