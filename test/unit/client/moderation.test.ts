/** The moderation commands, /help by role, the status line and the choice of /next: pure parts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { parseInput } from '../../../src/client/commands.js';
import { commandNames, complete } from '../../../src/client/completion.js';
import { type ModerationCommand, moderationRefusal, moderationRequest } from '../../../src/client/moderation-commands.js';
import { renderStatusPrompt, renderUnreadStatus } from '../../../src/client/status-line.js';
import { ReadMarks, type ReadMarkTimers, UnreadTracker } from '../../../src/client/model/unread.js';

function moderation(line: string): ModerationCommand {
  const command = parseInput(line);
  assert.equal(command.kind, 'moderation', line);
  return command.kind === 'moderation' ? command.command : assert.fail();
}

test('each moderation command builds the request of protocol.md for the current group', () => {
  const cases: Array<[string, object | undefined]> = [
    ['/topic', undefined],
    ['/topic  Release on Friday  ', { type: 'set_topic', group: 'dev', topic: 'Release on Friday' }],
    ['/invite bob', { type: 'invite', group: 'dev', user: 'bob' }],
    ['/uninvite bob', { type: 'uninvite', group: 'dev', user: 'bob' }],
    ['/kick bob', { type: 'kick', group: 'dev', user: 'bob' }],
    ['/kick bob  off topic, again', { type: 'kick', group: 'dev', user: 'bob', reason: 'off topic, again' }],
    ['/ban bob spam', { type: 'ban', group: 'dev', user: 'bob', reason: 'spam' }],
    ['/unban bob', { type: 'unban', group: 'dev', user: 'bob' }],
    ['/op bob', { type: 'set_role', group: 'dev', user: 'bob', role: 'moderator' }],
    ['/deop bob', { type: 'set_role', group: 'dev', user: 'bob', role: 'member' }],
    ['/delete-group', { type: 'delete_group', group: 'dev' }],
    ['/disable bob abuse', { type: 'disable_user', user: 'bob', reason: 'abuse' }],
    ['/disable bob', { type: 'disable_user', user: 'bob' }],
    ['/enable bob', { type: 'enable_user', user: 'bob' }],
    ['/notice  restart at noon, save your words ', { type: 'notice', text: 'restart at noon, save your words' }],
  ];
  for (const [line, request] of cases) assert.deepEqual(moderationRequest(moderation(line), 'dev'), request, line);
  assert.deepEqual(moderationRequest(moderation('/passwd'), 'dev', { old: 'old secret', password: 'new secret' }), { type: 'passwd', old: 'old secret', new: 'new secret' });
  assert.deepEqual(moderationRequest(moderation('/reset-password bob'), 'dev', { password: 'new secret' }), { type: 'reset_password', user: 'bob', password: 'new secret' });
  assert.deepEqual(parseInput('/create -p ops'), { kind: 'create', group: 'ops', private: true });
  assert.deepEqual(parseInput('/create ops --private'), { kind: 'create', group: 'ops', private: true });
  assert.deepEqual(parseInput('/create ops'), { kind: 'create', group: 'ops' });
  assert.deepEqual(parseInput('/next'), { kind: 'next' });
});

test('wrong usage of a moderation command gets its usage; a topic or reason the server would refuse is not sent', () => {
  for (const line of ['/invite', '/invite a b', '/kick', '/op', '/deop a b', '/delete-group now', '/passwd x', '/enable', '/reset-password', '/create -p', '/create -p a b']) {
    const command = parseInput(line);
    assert.equal(command.kind, 'usage', line);
    assert.match(command.kind === 'usage' ? command.usage : '', /^usage: \//, line);
  }
  const long = parseInput(`/topic ${'x'.repeat(301)}`);
  assert.deepEqual(long, { kind: 'unsendable', problem: 'not sent: a topic has at most 300 bytes (this one is 301)' });
  assert.equal(parseInput(`/ban bob ${'y'.repeat(301)}`).kind, 'unsendable');
  assert.equal(parseInput('/topic bell \u0007').kind, 'unsendable');
  assert.equal(parseInput('/notice').kind, 'usage');
  assert.deepEqual(parseInput(`/notice ${'z'.repeat(4097)}`), { kind: 'unsendable', problem: 'not sent: text is over 4096 bytes' });
});

test('a refusal is said in words that name who may do it', () => {
  assert.equal(moderationRefusal(moderation('/kick bob'), 'not_allowed', 'dev'), "only the group's owner or a moderator may kick");
  assert.equal(moderationRefusal(moderation('/op bob'), 'not_allowed', 'dev'), "only the group's owner may appoint moderators");
  assert.equal(moderationRefusal(moderation('/disable bob'), 'not_allowed', undefined), 'only an admin may disable accounts');
  assert.equal(moderationRefusal(moderation('/invite zed'), 'no_such_user', 'dev'), "there is no user 'zed'");
  assert.equal(moderationRefusal(moderation('/passwd'), 'auth_failed', undefined), 'the old password is wrong; nothing changed');
  assert.equal(moderationRefusal(moderation('/kick bob'), 'rate_limited', 'dev'), undefined, 'other codes are said as every error is');
});

test('activity for a group the account never joined (unread null in the list, or never listed) is ignored', () => {
  const unread = new UnreadTracker();
  unread.fromList([{ name: 'dev', members: 1, last_seq: 50, unread: 0 }, { name: 'never', members: 0, last_seq: 7, unread: null }]);
  assert.equal(unread.activity({ type: 'activity', group: 'never', last_seq: 9, unread: 9, mention: true }), false);
  assert.equal(unread.activity({ type: 'activity', group: 'unlisted', last_seq: 9, unread: 9, mention: false }), false);
  assert.equal(unread.activity({ type: 'activity', group: 'DEV', last_seq: 52, unread: 2, mention: false }), true);
  assert.deepEqual(unread.others(undefined).map((group) => `${group.name} ${group.unread}`), ['DEV 2']);
});

test('a refused kick or ban by one who may moderate names the target\'s reason, as the server says it', () => {
  const asOwner = { mayModerate: true, serverMessage: "'carol' is an admin" };
  assert.equal(moderationRefusal(moderation('/kick carol'), 'not_allowed', 'dev', asOwner), 'carol is an admin: nobody may kick an admin');
  assert.equal(moderationRefusal(moderation('/ban carol'), 'not_allowed', 'dev', asOwner), 'carol is an admin: nobody may ban an admin');
  assert.equal(moderationRefusal(moderation('/kick dave'), 'not_allowed', 'dev', { mayModerate: true, serverMessage: "'dave' owns the group" }), 'dave owns the group: nobody may kick the owner');
  assert.equal(moderationRefusal(moderation('/kick dave'), 'not_allowed', 'dev', { mayModerate: false, serverMessage: "only the group's owner and moderators may kick users" }), "only the group's owner or a moderator may kick");
});

test('Tab offers the commands the role allows, and user names after those that take a user', () => {
  const sources = { users: ['bob', 'bea'], groups: ['dev'] };
  assert.deepEqual(complete('/k', { ...sources, commands: commandNames({ account: 'user', group: 'member' }) }), [[], '/k']);
  assert.deepEqual(complete('/k', { ...sources, commands: commandNames({ account: 'user', group: 'moderator' }) }), [['/kick '], '/k']);
  assert.deepEqual(complete('/de', { ...sources, commands: commandNames({ account: 'user', group: 'owner' }) }), [['/delete-group ', '/deop '], '/de']);
  assert.deepEqual(complete('/re', { ...sources, commands: commandNames({ account: 'admin', group: undefined }) }), [['/reset-password '], '/re']);
  assert.deepEqual(complete('/t', sources), [['/topic '], '/t']);
  for (const command of ['/kick', '/ban', '/unban', '/invite', '/uninvite', '/op', '/deop', '/disable', '/enable', '/reset-password']) {
    assert.deepEqual(complete(`${command} b`, sources), [['bea ', 'bob '], 'b'], command);
  }
  assert.deepEqual(complete('/kick bob sp', sources), [[], '/kick bob sp'], 'a reason is not a name');
});

test('the status line names the other groups with unread messages and mentions; the prompt ends with the group', () => {
  const plain = (text: string) => stripVTControlCharacters(text);
  assert.equal(renderUnreadStatus([]), '');
  const groups = [{ name: 'ops', lastSeq: 9, unread: 3, mentions: 0 }, { name: 'random', lastSeq: 40, unread: 12, mentions: 1 }];
  assert.equal(plain(renderUnreadStatus(groups)), '[ops 3, random 12 @1]');
  assert.equal(plain(renderStatusPrompt('dev', groups)), '[ops 3, random 12 @1] dev> ');
  assert.equal(plain(renderStatusPrompt('dev', [])), 'dev> ');
  assert.equal(plain(renderStatusPrompt(undefined, groups)), '[ops 3, random 12 @1]> ');
  assert.equal(plain(renderStatusPrompt(undefined, [])), '> ');
  const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name, lastSeq: 1, unread: 1, mentions: 0 }));
  assert.equal(plain(renderUnreadStatus(many)), '[a 1, b 1, c 1, d 1, +2 more]');
  assert.equal(plain(renderUnreadStatus([{ name: 'x\u001b[2J', lastSeq: 1, unread: 1, mentions: 0 }])).includes('\u001b'), false, 'names are sanitized');
});

test('unread counts come from the list and from activity; /next picks the next group by name after the current one, from its read marker', () => {
  const unread = new UnreadTracker();
  unread.fromList([
    { name: 'dev', members: 1, last_seq: 50, unread: 0 },
    { name: 'ops', members: 0, last_seq: 9, unread: 3 },
    { name: 'random', members: 2, last_seq: 40, unread: 12 },
    { name: 'never', members: 0, last_seq: 7, unread: null },
    { name: 'old', members: 0 },
  ]);
  assert.deepEqual(unread.others('dev').map((group) => `${group.name} ${group.unread}`), ['ops 3', 'random 12']);
  assert.deepEqual(unread.next('dev'), { name: 'ops', since: 6, unread: 3 });
  assert.deepEqual(unread.next('ops'), { name: 'random', since: 28, unread: 12 });
  assert.deepEqual(unread.next('random'), { name: 'ops', since: 6, unread: 3 }, 'wraps around');
  assert.deepEqual(unread.next(undefined), { name: 'ops', since: 6, unread: 3 });
  unread.activity({ type: 'activity', group: 'Random', last_seq: 44, unread: 16, mention: true });
  unread.read('zeta', 0); // joined here
  unread.activity({ type: 'activity', group: 'zeta', last_seq: 2, unread: 2, mention: false });
  assert.deepEqual(unread.others('dev').map((group) => `${group.name} ${group.unread} @${group.mentions}`), ['ops 3 @0', 'Random 16 @1', 'zeta 2 @0']);
  assert.deepEqual(unread.next('ops'), { name: 'Random', since: 28, unread: 16 });
  unread.read('ops', 9);
  assert.deepEqual(unread.next('dev'), { name: 'Random', since: 28, unread: 16 });
  unread.forget('random');
  unread.forget('zeta');
  assert.equal(unread.next('dev'), undefined);
  unread.fromList([{ name: 'ops', members: 0, last_seq: 12, unread: 3 }]);
  assert.deepEqual(unread.others(undefined).map((group) => group.name), ['ops'], 'a complete list replaces what was known');
});

test('the read marker is sent at most once per interval, with the latest seq, and at once on flush; never backwards', () => {
  const sent: string[] = [];
  let fire: (() => void) | undefined;
  const timers: ReadMarkTimers = { set: (callback) => { fire = callback; return 1; }, clear: () => { fire = undefined; } };
  const marks = new ReadMarks((group, seq) => sent.push(`${group} ${seq}`), 1_000, timers);
  marks.shown('dev', 3);
  marks.shown('dev', 4);
  marks.shown('dev', 5);
  assert.deepEqual(sent, []);
  const due = fire;
  fire = undefined;
  due?.();
  assert.deepEqual(sent, ['dev 5']);
  marks.shown('dev', 5);
  marks.shown('dev', 2);
  assert.equal(fire, undefined, 'nothing new: no timer');
  marks.shown('dev', 6);
  marks.shown('ops', 9);
  assert.deepEqual(sent, ['dev 5', 'dev 6'], 'a switch of group sends the pending marker of the one left');
  marks.flush();
  assert.deepEqual(sent, ['dev 5', 'dev 6', 'ops 9']);
  marks.flush();
  assert.equal(sent.length, 3);
});
