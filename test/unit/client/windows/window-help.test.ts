import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Roles } from '../../../../src/client/help.js';
import { displayWidth } from '../../../../src/client/width.js';
import { HELP_COLUMNS, windowHelpText } from '../../../../src/client/windows/window-help.js';

const member = { account: 'user', group: 'member' } as const;
const admin = { account: 'admin', group: undefined } as const;

test('the windowed /help fits 78 columns, wrapping at words under the description', () => {
  const text = windowHelpText(admin);
  assert.equal(HELP_COLUMNS, 78);
  for (const line of text.split('\n')) assert.ok(displayWidth(line) <= 78, line);
  const words = (value: string): string[] => value.split(/\s+/).filter((word) => word !== '');
  assert.deepEqual(words(text), words(windowHelpText(admin, Number.POSITIVE_INFINITY)), 'no word cut or lost');
  const lines = text.split('\n');
  const query = lines.findIndex((line) => line.startsWith('  /query USER [TEXT]'));
  assert.ok(query !== -1 && lines[query + 1]!.startsWith(' '.repeat(22)), 'the continuation hangs under the description');
  for (const line of windowHelpText(member, 40).split('\n')) assert.ok(displayWidth(line) <= 40, line);
});

test('the windowed /help is grouped by window kind, then by role', () => {
  const headings = (text: string): string[] => text.split('\n').filter((line) => !line.startsWith(' ') && line.endsWith(':'));
  assert.deepEqual(headings(windowHelpText(member)), ['Windows (the status line lists those with news: [2:ops 3 @1, 4:bob 1]):', 'In the status window (1):', 'In a group window:', 'In a conversation window:', 'Anywhere:']);
  assert.deepEqual(headings(windowHelpText({ account: 'user', group: 'owner' })).slice(5), ['In this group (its owner and moderators):', 'In this group (its owner):']);
  assert.deepEqual(headings(windowHelpText(admin)).slice(5), ['In any group (as admin, or its owner and moderators):', 'In any group (as admin, or its owner):', 'Server (admin):']);
  for (const command of ['/window N', '/query USER', '/close', '/lastlog TEXT', '/r TEXT', '/block USER', '/set log on|off', '/delete [SEQ]', '/part', '(/names)', '(/j)', '(/q)']) {
    assert.ok(windowHelpText(member).includes(command), command);
  }
});

test('/help lists only what the role allows: member, moderator, owner, admin; an older server (no roles) as a member', () => {
  const help = (roles: Roles): string => windowHelpText(roles, Number.POSITIVE_INFINITY);
  const [asMember, moderator, owner, asAdmin] = [member, { account: 'user', group: 'moderator' } as const, { account: 'user', group: 'owner' } as const, { account: 'admin', group: 'member' } as const].map(help);
  const has = (text: string, command: string) => text.split('\n').some((line) => line.trimStart().startsWith(command));
  for (const text of [asMember, moderator, owner, asAdmin]) {
    for (const command of ['/help', '/join', '/topic ', '/next', '/passwd', '/create [-p]']) assert.ok(has(text!, command), command);
  }
  assert.ok(!has(asMember!, '/kick') && !has(asMember!, '/topic TEXT') && !has(asMember!, '/op') && !has(asMember!, '/disable'));
  assert.ok(has(moderator!, '/kick') && has(moderator!, '/ban') && has(moderator!, '/invite') && has(moderator!, '/topic TEXT'));
  assert.ok(!has(moderator!, '/op') && !has(moderator!, '/delete-group') && !has(moderator!, '/disable'));
  assert.ok(has(owner!, '/op') && has(owner!, '/delete-group') && has(owner!, '/kick') && !has(owner!, '/disable'));
  assert.ok(has(asAdmin!, '/disable') && has(asAdmin!, '/reset-password') && has(asAdmin!, '/delete-group') && has(asAdmin!, '/kick') && has(asAdmin!, '/notice'));
  assert.ok(!has(owner!, '/notice'), 'only admins');
  assert.equal(help({ account: undefined, group: undefined }), asMember, 'an older server: the same as a member');
});
