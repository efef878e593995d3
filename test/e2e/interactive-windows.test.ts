/**
 * The client's windows (issue 23) in a real terminal (tmux), as a person uses
 * them: several groups and conversations open at once, the hotlist, switching
 * with Alt-N and /window from memory, /r, /query to someone offline who reads
 * it after signing in, /lastlog, a server restart with every window restored
 * (nothing missed, nothing twice), and a log file per window.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import { dayFileName } from '../../src/client/windows/log-paths.js';
import { clientCommand } from '../helpers/client-process.js';
import { signedInClient, startTestServer, tempDir, TEST_PASSWORD } from '../helpers/server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';
import type { WireClient } from '../helpers/wire-client.js';
import { WireClient as Wire } from '../helpers/wire-client.js';

const skip = TMUX_SKIP;

async function ok(client: WireClient, request: object, type: string): Promise<void> {
  const reply = await client.request(request);
  assert.equal(reply.type, type, `${JSON.stringify(request)}: ${JSON.stringify(reply)}`);
}

/** Waits for the prompt line to be exactly `prompt` (the hotlist, then the shown window's name). */
function promptIs(tty: TmuxSession, prompt: string): Promise<string> {
  return tty.waitFor((screen) => lastLine(screen) === prompt, `the prompt ${JSON.stringify(prompt)}`);
}

/** The lines `/lastlog TEXT` lists in the shown window (after its header line). */
async function lastlogLines(tty: TmuxSession, text: string): Promise<string[]> {
  const header = new RegExp(`lastlog "${text}": (\\d+) lines?`);
  // The answer is the header printed after this command: an earlier /lastlog's may still be on the screen.
  const headersBefore = (await tty.scrollback()).split('\n').filter((row) => header.test(row)).length;
  await tty.enter(`/lastlog ${text}`);
  const scrollback = await tty.waitForScrollback((all) => all.split('\n').filter((row) => header.test(row)).length > headersBefore, `the lastlog of ${text}`);
  const rows = scrollback.trimEnd().split('\n');
  const at = rows.findLastIndex((row) => header.test(row));
  const count = Number(header.exec(rows[at]!)![1]);
  return rows.slice(at + 1, at + 1 + count).map((row) => row.replace(/^\d\d:\d\d /, ''));
}

/** alice at the prompt of lobby, then ops and dev joined (windows 2, 3, 4); bob in all three, carol signed in. */
async function aliceInThreeGroups(t: Parameters<typeof startTestServer>[0], options: { dataDir?: string; logDir?: string; env?: Record<string, string> } = {}) {
  const server = await startTestServer(t, options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const bob = await signedInClient(t, server.port, 'bob', 'lobby');
  for (const group of ['ops', 'dev']) {
    await ok(bob, { type: 'create_group', group }, 'group_created');
    await ok(bob, { type: 'join', group, keep: true }, 'joined');
  }
  const carol = await signedInClient(t, server.port, 'carol');
  const logArgs = options.logDir === undefined ? [] : ['--log-dir', options.logDir];
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'alice', '--register', '--group', 'lobby', ...logArgs), { TERMSENDER_PASSWORD: TEST_PASSWORD, ...options.env });
  await promptIs(tty, 'lobby>');
  await tty.enter('/join ops');
  await promptIs(tty, 'ops>');
  await tty.enter('/j dev');
  await promptIs(tty, 'dev>');
  return { server, bob, carol, tty };
}

test('three groups and two conversations at once: each message in its window, the hotlist, Alt-N and /window from memory, /r, /lastlog', { skip }, async (t) => {
  const { bob, carol, tty } = await aliceInThreeGroups(t);
  // Tab knows the window commands.
  await tty.tabComplete('/lastl');
  await promptIs(tty, 'dev> /lastlog');
  await tty.keys('C-u');
  await ok(bob, { type: 'say', group: 'lobby', text: 'lobby-line one' }, 'ack');
  await ok(bob, { type: 'say', group: 'ops', text: 'ops-line for @alice' }, 'ack');
  await ok(bob, { type: 'say', group: 'dev', text: 'dev-line shown' }, 'ack');
  await ok(bob, { type: 'dm', to: 'alice', text: 'bob-dm psst' }, 'ack');
  await ok(carol, { type: 'dm', to: 'alice', text: 'carol-dm hello' }, 'ack');
  let screen = await promptIs(tty, '[2:lobby 1, 3:ops 1 @1, 5:bob 1, 6:carol 1] dev>');
  assert.match(screen, /bob: dev-line shown/);
  for (const elsewhere of ['lobby-line', 'ops-line', 'bob-dm', 'carol-dm']) assert.ok(!screen.includes(elsewhere), `${elsewhere} is not in dev's window`);

  // Alt-3: ops, from memory.
  await tty.keys('M-3');
  screen = await promptIs(tty, '[2:lobby 1, 5:bob 1, 6:carol 1] ops>');
  assert.match(screen, /-- window 3: ops --\n-- joined ops — 2 online: ~bob, alice \(~ owner, & admin, @ moderator\)\n\d\d:\d\d bob: ops-line for @alice/);
  // /window 5: the conversation with bob; a line typed there is a dm to bob.
  await tty.enter('/window 5');
  screen = await promptIs(tty, '[2:lobby 1, 6:carol 1] @bob>');
  assert.match(screen, /-- window 5: @bob --\n\d\d:\d\d \[dm\] bob → you: bob-dm psst/);
  await tty.enter('right back');
  assert.equal((await bob.next('dm')).text, 'right back');
  await tty.waitForText('[dm] you → bob: right back');
  // /r answers carol, the last who wrote.
  await tty.enter('/r thanks carol');
  const toCarol = await carol.next('dm');
  assert.ok(toCarol.type === 'dm' && toCarol.text === 'thanks carol' && toCarol.from === 'alice', JSON.stringify(toCarol));

  // A message in ops while bob's window shows: counted again.
  await ok(bob, { type: 'say', group: 'ops', text: 'ops-line two' }, 'ack');
  await promptIs(tty, '[2:lobby 1, 3:ops 1, 6:carol 1] @bob>');
  await tty.keys('M-2');
  await promptIs(tty, '[3:ops 1, 6:carol 1] lobby>');
  // Back to ops: each line once in its scroll-back, nothing fetched again.
  await tty.enter('/window 3');
  await promptIs(tty, '[6:carol 1] ops>');
  assert.deepEqual(await lastlogLines(tty, 'OPS-LINE'), ['bob: ops-line for @alice ◀', 'bob: ops-line two']);
  // The hotlist changes in place while a line is being typed: the typed line stays as it was.
  await tty.type('half typed');
  await promptIs(tty, '[6:carol 1] ops> half typed');
  await ok(bob, { type: 'say', group: 'lobby', text: 'lobby-line two' }, 'ack');
  screen = await promptIs(tty, '[2:lobby 1, 6:carol 1] ops> half typed');
  assert.ok(!screen.includes('lobby-line two'));
  await tty.keys('C-u');
  await tty.enter('/window 9');
  await tty.waitForText('no window 9');
  await tty.enter('/quit');
  await tty.waitForText('[exited 0]');
});

test('/query to a user who is offline: the message is stored and shown as sent; they read it in their window after signing in', { skip }, async (t) => {
  const server = await startTestServer(t);
  const dave = await signedInClient(t, server.port, 'dave');
  // dave signs out: the messages wait for him.
  dave.destroy();
  await dave.closed;
  const alice = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'alice', '--register', '--group', 'lobby', '--create'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await promptIs(alice, 'lobby>');
  await alice.enter('/query dave');
  await promptIs(alice, '@dave>');
  await alice.enter('are you there?');
  await alice.waitForText('[dm] you → dave: are you there?');
  await alice.enter('/q dave and later');
  await alice.waitForText('[dm] you → dave: and later');

  const daveTty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'dave', '--group', 'lobby', '--create'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await promptIs(daveTty, 'lobby>');
  await daveTty.enter('/q alice');
  await promptIs(daveTty, '@alice>');
  const screen = await daveTty.waitForText('[dm] alice → you: and later');
  assert.match(screen, /\[dm\] alice → you: are you there\?\n\d\d:\d\d \[dm\] alice → you: and later/);
  // dave answers in the window; alice sees it there, once.
  await daveTty.enter('yes, now');
  await alice.waitForText('[dm] dave → you: yes, now');
  assert.deepEqual(await lastlogLines(alice, 'yes'), ['[dm] dave → you: yes, now']);
});

test('a server restart: every group and conversation window is restored, nothing missed and nothing twice', { skip }, async (t) => {
  const dataDir = tempDir(t);
  const { server, bob, tty } = await aliceInThreeGroups(t, { dataDir });
  await ok(bob, { type: 'dm', to: 'alice', text: 'before-dm one' }, 'ack');
  await promptIs(tty, '[5:bob 1] dev>');
  await ok(bob, { type: 'say', group: 'ops', text: 'before-ops one' }, 'ack');
  await promptIs(tty, '[3:ops 1, 5:bob 1] dev>');
  await server.close();
  await tty.waitForText('-- connection lost');
  // Stored while no server ran: each group's resume finds its own.
  const store = SqliteStore.open(dataDir);
  for (const group of ['lobby', 'ops', 'dev']) await store.groups.appendMessage({ group, from: 'bob', text: `while-down in ${group}`, ts: Date.now(), origin: 'test' });
  await store.close();
  const second = await startTestServer(t, { dataDir, port: server.port });
  const bobAgain = await Wire.connect(t, second.port);
  await bobAgain.next('welcome');
  await ok(bobAgain, { type: 'login', user: 'bob', password: TEST_PASSWORD }, 'auth_ok');
  await ok(bobAgain, { type: 'dm', to: 'alice', text: 'after-dm two' }, 'ack');
  await tty.waitForText('-- reconnected');
  // dev (shown) shows its missed line; the others count theirs in the hotlist, the dm whether live or caught up.
  await tty.waitForText('bob: while-down in dev');
  await promptIs(tty, '[2:lobby 1, 3:ops 2, 5:bob 2] dev>');
  for (const [key, window, lines] of [
    ['M-2', 'lobby', ['bob: while-down in lobby']],
    ['M-3', 'ops', ['bob: before-ops one', 'bob: while-down in ops']],
    ['M-4', 'dev', ['bob: while-down in dev']],
  ] as const) {
    await tty.keys(key);
    await tty.waitFor((screen) => lastLine(screen).endsWith(`${window}>`), window);
    assert.deepEqual(await lastlogLines(tty, '<bob>'), lines, `${window}: each once`);
  }
  await tty.keys('M-5');
  await tty.waitFor((screen) => lastLine(screen).endsWith('@bob>'), 'bob');
  assert.deepEqual(await lastlogLines(tty, '-dm'), ['[dm] bob → you: before-dm one', '[dm] bob → you: after-dm two']);
  // Joined with keep again: alice is in the three groups.
  const who = await bobAgain.request({ type: 'join', group: 'ops' });
  assert.ok(who.type === 'joined' && who.members.includes('alice'), JSON.stringify(who));
});

test('--log-dir (here TERMSENDER_LOG_DIR): one file per window and day, mode 0600, plain text; /set log off stops it, /set log on starts it again', { skip }, async (t) => {
  const logDir = tempDir(t, 'termsender-logs-');
  const { server, bob, tty } = await aliceInThreeGroups(t, { env: { TERMSENDER_LOG_DIR: logDir } });
  await ok(bob, { type: 'say', group: 'dev', text: 'to the dev log' }, 'ack');
  await ok(bob, { type: 'dm', to: 'alice', text: 'to the dm log' }, 'ack');
  await tty.waitForText('bob: to the');
  await promptIs(tty, '[5:bob 1] dev>');
  const host = path.join(logDir, `127.0.0.1_${server.port}`);
  const day = dayFileName(Date.now());
  for (const [folder, text] of [['dev', '<bob> to the dev log'], ['@bob', '<bob> to the dm log']] as const) {
    const file = path.join(host, folder, day);
    assert.equal(statSync(file).mode & 0o777, 0o600, `${file} is 0600`);
    assert.match(readFileSync(file, 'utf8'), new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  }
  await tty.enter('/set log off');
  await tty.waitForText('-- log off');
  await ok(bob, { type: 'say', group: 'dev', text: 'not logged' }, 'ack');
  await tty.waitForText('bob: not logged');
  await tty.enter('/set log on');
  await tty.waitForText('-- log on');
  await ok(bob, { type: 'say', group: 'dev', text: 'logged again' }, 'ack');
  await tty.waitForText('bob: logged again');
  const devLog = readFileSync(path.join(host, 'dev', day), 'utf8');
  assert.ok(!devLog.includes('not logged') && devLog.includes('<bob> logged again'), devLog);
});
