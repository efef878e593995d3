import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type TestContext, test } from 'node:test';
import { certificateFingerprint, generateDevCertificates } from '../../src/certs/dev-certs.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { expiredServerCertificate, getTestCertificates } from '../helpers/certs.js';
import { runClient } from '../helpers/client-process.js';
import { signedInClient, startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { plainTlsServer } from '../helpers/tls-server.js';

async function baseArgs(port: number): Promise<string[]> {
  const certs = await getTestCertificates();
  return ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath];
}

test('line mode: each input line is one message; end of input means exit', async (t) => {
  const server = await startTestServer(t);
  const reader = await signedInClient(t, server.port, 'reader', 'ops');
  const bot = runClient(t, [...await baseArgs(server.port), '--user', 'ci', '--register', '--group', 'ops', '--create'], { TERMSENDER_PASSWORD: TEST_PASSWORD });
  bot.child.stdin.end('deploy done\n\n  second line  \n');
  assert.equal(await bot.exited, 0, bot.stderr.join('\n'));
  const first = await reader.next('msg');
  const second = await reader.next('msg');
  assert.deepEqual([first.from, first.text, second.text], ['ci', 'deploy done', '  second line  ']);
  assert.equal((await reader.next('presence')).event, 'join');
  assert.equal((await reader.next('presence')).event, 'leave', 'exit leaves the group');
  assert.deepEqual(bot.stderr, [], 'a password from TERMSENDER_PASSWORD draws no warning');
});

test('--password on the command line works, with a warning that ps shows it', async (t) => {
  const server = await startTestServer(t);
  const reader = await signedInClient(t, server.port, 'reader', 'ops');
  const bot = runClient(t, [...await baseArgs(server.port), '--user', 'ci', '--password', TEST_PASSWORD, '--register', '--group', 'ops']);
  bot.child.stdin.end('hello\n');
  assert.equal(await bot.exited, 0, bot.stderr.join('\n'));
  assert.equal((await reader.next('msg')).text, 'hello');
  assert.equal(bot.stderr.length, 1);
  assert.match(bot.stderr[0]!, /warning: a password on the command line can be read by other users .*TERMSENDER_PASSWORD/);
});

test('line mode prints each received message as one plain line', async (t) => {
  const dataDir = tempDir(t);
  const store = SqliteStore.open(dataDir);
  const server = await startTestServer(t, { store, dataDir });
  const talker = await signedInClient(t, server.port, 'talker', 'room');
  await signedInClient(t, server.port, 'listener');
  const listener = runClient(t, [...await baseArgs(server.port), '--user', 'listener', '--password', TEST_PASSWORD, '--group', 'room']);
  await talker.next('presence');
  await talker.request({ type: 'say', text: 'multi\nline' });
  await talker.request({ type: 'dm', to: 'listener', text: 'psst' });
  assert.equal(await listener.line(/^\[room\]/), '[room] talker: multi line');
  assert.equal(await listener.line(/^\[dm\]/), '[dm] talker -> listener: psst');
  // An admin's notice (January addition): one line too.
  assert.equal(await store.accounts.setRole('talker', 'admin'), true);
  assert.equal((await talker.request({ type: 'notice', text: 'restart\nat noon' })).type, 'ok');
  assert.equal(await listener.line(/^\[notice\]/), '[notice] talker: restart at noon');
  listener.child.stdin.end();
  assert.equal(await listener.exited, 0);
});

test('line mode retries rate-limited lines: nothing is lost', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 5 } });
  const reader = await signedInClient(t, server.port, 'reader', 'fast');
  const bot = runClient(t, [...await baseArgs(server.port), '--user', 'bot', '--password', TEST_PASSWORD, '--register', '--group', 'fast']);
  bot.child.stdin.end(Array.from({ length: 25 }, (_, i) => `line ${i}`).join('\n'));
  assert.equal(await bot.exited, 0, bot.stderr.join('\n'));
  const texts: string[] = [];
  for (let i = 0; i < 25; i++) texts.push((await reader.next('msg')).text);
  assert.deepEqual(texts, Array.from({ length: 25 }, (_, i) => `line ${i}`));
});

test('line mode: wrong password, missing flags and oversized lines fail with a message and a status', async (t) => {
  const server = await startTestServer(t);
  await signedInClient(t, server.port, 'owner', 'g');
  const wrong = runClient(t, [...await baseArgs(server.port), '--user', 'owner', '--password', 'not it', '--group', 'g']);
  wrong.child.stdin.end('x\n');
  assert.equal(await wrong.exited, 1);
  assert.match(wrong.stderr.join('\n'), /wrong user name or password/);
  const missing = runClient(t, [...await baseArgs(server.port), '--user', 'owner']);
  missing.child.stdin.end();
  assert.equal(await missing.exited, 2);
  assert.match(missing.stderr.join('\n'), /needs --user, --password .* and --group/);
  const long = runClient(t, [...await baseArgs(server.port), '--user', 'owner', '--password', TEST_PASSWORD, '--group', 'g']);
  long.child.stdin.end(`${'x'.repeat(5000)}\nshort\n`);
  assert.equal(await long.exited, 1);
  assert.match(long.stderr.join('\n'), /line 1 not sent: text is over 4096 bytes/);
});

/** A plain TLS server that records whether a client ever wrote a byte. */
async function recordingServer(t: TestContext, cert: string, key: string) {
  const received: Buffer[] = [];
  const port = await plainTlsServer(t, { cert, key }, (socket) => socket.on('data', (chunk: Buffer) => received.push(chunk)));
  return { port, received };
}

test('certificate failures end the client with one clear line, status 3, and nothing sent', async (t) => {
  const certs = await getTestCertificates();
  const target = await recordingServer(t, certs.serverCert, certs.serverKey);
  const common = ['--port', String(target.port), '--user', 'u', '--group', 'g'];
  const expectations: Array<[string[], RegExp]> = [
    [['--host', '127.0.0.1', '--ca', certs.rogue.caPath], /certificate check failed: the server certificate is not signed by the CA in/],
    [['--host', '127.0.0.1', '--fingerprint', 'AB'.repeat(32)], /certificate check failed: fingerprint mismatch: expected AB:AB/],
    [['--host', '127.0.0.1', '--ca', certs.caPath, '--fingerprint', 'ab'.repeat(32)], /fingerprint mismatch/],
    [['--host', '127.0.0.1', '--ca', '/nonexistent/ca.crt'], /cannot read CA file \/nonexistent\/ca.crt \(ENOENT\)/],
  ];
  for (const [args, pattern] of expectations) {
    const client = runClient(t, [...common, ...args], { TERMSENDER_PASSWORD: TEST_PASSWORD });
    client.child.stdin.end('secret message\n');
    assert.equal(await client.exited, 3, args.join(' '));
    const lines = client.stderr.filter((line) => line.trim() !== '');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, pattern);
  }
  assert.equal(Buffer.concat(target.received).length, 0, 'no byte reached the server');
});

test('an expired certificate is refused as expired, with a CA and with a pinned fingerprint', async (t) => {
  const certs = await getTestCertificates();
  const expired = expiredServerCertificate(certs);
  const target = await recordingServer(t, expired, certs.serverKey);
  const common = ['--host', '127.0.0.1', '--port', String(target.port), '--user', 'u', '--group', 'g'];
  for (const args of [['--ca', certs.caPath], ['--fingerprint', certificateFingerprint(expired)]]) {
    const client = runClient(t, [...common, ...args], { TERMSENDER_PASSWORD: TEST_PASSWORD });
    client.child.stdin.end('secret message\n');
    assert.equal(await client.exited, 3, args.join(' '));
    const lines = client.stderr.filter((line) => line.trim() !== '');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^termsender: certificate check failed: the server certificate has expired/);
  }
  assert.equal(Buffer.concat(target.received).length, 0, 'no byte reached the server');
});

test('a certificate for other names is refused, naming the names it holds', async (t) => {
  const dir = tempDir(t);
  const { files } = await generateDevCertificates({ outDir: dir, hosts: ['chat.example'], days: 1, force: false });
  const target = await recordingServer(t, readFileSync(files['server.crt'], 'utf8'), readFileSync(files['server.key'], 'utf8'));
  const client = runClient(t, ['--host', '127.0.0.1', '--port', String(target.port), '--ca', files['ca.crt'], '--user', 'u', '--password', 'p', '--group', 'g']);
  client.child.stdin.end();
  assert.equal(await client.exited, 3);
  assert.match(client.stderr.join('\n'), /certificate is for DNS:chat\.example, not for '127\.0\.0\.1'/);
});

test('a pinned fingerprint alone is enough when it matches', async (t) => {
  const certs = await getTestCertificates();
  const server = await startTestServer(t);
  const reader = await signedInClient(t, server.port, 'reader', 'pinned');
  const bot = runClient(t, ['--host', '127.0.0.1', '--port', String(server.port), '--fingerprint', certs.serverFingerprint.replace(/:/g, '').toLowerCase(),
    '--user', 'pin', '--password', TEST_PASSWORD, '--register', '--group', 'pinned']);
  bot.child.stdin.end('pinned hello\n');
  assert.equal(await bot.exited, 0, bot.stderr.join('\n'));
  assert.equal((await reader.next('msg')).text, 'pinned hello');
});
