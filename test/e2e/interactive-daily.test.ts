/** The interactive client's rough edges, in a real terminal (tmux). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientCommand } from '../helpers/client-process.js';
import { signedInClient, startTestServer, TEST_PASSWORD } from '../helpers/server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

const skip = TMUX_SKIP;

test('Tab completes @al to @alice; Ctrl-C clears a half-typed line, then quits; /who after /leave says to join', { skip }, async (t) => {
  const server = await startTestServer(t);
  await signedInClient(t, server.port, 'alice', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'carol', '--register', '--group', 'lobby'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  await tty.tabComplete('hi @al');
  await tty.waitFor((screen) => lastLine(screen) === 'lobby> hi @alice', 'the completed mention');
  await tty.keys('C-c');
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the line cleared');
  await tty.enter('/leave');
  await tty.waitForText('-- left lobby');
  await tty.enter('/who');
  const screen = await tty.waitForText('not in a group: /join GROUP');
  assert.doesNotMatch(screen, /not possible right now/);
  await tty.waitFor((text) => lastLine(text) === '>', 'the prompt outside a group');
  await tty.keys('C-c');
  await tty.waitForText('[exited 0]');
});

test('a number beyond the group list is out of range, not a new group', { skip }, async (t) => {
  const server = await startTestServer(t);
  for (const group of ['one', 'two', 'three']) await signedInClient(t, server.port, `u${group}`, group);
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'dora', '--register'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitForText('Join which group?');
  await tty.enter('9');
  const screen = await tty.waitForText('9 is out of range: pick 1 to 3, or type a name');
  assert.doesNotMatch(screen, /Create the group/);
  await tty.enter('2');
  await tty.waitFor((text) => /^[a-z]+>$/.test(lastLine(text)), 'the chat prompt');
});

test('a wrong password for an existing account asks for it again: the name is taken, so no account is made', { skip }, async (t) => {
  const server = await startTestServer(t);
  await signedInClient(t, server.port, 'erin', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'erin', '--group', 'lobby'), {});
  await tty.waitForText('password:');
  await tty.enter('not the password');
  await tty.waitForText("Create the account 'erin'? [y/N]");
  await tty.enter('y');
  await tty.waitForText('repeat the password:');
  await tty.enter('not the password');
  await tty.waitForText("the account 'erin' exists: type its password again");
  await tty.enter(TEST_PASSWORD);
  const screen = await tty.waitFor((text) => lastLine(text) === 'lobby>', 'the chat prompt');
  assert.equal((screen.match(/Create the account/g) ?? []).length, 1, 'creation is offered once');
});
