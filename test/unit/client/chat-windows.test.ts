/**
 * The chat screen's windows (issue 23) over a fake terminal and a scripted
 * connection: where each arrival goes, the hotlist in the prompt and the
 * bell, switching from memory (nothing fetched or printed twice), /query's
 * history, /r, /lastlog, /close, /delete and a deletion shown in place.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatController } from '../../../src/client/chat.js';
import type { Outgoing } from '../../../src/client/client.js';
import type { JoinedReply, ServerMessage } from '../../../src/protocol/messages.js';
import { FakeConnection, FakeTerminal, fakeChatClient } from '../../helpers/fake-chat.js';

const TS = Date.now();
const joinedDev: JoinedReply = {
  type: 'joined', group: 'dev', members: ['alice', 'bob'], last_seq: 2, more: false, role: 'member', owner: 'carol', topic: '',
  history: [{ group: 'dev', seq: 1, from: 'bob', text: 'one', ts: TS }, { group: 'dev', seq: 2, from: 'bob', text: 'two', ts: TS }],
};

function started(answer: (request: Outgoing) => ServerMessage | undefined = () => undefined, joined: JoinedReply = joinedDev) {
  const terminal = new FakeTerminal();
  let acks = 100;
  const connection: FakeConnection = new FakeConnection((request) => answer(request) ?? (
    request.type === 'list_groups' ? { type: 'groups', groups: [] }
      : request.type === 'mark_read' || request.type === 'delete_message' || request.type === 'block' ? { type: 'ok' }
        : request.type === 'dm' || request.type === 'say' ? { type: 'ack', ts: TS, seq: ++acks }
          : { type: 'error', code: 'bad_message', message: `unscripted ${request.type}` }));
  const chat = new ChatController(fakeChatClient(connection, async () => connection, joined), terminal, { markReadIntervalMs: 60_000, host: '127.0.0.1' });
  chat.start(joined);
  return { terminal, connection, chat };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const count = (terminal: FakeTerminal, text: string) => terminal.printed.filter((line) => line.includes(text)).length;

test('direct messages open their window unshown: counted in the hotlist with a bell; Alt-N shows the scroll-back from memory', async () => {
  const { terminal, connection, chat } = started();
  connection.push({ type: 'dm', from: 'bob', to: 'alice', seq: 1, text: 'psst', ts: TS });
  connection.push({ type: 'dm', from: 'carol', to: 'alice', seq: 1, text: 'hi there', ts: TS });
  connection.push({ type: 'dm', from: 'bob', to: 'alice', seq: 2, text: 'still there?', ts: TS });
  assert.equal(count(terminal, 'psst'), 0, 'the conversation is not shown');
  assert.equal(terminal.bells, 3);
  assert.equal(terminal.plainPrompt, '[3:bob 2, 4:carol 1] dev> ');
  // A mention in dev while bob's window is shown: counted with @, and a bell.
  terminal.metaKey('3');
  assert.equal(terminal.plainPrompt, '[4:carol 1] @bob> ');
  assert.deepEqual(terminal.printed.slice(-3).map((line) => line.replace(/^\d\d:\d\d /, '')), ['-- window 3: @bob --', '[dm] bob → you: psst', '[dm] bob → you: still there?']);
  connection.push({ type: 'msg', group: 'dev', seq: 3, from: 'carol', text: 'alice: look', ts: TS });
  connection.push({ type: 'msg', group: 'dev', seq: 4, from: 'carol', text: 'and this', ts: TS });
  assert.equal(count(terminal, 'alice: look'), 0);
  assert.equal(terminal.bells, 4);
  assert.equal(terminal.plainPrompt, '[2:dev 2 @1, 4:carol 1] @bob> ');
  // Typing in a conversation window sends a dm there.
  const sent = connection.answered('dm');
  terminal.type('are you around');
  await sent;
  await tick();
  assert.deepEqual(connection.commands.at(-1), { type: 'dm', to: 'bob', text: 'are you around' });
  assert.match(terminal.printed.at(-1)!, /\[dm\] you → bob: are you around$/);
  // Back to dev: its scroll-back from memory, nothing fetched, each line once.
  const requests = connection.commands.length;
  terminal.type('/window 2');
  assert.equal(connection.commands.length, requests, 'nothing fetched');
  assert.equal(terminal.plainPrompt, '[4:carol 1] dev> ');
  assert.equal(count(terminal, 'alice: look'), 1);
  assert.equal(count(terminal, 'bob: two'), 2, 'once at the join, once now');
  terminal.metaKey('9');
  // Tab completes the window commands.
  assert.deepEqual((await terminal.completer('/que'))[0], ['/query ']);
  assert.deepEqual((await terminal.completer('/unbl'))[0], ['/unblock ']);
  assert.equal(terminal.plainPrompt, '[4:carol 1] dev> ', 'no window 9: nothing changes');
  await chat.quit();
});

test('/r answers the last who wrote; /query fetches a conversation\'s history once; /close renumbers', async () => {
  const { terminal, connection, chat } = started((request) => (request.type === 'dm_history'
    ? { type: 'dm_history', user: 'dave', more: false, messages: [{ from: 'dave', to: 'alice', seq: 1, text: 'old news', ts: TS }] }
    : undefined));
  connection.push({ type: 'dm', from: 'bob', to: 'alice', seq: 1, text: 'psst', ts: TS });
  connection.push({ type: 'dm', from: 'carol', to: 'alice', seq: 5, text: 'ping', ts: TS });
  let sent = connection.answered('dm');
  terminal.type('/r pong');
  await sent;
  assert.deepEqual(connection.commands.at(-1), { type: 'dm', to: 'carol', text: 'pong' });
  const fetched = connection.answered('dm_history');
  terminal.type('/query dave');
  await fetched;
  await tick();
  assert.deepEqual(connection.commands.at(-1), { type: 'dm_history', user: 'dave', before: undefined, since: undefined, limit: 50 });
  assert.equal(terminal.plainPrompt, '[3:bob 1, 4:carol 1] @dave> ');
  assert.equal(count(terminal, 'old news'), 1);
  // Window 5 (dave) closed: the window shown before it (dev) shows; carol stays 4.
  terminal.type('/close');
  await tick();
  assert.equal(terminal.plainPrompt, '[3:bob 1, 4:carol 1] dev> ');
  terminal.type('/window 5');
  assert.match(terminal.printed.at(-1)!, /no window 5/);
  sent = connection.answered('dm');
  terminal.type('/query dave again');
  await sent;
  assert.deepEqual(connection.commands.filter((request) => request.type === 'dm_history').at(-1), { type: 'dm_history', user: 'dave', before: undefined, since: undefined, limit: 50 });
  await chat.quit();
});

test('/lastlog finds the shown window\'s lines in any case; /delete deletes the last own message; a deletion shows in place', async () => {
  const { terminal, connection, chat } = started();
  connection.push({ type: 'msg', group: 'dev', seq: 3, from: 'bob', text: 'The Deploy is done', ts: TS });
  const said = connection.answered('say');
  terminal.type('deploy again?');
  await said;
  await tick();
  terminal.type('/lastlog DEPLOY');
  await tick();
  assert.deepEqual(terminal.printed.slice(-3).map((line) => line.replace(/^\d\d:\d\d /, '')), ['lastlog "DEPLOY": 2 lines', 'bob: The Deploy is done', 'alice: deploy again?']);
  const deleted = connection.answered('delete_message');
  terminal.type('/delete');
  await deleted;
  assert.deepEqual(connection.commands.at(-1), { type: 'delete_message', group: 'dev', seq: 101 });
  connection.emit('message_deleted', { type: 'message_deleted', group: 'dev', seq: 3, by: 'bob' });
  assert.match(terminal.printed.at(-1)!, /bob: \(message deleted\)$/);
  terminal.type('/lastlog deploy is');
  await tick();
  assert.equal(terminal.printed.at(-1), 'lastlog "deploy is": 0 lines', 'a deleted text is not found');
  await chat.quit();
});

test('a reconnect rejoins every group window with keep (the current one last) since its last seq, and each conversation window asks dm_history since: each message once', async () => {
  const stored = (group: string, seq: number, text: string) => ({ group, seq, from: 'bob', text, ts: TS });
  const fresh = new FakeConnection((request) => {
    if (request.type === 'join' && request.group === 'dev') return { type: 'joined', group: 'dev', members: ['alice', 'bob'], last_seq: 3, more: false, history: [stored('dev', 3, 'dev three')] };
    if (request.type === 'join' && request.group === 'ops') return { type: 'joined', group: 'ops', members: ['alice'], last_seq: 6, more: false, history: [stored('ops', 5, 'ops five'), stored('ops', 6, 'ops six')] };
    if (request.type === 'dm_history') return { type: 'dm_history', user: 'bob', more: false, messages: [{ from: 'bob', to: 'alice', seq: 2, text: 'bob two', ts: TS }] };
    if (request.type === 'list_groups') return { type: 'groups', groups: [] };
    return { type: 'ok' };
  });
  const terminal = new FakeTerminal();
  const connection = new FakeConnection((request) => (request.type === 'join'
    ? { type: 'joined', group: 'ops', members: ['alice'], last_seq: 5, more: false, history: [stored('ops', 5, 'ops five')] }
    : request.type === 'list_groups' ? { type: 'groups', groups: [] } : { type: 'ok' }));
  const chat = new ChatController(fakeChatClient(connection, async () => fresh, joinedDev), terminal, { markReadIntervalMs: 60_000, reconnectBackoff: { initialMs: 10, maxMs: 10, random: () => 0 } });
  chat.start(joinedDev);
  const joined = connection.answered('join');
  terminal.type('/join ops');
  await joined;
  assert.deepEqual(connection.commands.at(-1), { type: 'join', group: 'ops', keep: true });
  connection.push({ type: 'dm', from: 'bob', to: 'alice', seq: 1, text: 'bob one', ts: TS });
  const caughtUp = fresh.answered('dm_history');
  connection.emit('close', new Error('reset by peer'));
  await caughtUp;
  await tick();
  assert.deepEqual(fresh.commands.filter((request) => request.type !== 'list_groups'), [
    { type: 'join', group: 'dev', since: 2, keep: true },
    { type: 'join', group: 'ops', since: 5, keep: true },
    { type: 'dm_history', user: 'bob', since: 1 },
  ]);
  assert.equal(terminal.plainPrompt, '[2:dev 1, 4:bob 2] ops> ');
  assert.equal(count(terminal, 'ops six'), 1);
  terminal.type('/window 2');
  assert.equal(count(terminal, 'dev three'), 1);
  terminal.type('/window 4');
  assert.equal(count(terminal, 'bob one'), 1);
  assert.equal(count(terminal, 'bob two'), 1);
  await chat.quit();
});

test('/part GROUP leaves that group only (named: it is not the current one) and closes its window; /close in the current group\'s window leaves it', async () => {
  const { terminal, connection, chat } = started((request) => {
    if (request.type === 'join') return { type: 'joined', group: 'ops', members: ['alice'], last_seq: 0, more: false, history: [] };
    if (request.type === 'leave') return { type: 'left', group: request.group ?? 'ops' };
    return undefined;
  });
  let answered = connection.answered('join');
  terminal.type('/join ops');
  await answered;
  assert.equal(terminal.plainPrompt, 'ops> ');
  answered = connection.answered('leave');
  terminal.type('/part dev');
  await answered;
  await tick();
  assert.deepEqual(connection.commands.at(-1), { type: 'leave', group: 'dev' });
  assert.equal(terminal.plainPrompt, 'ops> ');
  // dev's window gone: ops is window 2 now, and there is no window 3.
  terminal.type('/window 3');
  assert.match(terminal.printed.at(-1)!, /no window 3 \(\/window 1 … 2\)/);
  answered = connection.answered('leave');
  terminal.type('/close');
  await answered;
  await tick();
  assert.deepEqual(connection.commands.at(-1), { type: 'leave' });
  assert.equal(terminal.plainPrompt, '> ', 'back in the status window');
  await chat.quit();
});

test('/history in a conversation window pages back before the oldest message it holds', async () => {
  const dm = (seq: number) => ({ from: 'dave', to: 'alice', seq, text: `dave ${seq}`, ts: TS });
  const { terminal, connection, chat } = started((request) => {
    if (request.type !== 'dm_history') return undefined;
    const messages = request.before === undefined ? [dm(3), dm(4)] : request.before === 3 ? [dm(1), dm(2)] : [];
    return { type: 'dm_history', user: 'dave', more: false, messages };
  });
  let answered = connection.answered('dm_history');
  terminal.type('/query dave');
  await answered;
  answered = connection.answered('dm_history');
  terminal.type('/history 2');
  await answered;
  await tick();
  assert.deepEqual(connection.commands.at(-1), { type: 'dm_history', user: 'dave', before: 3, since: undefined, limit: 2 });
  assert.deepEqual(terminal.printed.slice(-4).map((line) => line.replace(/^\d\d:\d\d /, '')), ['── 2 earlier messages ──', '[dm] dave → you: dave 1', '[dm] dave → you: dave 2', '── end of earlier messages ──']);
  answered = connection.answered('dm_history');
  terminal.type('/history');
  await answered;
  await tick();
  assert.deepEqual(connection.commands.at(-1), { type: 'dm_history', user: 'dave', before: 1, since: undefined, limit: 20 });
  assert.equal(terminal.printed.at(-1), '(no earlier messages)');
  await chat.quit();
});

test('kicked from a group that is not the current one: said in window 1 and on screen, its window closed, the current group stays', async () => {
  const { terminal, connection, chat } = started((request) => (request.type === 'join'
    ? { type: 'joined', group: 'ops', members: ['alice'], last_seq: 0, more: false, history: [] } : undefined));
  const joined = connection.answered('join');
  terminal.type('/join ops');
  await joined;
  connection.push({ type: 'kicked', group: 'dev', by: 'carol', reason: 'off topic', banned: false });
  await tick();
  assert.equal(terminal.printed.at(-1), '-- carol removed you from dev: off topic');
  assert.equal(terminal.plainPrompt, 'ops> ');
  terminal.type('/window 3');
  assert.match(terminal.printed.at(-1)!, /no window 3/);
  terminal.type('/window 1');
  assert.ok(terminal.printed.slice(-3).includes('-- carol removed you from dev: off topic'), 'kept in window 1');
  await chat.quit();
});

test('a topic or role change of a group that is not the current one is kept in its window, not printed over the shown one', async () => {
  const { terminal, connection, chat } = started((request) => (request.type === 'join'
    ? { type: 'joined', group: 'ops', members: ['alice'], last_seq: 0, more: false, history: [] } : undefined));
  const joined = connection.answered('join');
  terminal.type('/join ops');
  await joined;
  const before = terminal.printed.length;
  connection.push({ type: 'topic', group: 'dev', topic: 'Release on Friday', by: 'carol' });
  connection.push({ type: 'role', group: 'dev', user: 'alice', role: 'moderator', by: 'carol' });
  await tick();
  assert.deepEqual(terminal.printed.slice(before), [], 'ops is shown: nothing of dev printed over it');
  terminal.metaKey('2');
  const dev = terminal.printed.slice(before).join('\n');
  assert.match(dev, /Release on Friday/);
  assert.match(dev, /moderator/);
  await chat.quit();
});

test('a conversation window shown moves its read marker (mark_read with user), debounced: not while unshown, up to the last seq shown', async () => {
  const { terminal, connection, chat } = started((request) => (request.type === 'dm_history'
    ? { type: 'dm_history', user: 'dave', more: false, messages: [{ from: 'dave', to: 'alice', seq: 7, text: 'old news', ts: TS }] }
    : undefined));
  const conversationMarks = () => connection.requests.filter((request) => request.type === 'mark_read' && 'user' in request);
  connection.push({ type: 'dm', from: 'bob', to: 'alice', seq: 1, text: 'psst', ts: TS });
  connection.push({ type: 'dm', from: 'bob', to: 'alice', seq: 2, text: 'still there?', ts: TS });
  await tick();
  assert.deepEqual(conversationMarks(), [], 'not shown: not read');
  terminal.metaKey('3');
  connection.push({ type: 'dm', from: 'bob', to: 'alice', seq: 3, text: 'hello?', ts: TS });
  await tick();
  assert.deepEqual(conversationMarks(), [], 'debounced (the interval is a minute here)');
  // Another conversation shown: bob's marker goes at once, dave's waits.
  const fetched = connection.answered('dm_history');
  terminal.type('/query dave');
  await fetched;
  await tick();
  assert.deepEqual(conversationMarks(), [{ type: 'mark_read', user: 'bob', seq: 3 }]);
  await chat.quit();
  assert.deepEqual(conversationMarks(), [{ type: 'mark_read', user: 'bob', seq: 3 }, { type: 'mark_read', user: 'dave', seq: 7 }]);
});

test('the current group left: the group that becomes current brings back its role and topic (/help, /topic); /part of another group keeps the current one\'s', async () => {
  const dev: JoinedReply = { ...joinedDev, role: 'moderator', topic: 'dev stuff' };
  const { terminal, connection, chat } = started((request) => {
    if (request.type === 'join') return { type: 'joined', group: request.group, members: ['alice'], last_seq: 0, more: false, history: [], role: 'owner', owner: 'alice', topic: `${request.group} talk` };
    if (request.type === 'leave') return { type: 'left', group: request.group ?? 'qa' };
    return undefined;
  }, dev);
  const help = () => terminal.printed.slice(terminal.printed.findLastIndex((line) => line.includes('/window N'))).join('\n');
  for (const group of ['ops', 'qa']) {
    const answered = connection.answered('join');
    terminal.type(`/join ${group}`);
    await answered;
  }
  terminal.type('/help');
  assert.match(help(), /\/delete-group/, 'owner of qa');
  // Another group left (ops): qa stays current with its role and topic.
  let answered = connection.answered('leave');
  terminal.type('/part ops');
  await answered;
  await tick();
  terminal.type('/topic');
  assert.match(terminal.printed.at(-1)!, /topic: qa talk/);
  // The current group (qa) left: dev is current again, a moderator there, with its topic.
  answered = connection.answered('leave');
  terminal.type('/close');
  await answered;
  await tick();
  terminal.type('/window 2');
  terminal.type('/topic');
  assert.match(terminal.printed.at(-1)!, /topic: dev stuff/);
  terminal.type('/help');
  assert.match(help(), /\/kick USER/, 'a moderator in dev');
  assert.doesNotMatch(help(), /\/delete-group/, 'not its owner');
  await chat.quit();
});

test('a window switch prints a screenful of its scroll-back: the terminal\'s rows but the prompt and the header, long lines counted wrapped', async () => {
  const { terminal, connection, chat } = started();
  terminal.rows = 10;
  for (let seq = 1; seq <= 30; seq += 1) connection.push({ type: 'dm', from: 'bob', to: 'alice', seq, text: `line ${seq}`, ts: TS });
  const shownAfterHeader = () => terminal.printed.slice(terminal.printed.findLastIndex((line) => line.startsWith('-- window')) + 1);
  terminal.metaKey('3');
  assert.deepEqual(shownAfterHeader().map((line) => line.replace(/^.*: /, '')), ['line 23', 'line 24', 'line 25', 'line 26', 'line 27', 'line 28', 'line 29', 'line 30']);
  // A line of 200 characters wraps to 4 rows of 80 columns (under its prefix): 3 fewer lines fit, the screenful stays 8 rows.
  connection.push({ type: 'dm', from: 'bob', to: 'alice', seq: 31, text: 'x'.repeat(200), ts: TS });
  terminal.metaKey('2');
  terminal.metaKey('3');
  const shown = shownAfterHeader();
  assert.equal(shown.length, 8);
  assert.deepEqual(shown.slice(0, 5).map((line) => line.replace(/^.*: /, '').slice(0, 8)), ['line 27', 'line 28', 'line 29', 'line 30', 'xxxxxxxx']);
  await chat.quit();
});
