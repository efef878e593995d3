/** Line mode across a server restart: reconnects for --reconnect-for seconds, each line arrives exactly once, then gives up clearly. */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { runClient } from '../helpers/client-process.js';
import { answerSignInAndJoin, scriptedServer } from '../helpers/scripted-server.js';
import { signedInClient, spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

async function clientArgs(port: number, ...more: string[]): Promise<string[]> {
  const certs = await getTestCertificates();
  return ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, ...more];
}

/** Stops a spawned server as an operator would (SIGTERM), and waits for it to exit. */
async function stop(server: { child: { kill(signal: NodeJS.Signals): boolean }; exited: Promise<unknown> }): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

/** Everything stored in `group`, oldest first, read by a fresh client. */
async function storedTexts(t: TestContext, port: number, group: string): Promise<string[]> {
  const reader = await WireClient.connect(t, port);
  await reader.next('welcome');
  assert.equal((await reader.request({ type: 'login', user: 'reader', password: TEST_PASSWORD })).type, 'auth_ok');
  const joined = await reader.request({ type: 'join', group, since: 0 });
  assert.equal(joined.type, 'joined');
  assert.equal(joined.type === 'joined' && joined.more, false);
  return joined.type === 'joined' ? joined.history.filter((message) => message.from === 'bot').map((message) => message.text) : [];
}

test('line mode: the server restarts in the middle; every line arrives exactly once, in order, and the exit status is 0', async (t) => {
  const data = tempDir(t);
  // First start on port 0 to learn a free port; then stop it and use that port for good.
  const probe = await spawnServer(t, ['--data', data]);
  const port = probe.port;
  await stop(probe);
  const first = await spawnServer(t, ['--data', data, '--port', String(port)]);
  const reader = await signedInClient(t, port, 'reader', 'ops');
  const bot = runClient(t, await clientArgs(port, '--user', 'bot', '--register', '--group', 'ops', '--create', '--reconnect-for', '30'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  bot.child.stdin.write('line 1\nline 2\nline 3\n');
  for (const text of ['line 1', 'line 2', 'line 3']) assert.equal((await reader.next('msg')).text, text);

  await stop(first);
  await bot.errorLine(/^connection lost/);
  await bot.errorLine(/^reconnecting \(for up to 30 s\)/);
  // Typed while no server runs: they wait.
  bot.child.stdin.write('line 4\nline 5\n');
  await spawnServer(t, ['--data', data, '--port', String(port)]);
  await bot.errorLine(/^reconnected$/);
  bot.child.stdin.end('line 6\n');
  assert.equal(await bot.exited, 0, bot.stderr.join('\n'));
  assert.deepEqual(await storedTexts(t, port, 'ops'), ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
  assert.deepEqual(bot.stderr.filter((line) => /not sent/.test(line)), []);
});

test('line mode: a line stored whose ack was lost in the drop is found on the rejoin and not sent again', async (t) => {
  const says: string[] = [];
  const port = await scriptedServer(t, {}, (request, connection) => {
    const id = request['id'];
    if (request['type'] === 'say') {
      says.push(`${connection.index}: ${String(request['text'])}`);
      // The first line is stored (seq 1), and the connection drops before its ack.
      if (connection.index === 1) connection.socket.destroy();
      else connection.send({ type: 'ack', id, seq: 2, ts: Date.now() });
      return;
    }
    if (request['type'] === 'join' && connection.index > 1) {
      assert.equal(request['since'], 0, 'since the last seq seen before the unacked line');
      connection.send({ type: 'joined', id, group: 'ops', members: ['bot'], last_seq: 1, more: false,
        history: [{ group: 'ops', seq: 1, from: 'bot', text: 'stored, ack lost', ts: Date.now() }] });
      return;
    }
    answerSignInAndJoin(request, connection);
  });
  const bot = runClient(t, await clientArgs(port, '--user', 'bot', '--password', TEST_PASSWORD, '--group', 'ops', '--reconnect-for', '20'));
  bot.child.stdin.end('stored, ack lost\nafter it\n');
  assert.equal(await bot.exited, 0, bot.stderr.join('\n'));
  assert.deepEqual(says, ['1: stored, ack lost', '2: after it']);
  assert.deepEqual(bot.stdout, [], 'its own line is not printed as received');
});

test('line mode: a line whose ack was lost and that was not stored is sent again, once', async (t) => {
  const says: string[] = [];
  const port = await scriptedServer(t, {}, (request, connection) => {
    if (request['type'] === 'say') {
      says.push(`${connection.index}: ${String(request['text'])}`);
      if (connection.index === 1) connection.socket.destroy();
      else connection.send({ type: 'ack', id: request['id'], seq: says.length, ts: Date.now() });
      return;
    }
    answerSignInAndJoin(request, connection);
  });
  const bot = runClient(t, await clientArgs(port, '--user', 'bot', '--password', TEST_PASSWORD, '--group', 'ops', '--reconnect-for', '20'));
  bot.child.stdin.end('lost\nnext\n');
  assert.equal(await bot.exited, 0, bot.stderr.join('\n'));
  assert.deepEqual(says, ['1: lost', '2: lost', '2: next']);
});

test('line mode: with no server back in time it gives up with one line saying how long it tried, exit 1; --reconnect-for 0 does not try', async (t) => {
  const data = tempDir(t);
  const server = await spawnServer(t, ['--data', data]);
  const reader = await signedInClient(t, server.port, 'reader', 'ops');
  const bot = runClient(t, await clientArgs(server.port, '--user', 'bot', '--register', '--group', 'ops'), { TERMSENDER_PASSWORD: TEST_PASSWORD, TERMSENDER_RECONNECT_FOR: '2' });
  const off = runClient(t, await clientArgs(server.port, '--user', 'bot2', '--register', '--group', 'ops', '--reconnect-for', '0'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  bot.child.stdin.write('first\n');
  off.child.stdin.write('first\n');
  // Both acked before the server stops.
  assert.equal((await reader.next('msg')).text, 'first');
  assert.equal((await reader.next('msg')).text, 'first');
  await stop(server);
  await bot.errorLine(/^connection lost/);
  bot.child.stdin.write('second\n');
  const started = Date.now();
  assert.equal(await bot.exited, 1);
  const waited = Date.now() - started;
  const last = bot.stderr.at(-1) ?? '';
  assert.match(last, /^connection lost; tried to reconnect for 2 s, in vain \(last try: .*\); line 2 and after not sent$/, bot.stderr.join('\n'));
  assert.ok(waited < 10_000, `gave up after ${waited} ms`);
  await off.errorLine(/^connection lost/);
  off.child.stdin.end('second\n');
  assert.equal(await off.exited, 1);
  assert.ok(off.stderr.some((line) => /line 2 not sent: not connected/.test(line)), off.stderr.join('\n'));
  assert.ok(!off.stderr.some((line) => /reconnecting/.test(line)), off.stderr.join('\n'));
});

test('line mode: a server that stalls (SIGSTOP) past --timeout while a line waits for its ack: the line is resolved by a reconnect, never "not sent"; each line stored once, exit 0', async (t) => {
  const data = tempDir(t);
  const server = await spawnServer(t, ['--data', data]);
  const reader = await signedInClient(t, server.port, 'reader', 'ops');
  const bot = runClient(t, await clientArgs(server.port, '--user', 'bot', '--register', '--group', 'ops', '--timeout', '2', '--reconnect-for', '30'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  bot.child.stdin.write('lm first\n');
  assert.equal((await reader.next('msg')).text, 'lm first');
  server.child.kill('SIGSTOP');
  try {
    bot.child.stdin.write('lm second\n');
    await bot.errorLine(/^connection lost: the server stopped answering \(no reply to 'say' within 2 s\)$/);
  } finally {
    server.child.kill('SIGCONT');
  }
  await bot.errorLine(/^reconnected$/);
  bot.child.stdin.end('lm third\n');
  assert.equal(await bot.exited, 0, bot.stderr.join('\n'));
  assert.deepEqual(await storedTexts(t, server.port, 'ops'), ['lm first', 'lm second', 'lm third']);
  assert.deepEqual(bot.stderr.filter((line) => /not sent/.test(line)), []);
});

test('line mode: a server that breaks the protocol after the join ends the client, exit 1, without reconnecting', { timeout: 30_000 }, async (t) => {
  let connections = 0;
  const port = await scriptedServer(t, {}, (request, connection) => {
    connections = connection.index;
    if (request['type'] === 'join') {
      answerSignInAndJoin(request, connection);
      // A live message from a name that breaks the name rule.
      connection.send({ type: 'msg', group: 'ops', seq: 1, from: 'bad name!', text: 'x', ts: Date.now() });
      return;
    }
    answerSignInAndJoin(request, connection);
  });
  const bot = runClient(t, await clientArgs(port, '--user', 'bot', '--password', TEST_PASSWORD, '--group', 'ops', '--reconnect-for', '20'));
  assert.equal(await bot.exited, 1, bot.stderr.join('\n'));
  assert.equal(connections, 1, 'no reconnect');
  assert.match(bot.stderr.join('\n'), /the server broke the protocol: /);
});

test('line mode: a line left unanswered and no reconnect in time: it is said to be perhaps sent (not known), never "not sent"', { timeout: 30_000 }, async (t) => {
  const port = await scriptedServer(t, {}, (request, connection) => {
    // Later connections are cut at once: the reconnect never succeeds.
    if (connection.index > 1) connection.socket.destroy();
    else if (request['type'] !== 'say') answerSignInAndJoin(request, connection);
  });
  const bot = runClient(t, await clientArgs(port, '--user', 'bot', '--password', TEST_PASSWORD, '--group', 'ops', '--timeout', '1', '--reconnect-for', '2'));
  bot.child.stdin.end('unanswered\nnever written\n');
  assert.equal(await bot.exited, 1, bot.stderr.join('\n'));
  assert.match(bot.stderr.at(-1) ?? '', /; line 1 perhaps sent \(not known\), the lines after it not sent$/, bot.stderr.join('\n'));
  assert.deepEqual(bot.stderr.filter((line) => /line 1 not sent|line 1 and after not sent/.test(line)), []);
});
