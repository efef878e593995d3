/** The chat controller with a fake terminal and a scripted connection: no TTY, no server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import type { ChatConnection } from '../../../src/client/chat.js';
import { ChatController } from '../../../src/client/chat.js';
import type { Outgoing } from '../../../src/client/client.js';
import type { JoinedReply, ServerMessage } from '../../../src/protocol/messages.js';
import { FakeConnection, FakeTerminal, fakeChatClient } from '../../helpers/fake-chat.js';

const TS = new Date(2026, 0, 1, 9, 5).getTime();
const joinedG: JoinedReply = {
  type: 'joined', group: 'g', members: ['alice', 'bob'], last_seq: 2, more: false,
  history: [{ group: 'g', seq: 1, from: 'bob', text: 'first', ts: TS }, { group: 'g', seq: 2, from: 'alice', text: 'second', ts: TS }],
};

function answerWho(request: Outgoing): ServerMessage {
  if (request.type === 'who') return { type: 'members', group: 'g', members: ['alice', 'bob', 'carol'] };
  return { type: 'error', code: 'bad_message', message: `unscripted ${request.type}` };
}

function started(answer: (request: Outgoing) => ServerMessage = answerWho, reconnect?: () => Promise<ChatConnection>) {
  const terminal = new FakeTerminal();
  const connection = new FakeConnection(answer);
  const chat = new ChatController(fakeChatClient(connection, reconnect ?? (async () => connection), joinedG), terminal);
  chat.start(joinedG);
  return { terminal, connection, chat };
}

test('joining shows the group, who is online, and its history; the prompt names the group', () => {
  const { terminal } = started();
  assert.deepEqual(terminal.printed, ['-- joined g — 2 online: alice, bob', '-- Thursday 1 January 2026 --', '09:05 bob: first', '09:05 alice: second']);
  assert.equal(stripVTControlCharacters(terminal.prompt), 'g> ');
});

test('a typed /who sends a who request and shows its reply', async () => {
  const { terminal, connection } = started();
  const answered = connection.nextAnswer();
  terminal.type('/who');
  await answered;
  assert.deepEqual(connection.requests, [{ type: 'who' }]);
  assert.equal(terminal.printed.at(-1), '-- 3 in g: alice, bob, carol');
  assert.deepEqual((await terminal.completer('/msg c'))[0], ['carol '], 'members from /who are offered by Tab');
});

test('an incoming msg for the current group is shown once; one for another group, or already shown, is not', () => {
  const { terminal, connection } = started();
  const before = terminal.printed.length;
  connection.push({ type: 'msg', group: 'G', seq: 3, from: 'bob', text: 'live', ts: TS });
  connection.push({ type: 'msg', group: 'g', seq: 3, from: 'bob', text: 'live again', ts: TS });
  connection.push({ type: 'msg', group: 'other', seq: 9, from: 'bob', text: 'elsewhere', ts: TS });
  assert.deepEqual(terminal.printed.slice(before), ['09:05 bob: live']);
});

test('a typed line is said and shown once its ack arrives; a failure says it was not sent', async () => {
  let fail = false;
  const { terminal, connection } = started((request) => (fail
    ? { type: 'error', code: 'bad_message', message: 'refused' }
    : request.type === 'say' ? { type: 'ack', seq: 3, ts: TS } : answerWho(request)));
  let answered = connection.nextAnswer();
  terminal.type('hello all');
  await answered;
  assert.deepEqual(connection.requests, [{ type: 'say', text: 'hello all' }]);
  assert.equal(terminal.printed.at(-1), '09:05 alice: hello all');
  fail = true;
  answered = connection.nextAnswer();
  terminal.type('again');
  await answered;
  assert.match(terminal.printed.at(-1)!, /— not sent: again$/);
});

test('lines the server slows down for are shown pending, sent again in order, and none is dropped', async () => {
  let refusals = 3;
  let seq = 10;
  const { terminal, connection } = started((request) => {
    if (request.type !== 'say') return answerWho(request);
    if (request.text === 'two' && refusals-- > 0) return { type: 'error', code: 'rate_limited', message: 'slow down' };
    return { type: 'ack', seq: seq++, ts: TS };
  });
  for (const line of ['one', 'two', 'three']) terminal.type(line);
  await terminal.printedLine('09:05 alice: three');
  const said = connection.requests.flatMap((request) => (request.type === 'say' ? [request.text] : []));
  assert.deepEqual(said, ['one', 'two', 'two', 'two', 'two', 'three'], 'two waits, and three goes after it');
  assert.deepEqual(terminal.printed.filter((line) => /alice: (one|two|three)|pending/.test(line)),
    ['09:05 alice: one', '… pending: two', '… pending: three', '09:05 alice: two', '09:05 alice: three'], 'three waits behind two: pending too');
  assert.ok(!terminal.printed.some((line) => line.includes('not sent')));
});

test('a paste of several lines is one message, never a command; one over 4,096 bytes is cut at line ends', async () => {
  let seq = 5;
  let saidThree: () => void = () => undefined;
  const three = new Promise<void>((resolve) => { saidThree = resolve; });
  const { terminal, connection } = started((request) => {
    if (request.type !== 'say') return answerWho(request);
    if (seq === 7) saidThree();
    return { type: 'ack', seq: seq++, ts: TS };
  });
  terminal.paste('/who\nsecond line\n');
  const line = 'x'.repeat(1000);
  const lines = Array.from({ length: 6 }, () => line);
  terminal.paste(lines.join('\n'));
  await three;
  assert.deepEqual(connection.requests, [
    { type: 'say', text: '/who\nsecond line' },
    { type: 'say', text: lines.slice(0, 4).join('\n') },
    { type: 'say', text: lines.slice(4).join('\n') },
  ]);
});

test('unknown commands and a shutdown are told, through the terminal', () => {
  const { terminal, connection } = started();
  terminal.type('/frobnicate');
  connection.push({ type: 'shutdown', message: 'maintenance' });
  assert.deepEqual(terminal.printed.slice(-2), ['unknown command /frobnicate: /help lists them', '-- the server is shutting down: maintenance']);
});

test('/quit closes the terminal, says bye, and finishes with status 0', async () => {
  const { terminal, chat } = started();
  terminal.type('/quit');
  assert.equal(await chat.finished, 0);
  assert.equal(terminal.closed, true);
});

test('after a lost connection: says reconnected, then the count of missed messages, them page by page, and the live ones held meanwhile once', async () => {
  const message = (seq: number) => ({ group: 'g', seq, from: 'bob', text: `m${seq}`, ts: TS });
  const fresh: FakeConnection = new FakeConnection((request) => {
    if (request.type !== 'join' || request.group !== 'g') return answerWho(request);
    if (request.since === 2) {
      // Live while the first page is on its way: 5 comes on the next page too, 6 only live.
      fresh.push({ type: 'msg', ...message(5) });
      fresh.push({ type: 'msg', ...message(6) });
      return { type: 'joined', group: 'g', members: ['alice', 'bob'], last_seq: 5, history: [message(3), message(4)], more: true };
    }
    // Computed before 6 was said: 6 reaches this client only live.
    return { type: 'joined', group: 'g', members: ['alice', 'bob'], last_seq: 5, history: [message(5)], more: false };
  });
  const { terminal, connection } = started(answerWho, async () => fresh);
  const before = terminal.printed.length;
  connection.emit('close', new Error('reset by peer'));
  // The first backoff delay (at most 500 ms) runs for real: mock timers would not reach a timers/promises sleep.
  await terminal.printedLine('09:05 bob: m6');
  // (a read marker, sent at most once a second, may go out meanwhile; the group list is asked again for the unread counts)
  assert.deepEqual(fresh.requests.filter((request) => request.type !== 'mark_read' && request.type !== 'list_groups'), [{ type: 'join', group: 'g', since: 2 }, { type: 'join', group: 'g', since: 4 }]);
  assert.deepEqual(terminal.printed.slice(before), [
    '-- connection lost (reset by peer)',
    '-- reconnected',
    '(3 messages while you were away)',
    '09:05 bob: m3', '09:05 bob: m4', '09:05 bob: m5',
    '09:05 bob: m6',
  ]);
});
