/**
 * The interactive client in a real terminal (tmux) against a scripted server,
 * for what issue 19 found on the screen: the account's role read again at
 * each reconnect, /help wrapped at words in a narrow terminal, and --register
 * of a taken name offering to log in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientCommand } from '../helpers/client-process.js';
import { answerSignInAndJoin, type ScriptedConnection, scriptedServer } from '../helpers/scripted-server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

const skip = TMUX_SKIP;

/** Signs in with the role `roleOf(connection)`, joins an empty `dev`, answers the rest with ok. */
async function rolesServer(t: Parameters<typeof scriptedServer>[0], roleOf: (connection: ScriptedConnection) => string) {
  const state: { current?: ScriptedConnection } = {};
  const port = await scriptedServer(t, {}, (request, connection) => {
    state.current = connection;
    const id = request['id'];
    switch (request['type']) {
      case 'login': connection.send({ type: 'auth_ok', id, user: request['user'], role: roleOf(connection) }); break;
      case 'list_groups': connection.send({ type: 'groups', id, groups: [{ name: 'dev', members: 1, topic: '', private: false, last_seq: 0, unread: 0 }] }); break;
      case 'join': connection.send({ type: 'joined', id, group: 'dev', members: ['alice'], last_seq: 0, history: [], more: false, role: 'member', owner: 'carol', topic: '' }); break;
      case 'bye': connection.socket.end(); break;
      default: connection.send({ type: 'ok', id });
    }
  });
  return { port, state };
}

test('an admin made while the client runs sees the admin commands after a reconnect: the role is read again at each sign-in', { skip }, async (t) => {
  const { port, state } = await rolesServer(t, (connection) => (connection.index === 1 ? 'user' : 'admin'));
  const tty = await TmuxSession.start(t, await clientCommand(port, '--user', 'alice', '--group', 'dev'), { TERMSENDER_PASSWORD: 'long enough pw' });
  await tty.waitFor((screen) => lastLine(screen) === 'dev>', 'the chat prompt');
  await tty.enter('/help');
  let screen = await tty.waitForText('Tab completes');
  assert.doesNotMatch(screen, /Server \(admin\)/);
  state.current?.socket.destroy();
  await tty.waitForText('-- reconnected');
  await tty.waitForText('-- your account is now an admin');
  await tty.enter('/help');
  screen = await tty.waitForText('Server (admin):');
  assert.match(screen, /\/reset-password USER/);
});

test('/help in a 78-column terminal wraps at words, continuing under the description', { skip }, async (t) => {
  const { port } = await rolesServer(t, () => 'admin');
  const tty = await TmuxSession.start(t, await clientCommand(port, '--user', 'alice', '--group', 'dev'), { TERMSENDER_PASSWORD: 'long enough pw' }, 78, 50);
  await tty.waitFor((screen) => lastLine(screen) === 'dev>', 'the chat prompt');
  await tty.enter('/help');
  const screen = await tty.waitForText('Tab completes');
  const help = screen.slice(screen.lastIndexOf('Anywhere:'));
  assert.match(help, /\n  \/disable USER \[REASON\]  close USER's connections and refuse their logins\n {26}\(\/enable USER\)\n/);
  for (const word of ['connections', 'logins', 'group', 'moderators']) assert.doesNotMatch(help, new RegExp(`${word.slice(0, 3)}\\n${word.slice(3)}`), `${word} is not cut`);
});

test('--register with a taken name offers to log in instead, with the password given', { skip }, async (t) => {
  const logins: number[] = [];
  const port = await scriptedServer(t, {}, (request, connection) => {
    if (request['type'] === 'register') {
      connection.send({ type: 'error', id: request['id'], code: 'user_exists', message: "'alice' is taken" });
      return;
    }
    if (request['type'] === 'login') logins.push(connection.index);
    answerSignInAndJoin(request, connection);
  });
  const tty = await TmuxSession.start(t, await clientCommand(port, '--user', 'alice', '--register', '--group', 'dev'), { TERMSENDER_PASSWORD: 'long enough pw' });
  await tty.waitForText('! that user name is taken');
  await tty.waitForText("Log in as 'alice' instead? [y/N]");
  await tty.enter('y');
  await tty.waitFor((screen) => lastLine(screen) === 'dev>', 'the chat prompt');
  assert.deepEqual(logins, [1], 'logged in on the same connection');
});

test('a hostile server\'s 100,000 groups, 400,000 members and 30,000 activity reports for groups never joined: a bounded screen, and /quit at once', { skip }, async (t) => {
  const groups = Array.from({ length: 100_000 }, (_, index) => ({ name: `g${index}`, members: 1, topic: '', private: false, last_seq: 5, unread: null }));
  const members = Array.from({ length: 400_000 }, (_, index) => `user${index}`);
  const port = await scriptedServer(t, { max_frame: 16 * 1024 * 1024 }, (request, connection) => {
    const id = request['id'];
    switch (request['type']) {
      case 'login': connection.send({ type: 'auth_ok', id, user: request['user'], role: 'user' }); break;
      case 'list_groups': connection.send({ type: 'groups', id, groups }); break;
      case 'join':
        connection.send({ type: 'joined', id, group: 'dev', members, last_seq: 0, history: [], more: false, role: 'member', owner: 'carol', topic: '' });
        for (let index = 0; index < 30_000; index++) connection.send({ type: 'activity', group: `g${index}`, last_seq: 6, unread: 1, mention: true });
        break;
      case 'bye': connection.socket.end(); break;
      default: connection.send({ type: 'ok', id });
    }
  });
  const tty = await TmuxSession.start(t, await clientCommand(port, '--user', 'alice'), { TERMSENDER_PASSWORD: 'long enough pw' });
  await tty.waitForText('Join which group?');
  await tty.enter('g5');
  await tty.waitForText('-- joined dev');
  await tty.enter('/groups');
  await tty.waitForText('more not shown: /groups TEXT');
  await tty.enter('/quit');
  await tty.waitForText('[exited 0]');
  const printed = (await tty.scrollback()).trimEnd().split('\n');
  assert.ok(printed.length < 500, `${printed.length} lines printed`);
  assert.ok(printed.every((line) => !line.includes('@1')), 'no counts for groups never joined');
});
