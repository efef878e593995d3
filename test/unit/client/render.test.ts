import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import kleur from 'kleur';
import { nameColor, plainChat, plainDirect, renderChat, renderDirect, renderError, renderGroupTable, renderJoined, renderMembers, renderPresence } from '../../../src/client/render.js';
import { configureColors } from '../../../src/client/colors.js';
import { displayWidth, wrapLine } from '../../../src/client/width.js';

const message = (from: string, text: string) => ({ group: 'general', seq: 1, from, text, ts: new Date(2026, 0, 1, 9, 5).getTime() });
const plain = stripVTControlCharacters;

test('colours follow TTY, NO_COLOR and FORCE_COLOR', () => {
  assert.equal(configureColors(true, {}), true);
  assert.equal(configureColors(true, { NO_COLOR: '1' }), false);
  assert.equal(configureColors(false, {}), false);
  assert.equal(configureColors(false, { FORCE_COLOR: '1' }), true);
  assert.equal(configureColors(true, { FORCE_COLOR: '0' }), false);
});

test('a chat line: time, coloured name, text; no colour when disabled', () => {
  configureColors(false, { FORCE_COLOR: '1' });
  const coloured = renderChat(message('bob', 'hello'), { self: 'alice', width: 80 });
  assert.match(coloured, /\u001b\[/);
  assert.equal(plain(coloured), '09:05 bob: hello');
  kleur.enabled = false;
  assert.equal(renderChat(message('bob', 'hello'), { self: 'alice', width: 80 }), '09:05 bob: hello');
});

test('the same name always gets the same colour, in any case, never red', () => {
  kleur.enabled = true;
  assert.equal(nameColor('Bob')('x'), nameColor('bob')('x'));
  const colours = new Set(['alice', 'bob', 'carol', 'dave', 'eve', 'frank', 'grace', 'heidi'].map((name) => nameColor(name)('x')));
  assert.ok(colours.size >= 4, 'names spread over the palette');
  for (const colour of colours) assert.doesNotMatch(colour, /\u001b\[31m/);
});

test('mentions of your name and direct messages stand out', () => {
  kleur.enabled = true;
  const mention = renderChat(message('bob', 'hey @Alice, look'), { self: 'alice', width: 80 });
  assert.match(mention, /\u001b\[1m\u001b\[7m@Alice/);
  assert.match(plain(mention), /◀$/);
  const noMention = renderChat(message('bob', 'malice is not a mention'), { self: 'alice', width: 80 });
  assert.doesNotMatch(plain(noMention), /◀/);
  const dm = renderDirect({ from: 'bob', to: 'alice', text: 'psst', ts: 0 }, { self: 'alice', width: 80 });
  assert.match(plain(dm), /\[dm\] bob → you: psst/);
  assert.match(dm, /\u001b\[35m/);
  assert.match(plain(renderPresence('bob', 'general', 'leave', 0)), /-- bob left general/);
  assert.match(renderError('offline'), /\u001b\[31m! that user is not online/);
});

test('a mention is matched as plain text, never as a pattern, with the same word boundaries', () => {
  kleur.enabled = true;
  const marked = (text: string, self: string) => renderChat(message('bob', text), { self, width: 200 }).replace(/\u001b\[1m\u001b\[7m([^\u001b]*)\u001b\[22m\u001b\[27m/g, '[$1]');
  assert.equal(plain(marked('a'.repeat(40), '(a+)+b')), `09:05 bob: ${'a'.repeat(40)}`);
  assert.equal(plain(marked('a.b axb', 'a.b')), '09:05 bob: [a.b] axb ◀');
  // The one mention rule (protocol/mentions.ts), as the server's activity judges it: `x@alice` is an address, `alice.bob` another name.
  assert.equal(plain(marked('@ALICE, alice. x@alice malice alice-x x.alice alice_ alice.bob', 'Alice')), '09:05 bob: [@ALICE], [alice]. x@alice malice alice-x x.alice alice_ alice.bob ◀');
});

test('long messages wrap with a hanging indent, also with wide characters and emoji', () => {
  kleur.enabled = false;
  const text = 'word '.repeat(30).trim();
  const lines = renderChat(message('bob', text), { self: 'alice', width: 40 }).split('\n');
  assert.ok(lines.length > 1);
  for (const line of lines) assert.ok(displayWidth(line) <= 40, line);
  for (const line of lines.slice(1)) assert.ok(line.startsWith(' '.repeat('09:05 bob: '.length)) && line[11] !== ' ', line);
  const wide = renderChat(message('bob', '日本語'.repeat(20)), { self: 'alice', width: 30 }).split('\n');
  for (const line of wide) assert.ok(displayWidth(line) <= 30, line);
  const emoji = renderChat(message('bob', '👩‍👩‍👧👍🏽'.repeat(15)), { self: 'alice', width: 30 }).split('\n');
  for (const line of emoji) assert.ok(displayWidth(line) <= 30, line);
});

test('display width: ASCII 1, CJK and emoji 2, combining marks and ZWJ sequences counted once', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('日本'), 4);
  assert.equal(displayWidth('👍'), 2);
  assert.equal(displayWidth('👩‍👩‍👧'), 2);
  assert.equal(displayWidth('é'), 1); // e + combining acute
  assert.equal(displayWidth('❤️'), 2);
  assert.deepEqual(wrapLine('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
  assert.deepEqual(wrapLine('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  assert.deepEqual(wrapLine('日本語日本語', 5), ['日本', '語日', '本語']);
});

test('hostile text is sanitized in every rendering', () => {
  kleur.enabled = false;
  const evil = message('b\u001b[31mob', 'x\u001b]0;title\u0007y\u001b[2J');
  assert.equal(renderChat(evil, { self: 'alice', width: 80 }), '09:05 bob: xy');
  assert.equal(plainChat(evil), '[general] bob: xy');
  assert.equal(plainDirect({ from: 'a\u0007', to: 'b', text: 'multi\nline' }), '[dm] a -> b: multi line');
  assert.match(renderGroupTable([{ name: 'g\u001b[2J', members: 2 }]), /g +2/);
});

test('/who and the join line mark the owner ~, admins & and moderators @, listed first, with a legend; no roles, no marks', () => {
  const who = stripVTControlCharacters(renderMembers({ type: 'members', group: 'dev', members: ['mem', 'mo', 'olga', 'root'], roles: { olga: 'owner', mo: 'moderator', root: 'admin' } }));
  assert.equal(who, '-- 4 in dev: ~olga, &root, @mo, mem (~ owner, & admin, @ moderator)');
  assert.equal(stripVTControlCharacters(renderMembers({ type: 'members', group: 'dev', members: ['a', 'b'] })), '-- 2 in dev: a, b');
  const [line] = renderJoined({ type: 'joined', group: 'dev', members: ['me', 'olga'], last_seq: 0, history: [], more: false, roles: { olga: 'owner' } });
  assert.equal(stripVTControlCharacters(line!), '-- joined dev — 2 online: ~olga, me (~ owner, & admin, @ moderator)');
});
