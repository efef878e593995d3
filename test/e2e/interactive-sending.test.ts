/**
 * What the interactive client says about what was sent, in a real terminal
 * (tmux): a stalled server (SIGSTOP of a spawned server), a /msg typed during
 * an outage (stored by the server once sent, January), /quit with lines pending, /passwd across a restart, a server
 * that breaks the protocol after the join, and a server that cannot be
 * reached before anything is asked.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { type TestContext, test } from 'node:test';
import { clientCommand } from '../helpers/client-process.js';
import { aliceOffline } from '../helpers/chat-outage.js';
import { dm } from '../helpers/conversations.js';
import { answerSignInAndJoin, scriptedServer } from '../helpers/scripted-server.js';
import { signedInClient, type SpawnedServer, spawnServer, startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';
import { WireClient } from '../helpers/wire-client.js';

const skip = TMUX_SKIP;

/** Every row printed so far, without the time of day. */
async function rows(tty: TmuxSession): Promise<string[]> {
  return (await tty.scrollback()).split('\n').map((row) => row.replace(/^\d\d:\d\d /, '').trimEnd());
}

/** A spawned server (a process that can be stopped), bob in `lobby` on it, and alice at the chat prompt with `--timeout`. */
async function stallable(t: TestContext, timeoutSeconds: number) {
  const server = await spawnServer(t, ['--data', tempDir(t)]);
  const bob = await signedInClient(t, server.port, 'bob', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'alice', '--register', '--group', 'lobby', '--timeout', String(timeoutSeconds)), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  return { server, bob, tty };
}

/** Types `line` while the server is stopped (SIGSTOP), until the client drops the connection for want of a reply to `request` within 2 s; then lets the server go on and waits for the reconnect. */
async function typedDuringStall(server: SpawnedServer, tty: TmuxSession, line: string, request: 'say' | 'dm'): Promise<void> {
  server.child.kill('SIGSTOP');
  try {
    await tty.enter(line);
    await tty.waitForText(`-- connection lost (the server stopped answering (no reply to '${request}' within 2 s))`);
  } finally {
    server.child.kill('SIGCONT');
  }
  await tty.waitForText('-- reconnected');
}

/** How alice sends a text and how her screen shows it: said in the group, or by /msg to bob. */
const SENT = {
  say: { typed: (text: string) => text, shown: (text: string) => `alice: ${text}`, heard: 'msg' },
  dm: { typed: (text: string) => `/msg bob ${text}`, shown: (text: string) => `[dm] you → bob: ${text}`, heard: 'dm' },
} as const;

/** A text sent during a stall past --timeout is resolved by the reconnect: bob gets it once (what is sent after it comes next), alice's screen shows it once, never "not sent". */
async function sentOnceAcrossStall(server: SpawnedServer, bob: WireClient, tty: TmuxSession, request: 'say' | 'dm'): Promise<void> {
  const how = SENT[request];
  await typedDuringStall(server, tty, how.typed('during the stall'), request);
  await tty.waitForText(how.shown('during the stall'));
  assert.equal((await bob.next(how.heard)).text, 'during the stall');
  await tty.enter(how.typed('after the stall'));
  assert.equal((await bob.next(how.heard)).text, 'after the stall');
  await tty.waitForText(how.shown('after the stall'));
  const printed = await rows(tty);
  assert.equal(printed.filter((row) => row === how.shown('during the stall')).length, 1, printed.join('\n'));
  assert.deepEqual(printed.filter((row) => /not sent/.test(row)), []);
}

test('a server stalled past --timeout while a line waits: the line is resolved by a reconnect and shown once, never "not sent"', { skip }, async (t) => {
  const { server, bob, tty } = await stallable(t, 2);
  await sentOnceAcrossStall(server, bob, tty, 'say');
});

test('a server stalled past --timeout while a /msg waits: the reconnect finds it in the conversation; stored, received and shown once, never "not sent"', { skip }, async (t) => {
  const { server, bob, tty } = await stallable(t, 2);
  // Alice has seen the conversation's seq (1) before she writes: her /msg is written at once.
  assert.equal(await dm(bob, 'alice', 'hi alice'), 1);
  // The conversation's window (3) opens unshown: Alt-3 shows it.
  await tty.waitForText('[3:bob 1] lobby>');
  await tty.keys('M-3');
  await tty.waitForText('[dm] bob → you: hi alice');
  await sentOnceAcrossStall(server, bob, tty, 'dm');
  const page = await bob.request({ type: 'dm_history', user: 'alice' });
  assert.deepEqual(page.type === 'dm_history' && page.messages.map((message) => `${message.seq} ${message.from}: ${message.text}`), ['1 bob: hi alice', '2 alice: during the stall', '3 alice: after the stall']);
});

test('a line typed while the server stalls shows as pending at once, then as said when the server answers', { skip }, async (t) => {
  const { server, bob, tty } = await stallable(t, 30);
  server.child.kill('SIGSTOP');
  let waited: number;
  try {
    const typed = Date.now();
    await tty.enter('slow line');
    await tty.waitForText('… pending: slow line');
    waited = Date.now() - typed;
  } finally {
    server.child.kill('SIGCONT');
  }
  assert.ok(waited < 3_000, `pending shown after ${waited} ms`);
  assert.equal((await bob.next('msg')).text, 'slow line');
  await tty.waitForText('alice: slow line');
  assert.deepEqual((await rows(tty)).filter((row) => /not sent|connection lost/.test(row)), []);
});

test('a /msg typed during an outage goes once alice is back, bob offline or not: the server stores it and bob finds it at his next sign-in', { skip }, async (t) => {
  const { tty, dataDir, port } = await aliceOffline(t);
  await tty.enter('/msg bob psst');
  await tty.waitForText('… pending: psst');
  const second = await startTestServer(t, { dataDir, port });
  await tty.waitForText('-- reconnected');
  await tty.waitForText('[dm] you → bob: psst');
  const bob = await WireClient.connect(t, second.port);
  await bob.next('welcome');
  assert.equal((await bob.request({ type: 'login', user: 'bob', password: TEST_PASSWORD })).type, 'auth_ok');
  const listed = await bob.request({ type: 'conversations' });
  assert.deepEqual(listed.type === 'conversations' && listed.conversations.map((c) => [c.user, c.unread]), [['alice', 1]]);
  const found = await bob.request({ type: 'dm_history', user: 'alice' });
  assert.deepEqual(found.type === 'dm_history' && found.messages.map((m) => `${m.from}: ${m.text}`), ['alice: psst']);
  assert.deepEqual((await rows(tty)).filter((row) => /not sent|not online/.test(row)), []);
});

test('/quit with lines pending says how many and asks once; no stays, and a second /quit leaves saying they were not sent', { skip }, async (t) => {
  const { tty } = await aliceOffline(t);
  await tty.enter('unsent one');
  await tty.enter('unsent two');
  await tty.waitForText('… pending: unsent two');
  await tty.enter('/quit');
  await tty.waitForText('2 messages not sent yet (pending). Quit anyway? [y/N]');
  await tty.enter('n');
  await tty.waitForText('still sending; /quit again leaves anyway');
  await tty.enter('/quit');
  const screen = await tty.waitForText(/\[exited \d+\]/);
  assert.match(screen, /! 2 messages not sent/, screen);
  assert.match(screen, /\[exited 0\]/, screen);
});

test('after /passwd, a reconnect signs in with the new password', { skip }, async (t) => {
  const dataDir = tempDir(t);
  const first = await startTestServer(t, { dataDir });
  const tty = await TmuxSession.start(t, await clientCommand(first.port, '--user', 'alice', '--register', '--group', 'lobby', '--create'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  await tty.enter('/passwd');
  await tty.waitForText('current password:');
  await tty.enter(TEST_PASSWORD);
  await tty.waitForText('new password:');
  await tty.enter('a brand new password');
  await tty.waitForText('repeat it:');
  await tty.enter('a brand new password');
  await tty.waitForText('-- password changed');
  await first.close();
  await tty.waitForText('-- connection lost');
  await startTestServer(t, { dataDir, port: first.port });
  await tty.waitForText('-- reconnected');
  assert.doesNotMatch((await rows(tty)).join('\n'), /wrong user name or password/);
});

test('a server that breaks the protocol after the join ends the client with one line, exit 1, and no reconnect', { skip }, async (t) => {
  let connections = 0;
  const port = await scriptedServer(t, {}, (request, connection) => {
    connections = connection.index;
    answerSignInAndJoin(request, connection);
    // After the join: a live message from a name that breaks the name rule.
    if (request['type'] === 'join') connection.send({ type: 'msg', group: 'g', seq: 1, from: 'bad name!', text: 'x', ts: Date.now() });
  });
  const tty = await TmuxSession.start(t, await clientCommand(port, '--user', 'alice', '--group', 'g'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  const screen = await tty.waitForText(/\[exited \d+\]/);
  assert.match(screen, /\[exited 1\]/, screen);
  assert.match(screen, /the server broke the protocol: .*giving up/, screen);
  assert.equal(connections, 1, 'no reconnect');
});

test('a server that cannot be reached is said before the user name or password is asked', { skip }, async (t) => {
  // A port nothing listens on: taken, then freed.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => probe.close(resolve));
  const tty = await TmuxSession.start(t, await clientCommand(port), {});
  const screen = await tty.waitForText(/\[exited \d+\]/);
  assert.match(screen, /cannot reach 127\.0\.0\.1:\d+/, screen);
  assert.doesNotMatch(screen, /user name:|password:/, screen);
});
