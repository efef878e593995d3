/**
 * Issue 19 item 6: `termsender-admin delete-group` beside a running SQLite
 * server puts the interactive client inside the group back at the group
 * list, as the README says, without the user typing anything.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientCommand } from '../helpers/client-process.js';
import { finished, runCommand } from '../helpers/command.js';
import { signedInClient, startTestServer, TEST_PASSWORD } from '../helpers/server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

test('the admin command deletes the group the client is in: the client says so and is back at the group list', { skip: TMUX_SKIP }, async (t) => {
  const server = await startTestServer(t);
  const bob = await signedInClient(t, server.port, 'bob', 'dev');
  await bob.request({ type: 'create_group', group: 'ops' });
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'alice', '--register', '--group', 'dev'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'dev>', 'the chat prompt');

  const run = await finished(runCommand(t, 'dist/src/cli/admin.js', ['delete-group', 'dev', '--data', server.config.dataDir]));
  assert.equal(run.code, 0, run.stderr.join('\n'));
  await tty.waitForText('-- admin deleted the group dev');
  await tty.waitForText('Join another: a number from the list, /join GROUP, or /next.');
  const screen = await tty.waitFor((text) => lastLine(text) === '>', 'the prompt outside a group');
  assert.match(screen, /\bops\b/, 'the group list is shown');
  await tty.enter('/join ops');
  await tty.waitFor((text) => lastLine(text) === 'ops>', 'another group joins');
});
