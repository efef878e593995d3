/** The interactive client under a server restart, and messages arriving above a wrapped input line: a real terminal (tmux). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import { clientCommand } from '../helpers/client-process.js';
import { signedInClient, startTestServer, TEST_PASSWORD } from '../helpers/server.js';
import { aliceOffline } from '../helpers/chat-outage.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';
import { WireClient } from '../helpers/wire-client.js';

const skip = TMUX_SKIP;

test('messages arriving while a typed line wraps to three rows leave no blank rows above them, and the typed line stays', { skip }, async (t) => {
  const server = await startTestServer(t);
  const bob = await signedInClient(t, server.port, 'bob', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'alice', '--register', '--group', 'lobby'), { TERMSENDER_PASSWORD: TEST_PASSWORD }, 40, 20);
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  // `lobby> ` and 90 letters: three rows of 40 columns.
  const typed = 'abcdefghij'.repeat(9);
  await tty.type(typed);
  const showsTyped = (screen: string) => screen.trimEnd().replace(/\n/g, '').endsWith(`lobby> ${typed}`);
  await tty.waitFor(showsTyped, 'the typed line');
  for (const text of ['one', 'two', 'three']) {
    await bob.request({ type: 'say', text });
    await tty.waitForText(`bob: ${text}`);
  }
  const screen = await tty.waitFor(showsTyped, 'the input line redrawn');
  const rows = screen.trimEnd().split('\n');
  const first = rows.findIndex((row) => row.endsWith('bob: one'));
  assert.ok(first >= 0, screen);
  assert.deepEqual(rows.slice(first).map((row) => row.replace(/^\d\d:\d\d /, '')), [
    'bob: one', 'bob: two', 'bob: three',
    `lobby> ${typed.slice(0, 33)}`, typed.slice(33, 73), typed.slice(73),
  ], `no blank rows, the input intact:\n${screen}`);
  await tty.keys('Enter');
  await tty.waitForText(/alice: abcdefghij/);
  assert.equal((await bob.next('msg')).text, typed);
});

test('a server restart: one status line that counts down; lines and /msg typed offline wait (pending) and go after the missed messages, in order', { skip }, async (t) => {
  const { tty, dataDir, port } = await aliceOffline(t);
  await tty.enter('queued one');
  await tty.enter('queued two');
  await tty.enter('/msg bob psst');
  await tty.waitForText('… pending: psst');
  // Retries with growing delays: a try 2 s or more away leaves time to start the server and sign bob in first.
  const waiting = await tty.waitFor((screen) => /reconnecting in [2-9] s \(attempt [3-9]\)…/.test(screen), 'a later attempt');
  assert.equal(waiting.split('\n').filter((row) => row.includes('reconnecting')).length, 1, `one status line, updated in place:\n${waiting}`);
  // Stored while no server ran: the resume finds it.
  const store = SqliteStore.open(dataDir);
  await store.appendMessage({ group: 'lobby', from: 'bob', text: 'missed while down', ts: Date.now(), origin: 'test' });
  await store.close();
  const second = await startTestServer(t, { dataDir, port });
  const bob = await WireClient.connect(t, second.port);
  await bob.next('welcome');
  assert.equal((await bob.request({ type: 'login', user: 'bob', password: TEST_PASSWORD })).type, 'auth_ok');
  assert.equal((await bob.request({ type: 'join', group: 'lobby' })).type, 'joined');

  assert.equal((await bob.next('msg')).text, 'queued one');
  assert.equal((await bob.next('msg')).text, 'queued two');
  assert.equal((await bob.next('dm')).text, 'psst');
  await tty.waitForText('[dm] you → bob: psst');
  const rows = (await tty.scrollback()).split('\n').map((row) => row.replace(/^\d\d:\d\d /, '').trimEnd());
  const at = (row: string) => {
    const index = rows.indexOf(row);
    assert.ok(index >= 0, `${row} in:\n${rows.join('\n')}`);
    return index;
  };
  const order = ['… pending: queued one', '… pending: queued two', '… pending: psst', '-- reconnected', '(1 message while you were away)',
    'bob: missed while down', 'alice: queued one', 'alice: queued two', '[dm] you → bob: psst'].map(at);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), `in this order:\n${rows.join('\n')}`);
  assert.equal(rows.filter((row) => row.includes('reconnecting')).length, 0, 'the status line is gone');
  assert.equal(rows.filter((row) => row === 'alice: queued one').length, 1, 'sent once');
});
