/** The interactive client under a server restart, and messages arriving above a wrapped input line: a real terminal (tmux). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientCommand } from '../helpers/client-process.js';
import { signedInClient, startTestServer, TEST_PASSWORD } from '../helpers/server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

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
