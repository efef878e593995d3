/** Pastes and fast typing in a real terminal (tmux), against a real server at its default rate limit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientCommand } from '../helpers/client-process.js';
import { signedInClient, startTestServer, TEST_PASSWORD } from '../helpers/server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

const skip = TMUX_SKIP;
const ROWS = Array.from({ length: 60 }, (_, i) => `row ${i + 1} of the paste`);

test('a bracketed paste of 60 lines is one message of 60 lines, and the prompt is left empty', { skip }, async (t) => {
  const server = await startTestServer(t);
  const bob = await signedInClient(t, server.port, 'bob', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'alice', '--register', '--group', 'lobby'),
    { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  await tty.paste(`${ROWS.join('\n')}\n`);
  const message = await bob.next('msg');
  assert.equal(message.from, 'alice');
  assert.equal(message.text, ROWS.join('\n'));
  await tty.waitFor((screen) => screen.includes('row 60 of the paste') && lastLine(screen) === 'lobby>', 'the message, and an empty prompt');
  await bob.sync();
  assert.equal(bob.take('msg').length, 0, 'one message, not one per line');
  // Typing still works as before: a line is a message.
  await tty.enter('typed after the paste');
  assert.equal((await bob.next('msg')).text, 'typed after the paste');
  // A paste with no newline stays on the input line, to be edited and sent with Enter.
  await tty.type('before ');
  await tty.paste('pasted words');
  await tty.waitFor((screen) => lastLine(screen) === 'lobby> before pasted words', 'the paste on the input line');
  await tty.enter(' and after');
  assert.equal((await bob.next('msg')).text, 'before pasted words and after');
  await tty.keys('C-c');
  await tty.waitForText('[exited 0]');
});

test('60 lines typed faster than the rate limit all arrive, in order, none "not sent"', { skip }, async (t) => {
  const server = await startTestServer(t);
  const bob = await signedInClient(t, server.port, 'bob', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'carol', '--register', '--group', 'lobby'),
    { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  // One send-keys of 60 lines: not bracketed, so each line is typed (and sent) on its own, at once.
  await tty.type(ROWS.map((row) => `${row}\r`).join(''));
  const received: string[] = [];
  for (const _ of ROWS) received.push((await bob.next('msg')).text);
  assert.deepEqual(received, ROWS);
  await tty.waitFor((text) => text.includes('carol: row 60 of the paste') && lastLine(text) === 'lobby>', 'the last line acked');
  const printed = await tty.scrollback();
  assert.match(printed, /… pending: row \d+ of the paste/, 'the server did slow the client down');
  assert.doesNotMatch(printed, /not sent|slow down/);
});
