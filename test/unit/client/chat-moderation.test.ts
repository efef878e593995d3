/** The chat controller with the December additions: topics, removals, unread counts, /next, and moderation commands. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatController } from '../../../src/client/chat.js';
import type { Outgoing } from '../../../src/client/client.js';
import { ProtocolError } from '../../../src/protocol/errors.js';
import type { AccountRole, GroupSummary, JoinedReply, ServerMessage } from '../../../src/protocol/messages.js';
import { FakeConnection, FakeTerminal, fakeChatClient } from '../../helpers/fake-chat.js';

const TS = new Date(2026, 0, 1, 9, 5).getTime();
const message = (group: string, seq: number, text = `m${seq}`) => ({ group, seq, from: 'bob', text, ts: TS });
const joinedDev: JoinedReply = {
  type: 'joined', group: 'dev', members: ['alice', 'bob'], last_seq: 2, more: false, role: 'member', owner: 'carol', topic: 'Release on Friday',
  history: [message('dev', 1), message('dev', 2)],
};
const LIST: GroupSummary[] = [
  { name: 'dev', members: 2, topic: 'Release on Friday', private: false, last_seq: 2, unread: 0 },
  { name: 'ops', members: 0, topic: '', private: true, last_seq: 9, unread: 3 },
  { name: 'random', members: 1, topic: '', private: false, last_seq: 40, unread: 12 },
];

type Answer = (request: Outgoing) => ServerMessage | undefined;

function started(answer: Answer = () => undefined, role: AccountRole = 'user', joined: JoinedReply = joinedDev) {
  const terminal = new FakeTerminal();
  const connection = new FakeConnection((request) => answer(request) ?? (
    request.type === 'list_groups' ? { type: 'groups', groups: LIST }
      : request.type === 'mark_read' ? { type: 'ok' }
        : { type: 'error', code: 'bad_message', message: `unscripted ${request.type}` }));
  const chat = new ChatController(fakeChatClient(connection, async () => connection, joined), terminal, { role, markReadIntervalMs: 60_000 });
  chat.start(joined, { type: 'groups', groups: LIST });
  return { terminal, connection, chat };
}

test('the topic shows on join and when it changes; the prompt shows the other groups with unread messages', () => {
  const { terminal, connection } = started();
  assert.deepEqual(terminal.printed.slice(0, 2), ['-- joined dev — 2 online: alice, bob', '-- topic: Release on Friday']);
  assert.equal(terminal.plainPrompt, '[ops 3, random 12] dev> ');
  connection.push({ type: 'topic', group: 'dev', topic: 'Release on Monday', by: 'carol' });
  assert.equal(terminal.printed.at(-1), '-- carol set the topic: Release on Monday');
  connection.push({ type: 'topic', group: 'elsewhere', topic: 'not ours', by: 'carol' });
  connection.push({ type: 'topic', group: 'dev', topic: '', by: 'carol' });
  assert.equal(terminal.printed.at(-1), '-- carol cleared the topic');
  terminal.type('/topic');
  assert.equal(terminal.printed.at(-1), '-- dev has no topic');
  connection.push({ type: 'activity', group: 'ops', last_seq: 11, unread: 5, mention: true });
  connection.push({ type: 'activity', group: 'dev', last_seq: 99, unread: 97, mention: false });
  assert.equal(terminal.plainPrompt, '[ops 5 @1, random 12] dev> ', 'activity of the current group is not counted');
});

test('kicked: back at the group list, with who did it and why; a number from the list joins', async () => {
  const { terminal, connection } = started((request) => (request.type === 'join' ? { ...joinedDev, group: 'ops', topic: '', history: [] } : undefined));
  const listed = connection.answered('list_groups');
  connection.push({ type: 'kicked', group: 'dev', by: 'carol', reason: 'off topic', banned: false });
  await listed;
  const at = terminal.printed.indexOf('-- carol removed you from dev: off topic');
  assert.ok(at >= 0, terminal.printed.join('\n'));
  assert.match(terminal.printed[at + 1]!, /#\s+group\s+online\s+unread\s+topic/);
  assert.match(terminal.printed[at + 3]!, /2\s+ops\s+0\s+3\s+\(private\)/);
  assert.equal(terminal.printed.at(-1), 'Join another: a number from the list, /join GROUP, or /next.');
  assert.equal(terminal.plainPrompt, '[ops 3, random 12]> ');
  const joined = connection.answered('join');
  terminal.type('2');
  await joined;
  assert.deepEqual(connection.commands.at(-1), { type: 'join', group: 'ops', keep: true });
  assert.equal(terminal.plainPrompt, '[random 12] ops> ');
});

test('banned and a deleted group are said in words; a join refused as banned too', async () => {
  const { terminal, connection } = started((request) => (request.type === 'join' ? { type: 'error', code: 'banned', message: 'banned' } : undefined));
  let listed = connection.answered('list_groups');
  connection.push({ type: 'kicked', group: 'dev', by: 'carol', banned: true });
  await listed;
  assert.ok(terminal.printed.includes('-- carol banned you from dev'));
  const refused = connection.answered('join');
  terminal.type('/join dev');
  await refused;
  assert.equal(terminal.printed.at(-1), '! you are banned from dev');
  const other = started();
  listed = other.connection.answered('list_groups');
  other.connection.push({ type: 'group_deleted', group: 'dev', by: 'carol' });
  await listed;
  assert.ok(other.terminal.printed.includes('-- carol deleted the group dev'));
  assert.equal(other.terminal.plainPrompt, '[ops 3, random 12]> ');
});

test('/next and Alt-n join the next group with unread messages since the read marker and show what was missed', async () => {
  const { terminal, connection } = started((request) => {
    if (request.type !== 'join') return undefined;
    if (request.group === 'ops') return { type: 'joined', group: 'ops', members: ['alice'], last_seq: 9, more: false, history: [7, 8, 9].map((seq) => message('ops', seq)) };
    return { type: 'joined', group: 'random', members: ['alice'], last_seq: 40, more: false, history: [message('random', 40)] };
  });
  let joined = connection.answered('join');
  terminal.type('/next');
  await joined;
  assert.deepEqual(connection.commands.at(-1), { type: 'join', group: 'ops', since: 6, keep: true });
  const at = terminal.printed.indexOf('-- 3 unread in ops since your last visit');
  // In ops's new window: the join's line, a day line (the messages are not of today), then what was missed.
  assert.deepEqual(terminal.printed.slice(at + 2), ['-- Thursday 1 January 2026 --', '09:05 bob: m7', '09:05 bob: m8', '09:05 bob: m9']);
  assert.equal(terminal.plainPrompt, '[random 12] ops> ');
  joined = connection.answered('join');
  terminal.metaKey('n');
  await joined;
  assert.deepEqual(connection.commands.at(-1), { type: 'join', group: 'random', since: 28, keep: true });
  assert.equal(terminal.plainPrompt, 'random> ');
  terminal.type('/next');
  assert.equal(terminal.printed.at(-1), 'no other group has unread messages');
});

test('what was shown is marked read: on leaving the group, on a switch, and on exit', async () => {
  const { terminal, connection, chat } = started((request) => (request.type === 'leave' ? { type: 'left', group: 'dev' } : undefined));
  connection.push({ type: 'msg', ...message('dev', 3) });
  connection.push({ type: 'msg', ...message('dev', 4) });
  assert.deepEqual(connection.requests.filter((request) => request.type === 'mark_read'), [], 'not at once: at most once per interval');
  const left = connection.answered('leave');
  terminal.type('/leave');
  await left;
  assert.deepEqual(connection.requests.filter((request) => request.type === 'mark_read'), [{ type: 'mark_read', group: 'dev', seq: 4 }]);
  const second = started();
  second.connection.push({ type: 'msg', ...message('dev', 5) });
  second.terminal.type('/quit');
  await second.chat.finished;
  assert.deepEqual(second.connection.requests.filter((request) => request.type === 'mark_read'), [{ type: 'mark_read', group: 'dev', seq: 5 }]);
  void chat;
});

test('a moderation command sends its request and says what it did, or why not in words', async () => {
  let refuse = false;
  const { terminal, connection } = started((request) => {
    if (refuse) return { type: 'error', code: 'not_allowed', message: 'no' };
    return ['kick', 'set_topic', 'set_role', 'invite'].includes(request.type) ? { type: 'ok' } : undefined;
  });
  let answered = connection.answered('kick');
  terminal.type('/kick bob spamming');
  await answered;
  assert.deepEqual(connection.commands.at(-1), { type: 'kick', group: 'dev', user: 'bob', reason: 'spamming' });
  assert.equal(terminal.printed.at(-1), '-- removed bob from dev');
  answered = connection.answered('set_topic');
  terminal.type('/topic Ship it');
  await answered;
  assert.equal(terminal.printed.at(-1), '-- alice set the topic: Ship it');
  connection.push({ type: 'topic', group: 'dev', topic: 'Ship it', by: 'alice' });
  assert.equal(terminal.printed.filter((line) => line.includes('Ship it')).length, 1, 'the server\'s topic after our own is not shown twice');
  refuse = true;
  answered = connection.answered('set_role');
  terminal.type('/op bob');
  await answered;
  assert.equal(terminal.printed.at(-1), "! only the group's owner may appoint moderators");
});

test('/passwd asks the current password and the new one twice, hidden; /delete-group asks first', async () => {
  const { terminal, connection } = started((request) => (request.type === 'passwd' || request.type === 'delete_group' ? { type: 'ok' } : undefined), 'user',
    { ...joinedDev, role: 'owner', owner: 'alice' });
  terminal.answers.push('old secret', 'short', 'new secret!', 'new secret!');
  const changed = connection.answered('passwd');
  terminal.type('/passwd');
  await changed;
  assert.deepEqual(terminal.asked, ['current password: ', 'new password: ', 'new password: ', 'repeat it: ']);
  assert.ok(terminal.printed.includes('passwords need at least 8 bytes'));
  assert.deepEqual(connection.commands.at(-1), { type: 'passwd', old: 'old secret', new: 'new secret!' });
  assert.equal(terminal.printed.at(-1), '-- password changed');
  terminal.answers.push('n');
  terminal.type('/delete-group');
  await terminal.printedLine('not deleted');
  assert.ok(!connection.requests.some((request) => request.type === 'delete_group'));
  terminal.answers.push('yes');
  const listed = connection.answered('list_groups');
  terminal.type('/delete-group');
  await listed;
  assert.deepEqual(connection.commands.filter((request) => request.type === 'delete_group'), [{ type: 'delete_group', group: 'dev' }]);
  assert.ok(terminal.printed.includes('-- deleted the group dev'));
  assert.equal(terminal.plainPrompt, '[ops 3, random 12]> ');
});

test('/help follows the roles: an admin sees the admin commands, a member does not see /kick', () => {
  const member = started();
  member.terminal.type('/help');
  assert.ok(!member.terminal.printed.some((line) => line.includes('/kick')));
  const admin = started(undefined, 'admin');
  admin.terminal.type('/help');
  assert.ok(admin.terminal.printed.some((line) => line.includes('/reset-password USER')));
  assert.ok(admin.terminal.printed.some((line) => line.includes('/kick USER')));
});

test('a disabled account is said once in words, and the client does not reconnect: the account is refused at every login', async () => {
  const terminal = new FakeTerminal();
  const connection = new FakeConnection(() => ({ type: 'error', code: 'bad_message', message: 'unscripted' }));
  let attempts = 0;
  const chat = new ChatController(fakeChatClient(connection, async () => {
    attempts += 1;
    throw new ProtocolError('account_disabled', 'this account is disabled: spam');
  }, joinedDev), terminal, { markReadIntervalMs: 60_000 });
  chat.start(joinedDev);
  connection.push({ type: 'error', code: 'account_disabled', message: 'spam' });
  connection.emit('close', undefined);
  assert.equal(await chat.finished, 1);
  assert.equal(attempts, 0, 'no reconnect: the account is refused at every login');
  assert.deepEqual(terminal.printed.filter((line) => line.includes('disabled')), ['! this account is disabled (spam)'], 'said once');
});

test('after a reconnect the group list is asked again: the unread counts that moved while offline show', async () => {
  const fresh = new FakeConnection((request) => {
    if (request.type === 'join') return { ...joinedDev, history: [], last_seq: 2 };
    if (request.type === 'list_groups') return { type: 'groups', groups: LIST.map((group) => (group.name === 'ops' ? { ...group, last_seq: 13, unread: 7 } : group)) };
    return { type: 'ok' };
  });
  const terminal = new FakeTerminal();
  const connection = new FakeConnection(() => ({ type: 'ok' }));
  const chat = new ChatController(fakeChatClient(connection, async () => fresh, joinedDev), terminal, { markReadIntervalMs: 60_000 });
  chat.start(joinedDev, { type: 'groups', groups: LIST });
  assert.equal(terminal.plainPrompt, '[ops 3, random 12] dev> ');
  const listed = fresh.answered('list_groups');
  connection.emit('close', new Error('reset by peer'));
  await listed;
  assert.equal(terminal.plainPrompt, '[ops 7, random 12] dev> ');
});
