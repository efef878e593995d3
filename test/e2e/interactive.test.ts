/** The interactive client in a real terminal (tmux), driven as a person would. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SINCE_MAX_MESSAGES } from '../../src/protocol/limits.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { getTestCertificates } from '../helpers/certs.js';
import { CLIENT_BIN, clientCommand } from '../helpers/client-process.js';
import { answerSignInAndJoin, scriptedServer } from '../helpers/scripted-server.js';
import { signedInClient, startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';
import { WireClient } from '../helpers/wire-client.js';

const skip = TMUX_SKIP;

test('a message arriving while typing leaves the half-typed line intact', { skip }, async (t) => {
  const server = await startTestServer(t);
  const bob = await signedInClient(t, server.port, 'bob', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'alice', '--register', '--group', 'lobby'),
    { TERMSENDER_PASSWORD: TEST_PASSWORD, FORCE_COLOR: '1' });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  await tty.type('half a li');
  await tty.waitFor((screen) => lastLine(screen) === 'lobby> half a li', 'the typed text');
  await bob.request({ type: 'say', text: 'a message from bob' });
  // The message is printed, then the prompt redrawn under it: wait for the screen to settle.
  await tty.waitFor((screen) => screen.includes('bob: a message from bob') && lastLine(screen) === 'lobby> half a li',
    'the message above, and the typed line intact under it');
  await tty.enter('ne, finished');
  assert.equal((await bob.next('msg')).text, 'half a line, finished');
  await tty.waitForText(/alice: half a line, finished/);
  const coloured = await tty.screen(true);
  assert.match(coloured, /\u001b\[\d+(;\d+)*mbob\u001b\[39m: a message from bob/, 'the sender name is coloured');
});

test('commands work, Tab completes them and names, wrong usage gets a hint, and exit leaves cleanly', { skip }, async (t) => {
  const server = await startTestServer(t);
  const bob = await signedInClient(t, server.port, 'bob', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'carol', '--register', '--group', 'lobby'),
    { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  await tty.enter('/who');
  // bob made lobby: its owner, marked and first (roles, an addition).
  await tty.waitForText(/2 in lobby: ~bob, carol \(~ owner, & admin, @ moderator\)/);
  await tty.enter('/msg');
  await tty.waitForText('usage: /msg USER TEXT');
  // Tab completes the command, then the name of someone in the group.
  await tty.tabComplete('/ms', 'b');
  await tty.waitFor((screen) => lastLine(screen) === 'lobby> /msg bob', 'the completed command and name');
  await tty.enter(' psst');
  assert.equal((await bob.next('dm')).text, 'psst');
  await tty.waitForText('[dm] you → bob: psst');
  await tty.enter('/nope');
  await tty.waitForText('unknown command /nope: /help lists them');
  // After /join, Tab offers the server's groups as they are now.
  await tty.tabComplete('/jo', 'lo');
  await tty.waitFor((screen) => lastLine(screen) === 'lobby> /join lobby', 'the completed group name');
  await tty.keys('C-u');
  await tty.enter('/create side');
  await tty.waitFor((screen) => lastLine(screen) === 'side>', 'the new group prompt');
  assert.equal((await bob.next('presence')).event, 'join');
  // Joined with keep: still in lobby (no leave), whose next line counts in the hotlist.
  assert.equal((await bob.request({ type: 'say', text: 'still here?' })).type, 'ack');
  await tty.waitFor((screen) => lastLine(screen) === '[2:lobby 1] side>', 'lobby in the hotlist');
  await tty.enter('exit');
  await tty.waitForText('[exited 0]');
});

test('a certificate that fails verification ends the client with a clear message', { skip }, async (t) => {
  const certs = await getTestCertificates();
  const server = await startTestServer(t);
  const command = [process.execPath, CLIENT_BIN, '--host', '127.0.0.1', '--port', String(server.port), '--ca', certs.rogue.caPath, '--user', 'dave']
    .map((part) => `'${part}'`).join(' ');
  const tty = await TmuxSession.start(t, command, { TERMSENDER_PASSWORD: TEST_PASSWORD });
  const screen = await tty.waitForText('[exited 3]');
  assert.match(screen, /certificate check failed: the server certificate is not signed by the CA in/);
});

test('the password is never echoed, and a wrong login offers to create the account', { skip }, async (t) => {
  const server = await startTestServer(t);
  await signedInClient(t, server.port, 'erin', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(server.port), {});
  await tty.waitForText('user name:');
  await tty.enter('frank');
  await tty.waitForText('password:');
  await tty.enter('sup3r secret pw');
  await tty.waitForText("Create the account 'frank'? [y/N]");
  await tty.enter('y');
  await tty.waitForText('repeat the password:');
  await tty.enter('sup3r secret pw');
  await tty.waitForText('Join which group?');
  await tty.enter('1');
  const screen = await tty.waitFor((text) => lastLine(text) === 'lobby>', 'the chat prompt');
  assert.doesNotMatch(screen, /sup3r/, 'the password never appears on screen');
  assert.match(screen, /1 +lobby +1/, 'the group table');
});

test('the client survives a server restart and shows what it missed, once', { skip }, async (t) => {
  const dataDir = tempDir(t);
  const first = await startTestServer(t, { dataDir });
  const bob = await signedInClient(t, first.port, 'bob', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(first.port, '--user', 'alice', '--register', '--group', 'lobby'),
    { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  await bob.request({ type: 'say', text: 'before the restart' });
  await tty.waitForText('bob: before the restart');
  await first.close();
  await tty.waitForText('the server is shutting down');
  const second = await startTestServer(t, { dataDir, port: first.port });
  const back = await WireClient.connect(t, second.port);
  await back.next('welcome');
  assert.equal((await back.request({ type: 'login', user: 'bob', password: TEST_PASSWORD })).type, 'auth_ok');
  assert.equal((await back.request({ type: 'join', group: 'lobby' })).type, 'joined');
  await back.request({ type: 'say', text: 'during the outage' });
  await tty.waitForText('-- reconnected');
  const after = await tty.waitForText('bob: during the outage');
  assert.equal(after.split('bob: during the outage').length - 1, 1, 'shown once');
  assert.equal(after.split('bob: before the restart').length - 1, 1, 'not repeated');
  await tty.enter('glad to be back');
  assert.equal((await back.next('msg')).text, 'glad to be back');
});

test('after a long outage the client pages through everything it missed: each message once, in order', { skip }, async (t) => {
  const missed = SINCE_MAX_MESSAGES + 100;
  const dataDir = tempDir(t);
  const first = await startTestServer(t, { dataDir });
  await signedInClient(t, first.port, 'bob', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(first.port, '--user', 'alice', '--register', '--group', 'lobby'),
    { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  await first.close();
  await tty.waitForText('the server is shutting down');
  // Stored while no server runs: more than one `join` with `since` returns.
  const store = SqliteStore.open(dataDir);
  await Promise.all(Array.from({ length: missed }, (_, i) => store.groups.appendMessage({ group: 'lobby', from: 'bob', text: `m${i + 1}`, ts: Date.now(), origin: 'test' })));
  await store.close();
  await startTestServer(t, { dataDir, port: first.port });
  await tty.waitForText(`bob: m${missed}`);
  const scrollback = await tty.scrollback();
  const seen = [...scrollback.matchAll(/bob: m(\d+)$/gm)].map((match) => Number(match[1]));
  assert.deepEqual(seen, Array.from({ length: missed }, (_, i) => i + 1));
  // The count comes first, after `-- reconnected`, then the messages.
  const countAt = scrollback.indexOf(`(${missed} messages while you were away)`);
  assert.ok(scrollback.indexOf('-- reconnected') < countAt && countAt >= 0 && countAt < scrollback.indexOf('bob: m1\n'), scrollback.slice(0, 2000));
});

test('--register asks for a password until it is long enough and typed the same twice', { skip }, async (t) => {
  const server = await startTestServer(t);
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'gina', '--register', '--group', 'hall', '--create'), {});
  await tty.waitForText('password:');
  await tty.enter('short');
  await tty.waitForText('passwords need at least 8 bytes');
  await tty.enter('long enough pw');
  await tty.waitForText('repeat the password:');
  await tty.enter('long enough pW');
  await tty.waitForText('the passwords differ');
  await tty.enter('long enough pw');
  await tty.waitFor((screen) => (screen.match(/repeat the password:/g) ?? []).length === 2, 'the second confirmation');
  await tty.enter('long enough pw');
  const screen = await tty.waitFor((text) => lastLine(text) === 'hall>', 'the chat prompt');
  assert.doesNotMatch(screen, /long enough|short/, 'no password on screen');
  const check = await WireClient.connect(t, server.port);
  await check.next('welcome');
  assert.equal((await check.request({ type: 'login', user: 'gina', password: 'long enough pw' })).type, 'auth_ok');
});

test('creating an account after a failed login survives the server closing the connection meanwhile', { skip }, async (t) => {
  const registered: number[] = [];
  // First connection: the login fails and the server closes (as its auth timeout would). Later ones behave.
  const port = await scriptedServer(t, {}, (request, connection) => {
    if (connection.index === 1 && request['type'] === 'login') {
      connection.send({ type: 'error', id: request['id'], code: 'auth_failed', message: 'wrong user name or password' });
      connection.socket.end();
      return;
    }
    if (request['type'] === 'register') registered.push(connection.index);
    answerSignInAndJoin(request, connection);
  });
  const tty = await TmuxSession.start(t, await clientCommand(port, '--user', 'hank', '--group', 'g'), { TERMSENDER_PASSWORD: 'long enough pw' });
  await tty.waitForText("Create the account 'hank'? [y/N]");
  await tty.enter('y');
  await tty.waitForText('repeat the password:');
  await tty.enter('long enough pw');
  await tty.waitFor((screen) => lastLine(screen) === 'g>', 'the chat prompt');
  assert.deepEqual(registered, [2], 'registered on a fresh connection');
});
