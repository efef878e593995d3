/**
 * The chat screen says the right thing (issue 19's "Saying the right thing"
 * and issue 20's bounds): role notices, refusals by their real reason, one
 * line where two were printed, expired unread messages, removals by whom,
 * and what a hostile server's huge texts and lists become on the screen.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatController } from '../../../src/client/chat.js';
import type { Outgoing } from '../../../src/client/client.js';
import type { AccountRole, GroupSummary, JoinedReply, ServerMessage } from '../../../src/protocol/messages.js';
import { FakeConnection, FakeTerminal, fakeChatClient } from '../../helpers/fake-chat.js';

const TS = new Date(2026, 0, 1, 9, 5).getTime();
const message = (group: string, seq: number, text = `m${seq}`) => ({ group, seq, from: 'bob', text, ts: TS });
const joinedDev: JoinedReply = {
  type: 'joined', group: 'dev', members: ['alice', 'bob'], last_seq: 2, more: false, role: 'member', owner: 'carol', topic: '',
  history: [message('dev', 1), message('dev', 2)],
};
const LIST: GroupSummary[] = [
  { name: 'dev', members: 2, topic: '', private: false, last_seq: 2, unread: 0 },
  { name: 'ops', members: 0, topic: '', private: false, last_seq: 63, unread: 63 },
  { name: 'never', members: 0, topic: '', private: false, last_seq: 9, unread: null },
];

type Answer = (request: Outgoing, connection: FakeConnection) => ServerMessage | undefined;

function started(answer: Answer = () => undefined, options: { role?: AccountRole; joined?: JoinedReply | undefined; list?: GroupSummary[] } = {}) {
  const terminal = new FakeTerminal();
  const list = options.list ?? LIST;
  const connection: FakeConnection = new FakeConnection((request) => answer(request, connection) ?? (
    request.type === 'list_groups' ? { type: 'groups', groups: list }
      : request.type === 'mark_read' ? { type: 'ok' }
        : { type: 'error', code: 'bad_message', message: `unscripted ${request.type}` }));
  const joined = 'joined' in options ? options.joined : joinedDev;
  const chat = new ChatController(fakeChatClient(connection, async () => connection, joined), terminal, { role: options.role ?? 'user', markReadIntervalMs: 60_000 });
  chat.start(joined, { type: 'groups', groups: list });
  return { terminal, connection, chat };
}

const helpShows = (terminal: FakeTerminal, text: string): boolean => {
  terminal.type('/help');
  const start = terminal.printed.findLastIndex((line) => line.startsWith('Windows '));
  return terminal.printed.slice(start).some((line) => line.includes(text));
};

test('a `role` notice makes the user a moderator at once: said, and /help and Tab follow; `account_role` likewise for admin', async () => {
  const { terminal, connection } = started();
  assert.equal(helpShows(terminal, '/kick USER'), false);
  connection.push({ type: 'role', group: 'dev', user: 'bob', role: 'moderator', by: 'carol' });
  assert.equal(terminal.printed.at(-1), '-- carol made bob a moderator of dev');
  assert.equal(helpShows(terminal, '/kick USER'), false, 'bob\'s role is not ours');
  connection.push({ type: 'role', group: 'dev', user: 'Alice', role: 'moderator', by: 'carol' });
  assert.equal(terminal.printed.at(-1), '-- carol made you a moderator of dev (/help lists what you may do)');
  assert.equal(helpShows(terminal, '/kick USER'), true);
  const [kick] = await terminal.completer('/ki');
  assert.deepEqual(kick, ['/kick ']);
  connection.push({ type: 'role', group: 'dev', user: 'alice', role: 'member', by: 'carol' });
  assert.equal(terminal.printed.at(-1), '-- carol made you a member of dev (no longer a moderator)');
  assert.equal(helpShows(terminal, '/kick USER'), false);
  connection.push({ type: 'account_role', role: 'admin' });
  assert.equal(terminal.printed.at(-1), '-- your account is now an admin (/help lists the admin commands)');
  assert.equal(helpShows(terminal, '/reset-password USER'), true);
  connection.push({ type: 'account_role', role: 'user' });
  assert.equal(terminal.printed.at(-1), '-- your account is no longer an admin');
  assert.equal(helpShows(terminal, '/reset-password USER'), false);
});

test('the role read again at a reconnect (auth_ok) is followed: /help shows the admin commands', () => {
  const { terminal, chat } = started();
  chat.accountRoleIs('user');
  assert.equal(helpShows(terminal, '/disable USER'), false);
  chat.accountRoleIs('admin');
  assert.ok(terminal.printed.includes('-- your account is now an admin (/help lists the admin commands)'));
  assert.equal(helpShows(terminal, '/disable USER'), true);
});

test('a kick or ban of an admin by the owner says the real reason, not "nobody may kick the owner"', async () => {
  const { terminal, connection } = started((request) => (request.type === 'kick' || request.type === 'ban'
    ? { type: 'error', code: 'not_allowed', message: "'carol' is an admin" } : undefined), { joined: { ...joinedDev, role: 'owner', owner: 'alice' } });
  let answered = connection.answered('kick');
  terminal.type('/kick carol');
  await answered;
  assert.equal(terminal.printed.at(-1), '! carol is an admin: nobody may kick an admin');
  answered = connection.answered('ban');
  terminal.type('/ban carol spam');
  await answered;
  assert.equal(terminal.printed.at(-1), '! carol is an admin: nobody may ban an admin');
});

test('a banned user who picks the group\'s number from the list is told it is banned, not that a chat line was not sent', async () => {
  const { terminal, connection } = started((request) => (request.type === 'join' ? { type: 'error', code: 'banned', message: 'banned' } : undefined), { joined: undefined });
  const listed = connection.answered('list_groups');
  terminal.type('/groups');
  await listed;
  const refused = connection.answered('join');
  terminal.type('1');
  await refused;
  assert.equal(terminal.printed.at(-1), '! you are banned from dev');
  assert.ok(!terminal.printed.some((line) => line.includes('not sent')));
});

test('/delete-group by the owner: the notice and the group list once, whether the server\'s group_deleted comes before the ok or after', async () => {
  for (const noticeFirst of [true, false]) {
    const { terminal, connection } = started((request, self) => {
      if (request.type !== 'delete_group') return undefined;
      if (noticeFirst) self.push({ type: 'group_deleted', group: 'dev', by: 'alice' });
      else setImmediate(() => self.push({ type: 'group_deleted', group: 'dev', by: 'alice' }));
      return { type: 'ok' };
    }, { joined: { ...joinedDev, role: 'owner', owner: 'alice' }, list: LIST.slice(1) });
    terminal.answers.push('y');
    const listed = connection.answered('list_groups');
    terminal.type('/delete-group');
    await listed;
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const said = terminal.printed.filter((line) => /deleted the group dev/.test(line));
    assert.equal(said.length, 1, `${noticeFirst ? 'notice first' : 'ok first'}: ${said.join(' | ')}`);
    assert.equal(terminal.printed.filter((line) => /#\s+group\s+online/.test(line)).length, 1, 'the list once');
    assert.equal(connection.commands.filter((request) => request.type === 'list_groups').length, 1);
  }
});

test('/delete-group by a plain member is refused before any question', () => {
  const { terminal, connection } = started();
  terminal.type('/delete-group');
  assert.deepEqual(terminal.asked, []);
  assert.equal(terminal.printed.at(-1), "! only the group's owner (or an admin) may delete it");
  assert.ok(!connection.requests.some((request) => request.type === 'delete_group'));
});

test('account_disabled from the server is said once, with the admin who did it when the server says it', async () => {
  const terminal = new FakeTerminal();
  const connection = new FakeConnection(() => ({ type: 'ok' }));
  const chat = new ChatController(fakeChatClient(connection, async () => connection, joinedDev), terminal, { markReadIntervalMs: 60_000 });
  chat.start(joinedDev);
  connection.push({ type: 'error', code: 'account_disabled', message: 'this account is disabled by root: spam' });
  connection.emit('close', undefined);
  assert.equal(await chat.finished, 1);
  assert.deepEqual(terminal.printed.filter((line) => line.includes('disabled')), ['! this account is disabled by root: spam']);
});

test('/next after retention pruned: the unread count, then that the oldest ones expired, then what is kept', async () => {
  const kept = [53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63].map((seq) => message('ops', seq));
  const { terminal, connection } = started((request) => (request.type === 'join'
    ? { type: 'joined', group: 'ops', members: ['alice'], last_seq: 63, more: false, history: kept, first_seq: 53 } : undefined));
  const joined = connection.answered('join');
  terminal.type('/next');
  await joined;
  const at = terminal.printed.indexOf('-- 63 unread in ops since your last visit');
  assert.ok(at >= 0, terminal.printed.join('\n'));
  assert.equal(terminal.printed[at + 1], '(the oldest 52 expired: the server no longer keeps them; the 11 kept follow)');
});

test('/msg to oneself is shown once; /msg BOB is echoed with the name as the server spells it', async () => {
  const { terminal, connection } = started((request, self) => {
    if (request.type !== 'dm') return undefined;
    if (request.to.toLowerCase() === 'alice') self.push({ type: 'dm', from: 'alice', to: 'alice', text: request.text, ts: TS });
    return { type: 'ack', ts: TS };
  });
  let acked = connection.answered('dm');
  terminal.type('/msg alice note to self');
  await acked;
  // In the conversation with oneself (window 3), once.
  terminal.type('/window 3');
  assert.equal(terminal.printed.filter((line) => line.includes('note to self')).length, 1, terminal.printed.join('\n'));
  terminal.type('/window 2');
  acked = connection.answered('dm');
  terminal.type('/msg BOB hello');
  await acked;
  assert.equal(terminal.printed.at(-1), '09:05 [dm] you → bob: hello');
});

test('a kick or a ban shows to the others by whom and why (presence leave with by/reason/banned)', () => {
  const { terminal, connection } = started();
  connection.push({ type: 'presence', group: 'dev', user: 'carol', event: 'leave', by: 'bob', reason: 'spam', banned: false });
  assert.match(terminal.printed.at(-1)!, /-- carol was kicked from dev by bob: spam$/);
  connection.push({ type: 'presence', group: 'dev', user: 'dave', event: 'leave', by: 'bob', banned: true });
  assert.match(terminal.printed.at(-1)!, /-- dave was banned from dev by bob$/);
  connection.push({ type: 'presence', group: 'dev', user: 'erin', event: 'leave' });
  assert.match(terminal.printed.at(-1)!, /-- erin left dev$/);
});

test('a hostile server\'s huge texts and lists are bounded on the screen; activity for groups never joined is ignored', async () => {
  const names = Array.from({ length: 400_000 }, (_, index) => `user${index}`);
  const groups: GroupSummary[] = Array.from({ length: 100_000 }, (_, index) => ({ name: `g${index}`, members: 1, last_seq: 0, unread: null }));
  const { terminal, connection } = started((request) => {
    if (request.type === 'join') return { ...joinedDev, group: 'big', members: names, history: [] };
    if (request.type === 'who') return { type: 'members', group: 'big', members: names };
    if (request.type === 'list_groups') return { type: 'groups', groups };
    return undefined;
  });
  const huge = 'x'.repeat(8 * 1024 * 1024);
  connection.push({ type: 'error', code: 'internal', message: huge });
  connection.push({ type: 'shutdown', message: huge });
  for (const line of terminal.printed.slice(-2)) assert.ok(line.length < 400, `${line.length} characters`);
  assert.match(terminal.printed.at(-1)!, /x…$/);
  let answered = connection.answered('join');
  terminal.type('/join big');
  await answered;
  const joinedLine = terminal.printed.find((line) => line.startsWith('-- joined big'))!;
  assert.ok(joinedLine.length < 2_000, `${joinedLine.length} characters`);
  assert.match(joinedLine, /and 399950 more$/);
  answered = connection.answered('who');
  terminal.type('/who');
  await answered;
  assert.ok(terminal.printed.at(-1)!.length < 2_000);
  answered = connection.answered('list_groups');
  terminal.type('/groups');
  await answered;
  const tableStart = terminal.printed.findIndex((line) => /#\s+group\s+online/.test(line));
  assert.ok(terminal.printed.length - tableStart < 150, `${terminal.printed.length - tableStart} lines`);
  assert.equal(terminal.printed.at(-1), '… 99900 more not shown: /groups TEXT lists the groups whose name holds TEXT');
  const prompt = terminal.plainPrompt;
  for (let index = 0; index < 1_000; index++) connection.push({ type: 'activity', group: `g${index}`, last_seq: 5, unread: 5, mention: true });
  connection.push({ type: 'activity', group: 'never', last_seq: 10, unread: 1, mention: false });
  assert.equal(terminal.plainPrompt, prompt, 'no counts for groups never joined');
});

test('/groups TEXT lists the groups whose name holds TEXT, and a number picks from that list', async () => {
  const groups: GroupSummary[] = ['alpha', 'beta', 'Alphabet', 'gamma'].map((name) => ({ name, members: 0, last_seq: 0, unread: 0 }));
  const { terminal, connection } = started((request) => (request.type === 'list_groups' ? { type: 'groups', groups }
    : request.type === 'join' ? { ...joinedDev, group: request.group, history: [] } : undefined), { joined: undefined });
  const listed = connection.answered('list_groups');
  terminal.type('/groups ALPHA');
  await listed;
  const rows = terminal.printed.slice(terminal.printed.findIndex((line) => /#\s+group/.test(line)) + 1);
  assert.deepEqual(rows.map((line) => line.trim().split(/\s+/).slice(0, 2).join(' ')), ['1 alpha', '2 Alphabet']);
  const joined = connection.answered('join');
  terminal.type('2');
  await joined;
  assert.deepEqual(connection.commands.at(-1), { type: 'join', group: 'Alphabet', keep: true });
});
