import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { getTestCertificates } from '../helpers/certs.js';
import { TestClock } from '../helpers/clock.js';
import { signedInClient, startTestServer, TEST_PASSWORD } from '../helpers/server.js';
import { expectError, WireClient } from '../helpers/wire-client.js';

/** How long a slow consumer's client waits, after its cut, before it reads. */
const SLOW_READER_DELAY_MS = 3_000;

test('rate limit: messages over the bucket get rate_limited, are dropped, and the connection stays', async (t) => {
  const clock = new TestClock(); // stands still unless advanced: no refill during a burst, however slow the machine
  const server = await startTestServer(t, { limits: { rateLimit: 5 }, clock });
  const alice = await signedInClient(t, server.port, 'alice', 'r');
  const bob = await signedInClient(t, server.port, 'bob', 'r');
  const burst = async (count: number) => {
    const replies = await Promise.all(Array.from({ length: count }, (_, i) => alice.request({ type: 'say', text: `${i}` })));
    const acked = replies.filter((reply) => reply.type === 'ack').length;
    const limited = replies.filter((reply) => reply.type === 'error' && reply.code === 'rate_limited').length;
    assert.equal(acked + limited, count);
    return acked;
  };
  assert.equal(await burst(30), 10, 'a burst of twice the rate, then nothing until time passes');
  clock.advance(1_000);
  assert.equal(await burst(30), 5, 'one second refills the rate');
  await bob.sync();
  assert.equal(bob.take('msg').length, 15, 'limited messages are not delivered');
  assert.equal((await alice.request({ type: 'ping' })).type, 'pong');
});

test('query pacing: requests that read much are slowed, never refused, and every one is answered', async (t) => {
  const server = await startTestServer(t, { limits: { queryRate: 10 } });
  const alice = await signedInClient(t, server.port, 'alice', 'q');
  const started = performance.now();
  // A burst of 20 (twice the rate) passes at once; the 20 after it come at 10 per second.
  const replies = await Promise.all(Array.from({ length: 40 }, () => alice.request({ type: 'who' })));
  const elapsedMs = performance.now() - started;
  assert.ok(replies.every((reply) => reply.type === 'members'), 'no error, no refusal');
  assert.ok(elapsedMs >= 1_500, `the requests beyond the burst were paced (${Math.round(elapsedMs)} ms for 20 at 10/s)`);
  assert.equal((await alice.request({ type: 'say', text: 'messages are not paced by it' })).type, 'ack');
});

test('max groups: one more gets limit_reached, the connection stays, the existing groups work', async (t) => {
  const server = await startTestServer(t, { limits: { maxGroups: 2 } });
  const alice = await signedInClient(t, server.port, 'alice', 'first');
  assert.equal((await alice.request({ type: 'create_group', group: 'second' })).type, 'group_created');
  const refused = expectError(await alice.request({ type: 'create_group', group: 'third' }), 'limit_reached');
  assert.match(refused.message ?? '', /2 groups/);
  const groups = await alice.request({ type: 'list_groups' });
  assert.deepEqual(groups.type === 'groups' && groups.groups.map((group) => group.name), ['first', 'second']);
  assert.equal((await alice.request({ type: 'join', group: 'second' })).type, 'joined');
  expectError(await alice.request({ type: 'create_group', group: 'FIRST' }), 'group_exists');
});

test('a slow consumer is cut off with slow_consumer while others get everything', async (t) => {
  const maxPendingOutput = 256 * 1024;
  const server = await startTestServer(t, { limits: { rateLimit: 0, maxPendingOutput } });
  const sender = await signedInClient(t, server.port, 'sender', 'flood');
  const healthy = await signedInClient(t, server.port, 'healthy', 'flood');
  const slow = await signedInClient(t, server.port, 'slow', 'flood');
  slow.socket.pause(); // reads nothing: the kernel buffers fill, then the server's queue
  const text = 'x'.repeat(4000);
  const total = 3000; // ~12 MB: more than loopback buffers plus the bound
  for (let sent = 0; sent < total; sent += 100) {
    await Promise.all(Array.from({ length: 100 }, () => sender.request({ type: 'say', text })));
  }
  // Every say is acknowledged, so every delivery was attempted: the slow one was cut meanwhile.
  await healthy.next((message) => message.type === 'presence' && message.user === 'slow' && message.event === 'leave');
  // Time is the input here: the client reads only after the 2 s within which a closing
  // connection's unsent output must be taken (the backlog, dropped, does not wait for it).
  await sleep(SLOW_READER_DELAY_MS);
  slow.socket.resume();
  await slow.closed;
  for (let i = 0; i < total; i++) await healthy.next('msg');
  // A client that reads after the cut gets the slow_consumer error as its last frame.
  assert.equal(slow.inbox.at(-1)?.type, 'error', `last of ${slow.inbox.length} frames`);
  assert.deepEqual(slow.take('error').map((e) => e.code), ['slow_consumer']);
  assert.ok(slow.take('msg').length < total, 'the slow consumer stopped getting messages');
  assert.equal((await sender.request({ type: 'ping' })).type, 'pong');
});

test('auth_timeout closes a connection that does not sign in', async (t) => {
  const server = await startTestServer(t, { limits: { authTimeoutMs: 200 } });
  const client = await WireClient.connect(t, server.port);
  await client.next('welcome');
  expectError(await client.next('error'), 'auth_timeout');
  await client.closed;
});

test('idle_timeout closes a signed-in connection that sends no frame', async (t) => {
  const server = await startTestServer(t, { limits: { idleTimeoutMs: 300 } });
  const client = await signedInClient(t, server.port, 'idler');
  expectError(await client.next('error'), 'idle_timeout');
  await client.closed;
});

test('max connections: one more gets server_busy and is closed', async (t) => {
  const server = await startTestServer(t, { limits: { maxConnections: 2 } });
  const first = await WireClient.connect(t, server.port);
  const second = await WireClient.connect(t, server.port);
  await Promise.all([first.next('welcome'), second.next('welcome')]);
  const third = await WireClient.connect(t, server.port);
  expectError(await third.next('error'), 'server_busy');
  await third.closed;
  first.destroy();
  await first.closed;
  // The server learns of the close a moment after the client: try a bounded number of times.
  let fourth: WireClient | undefined;
  for (let attempt = 0; attempt < 50 && fourth === undefined; attempt++) {
    const candidate = await WireClient.connect(t, server.port);
    const first = await candidate.next(() => true);
    if (first.type === 'welcome') fourth = candidate;
    else await candidate.closed;
  }
  assert.ok(fourth, 'a freed slot is usable again');
});

test('framing errors: frame_too_large and bad_frame close that connection only', async (t) => {
  const server = await startTestServer(t, { limits: { maxFrame: 1024 } });
  const bystander = await signedInClient(t, server.port, 'bystander', 'g');
  const cases: Array<[string, Buffer, string]> = [
    ['4 GiB prefix', Buffer.from([0xff, 0xff, 0xff, 0xff]), 'frame_too_large'],
    ['zero length', Buffer.from([0, 0, 0, 0]), 'frame_too_large'],
    ['just over max_frame', Buffer.from([0, 0, 0x04, 0x01]), 'frame_too_large'],
    ['not msgpack', Buffer.from([0, 0, 0, 1, 0xc1]), 'bad_frame'],
    ['an array', Buffer.from([0, 0, 0, 2, 0x91, 0x01]), 'bad_frame'],
    ['trailing bytes', Buffer.from([0, 0, 0, 2, 0x80, 0x01]), 'bad_frame'],
    ['integer key', Buffer.from([0, 0, 0, 3, 0x81, 0x01, 0x01]), 'bad_frame'],
  ];
  for (const [name, bytes, code] of cases) {
    const client = await WireClient.connect(t, server.port);
    await client.next('welcome');
    client.sendRaw(bytes);
    assert.equal((await client.next('error')).code, code, name);
    await client.closed;
  }
  assert.equal((await bystander.request({ type: 'ping' })).type, 'pong');
});

test('a string that is not valid UTF-8 gets bad_message and is not relayed', async (t) => {
  const server = await startTestServer(t);
  const alice = await signedInClient(t, server.port, 'alice', 'u');
  const bob = await signedInClient(t, server.port, 'bob', 'u');
  // {type:'say', id:9, text:<c1 81>} by hand: an overlong 'A'.
  const body = Buffer.from([0x83, 0xa4, ...Buffer.from('type'), 0xa3, ...Buffer.from('say'), 0xa2, ...Buffer.from('id'), 0x09,
    0xa4, ...Buffer.from('text'), 0xa2, 0xc1, 0x81]);
  const frame = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
  alice.sendRaw(frame);
  const error = expectError(await alice.next('error'), 'bad_message');
  assert.equal(error.id, 9);
  await bob.sync();
  assert.equal(bob.take('msg').length, 0);
  assert.equal((await alice.request({ type: 'say', text: 'ok' })).type, 'ack');
});

test('mutual TLS: only clients with a certificate from --client-ca reach AUTH', async (t) => {
  const certs = await getTestCertificates();
  const server = await startTestServer(t, { clientCa: certs.ca });
  const withCert = await WireClient.connect(t, server.port, { cert: certs.clientCert, key: certs.clientKey });
  await withCert.next('welcome');
  assert.equal((await withCert.request({ type: 'login', user: 'x', password: TEST_PASSWORD })).type, 'error');
  for (const options of [{}, { cert: certs.rogue.clientCert, key: certs.rogue.clientKey }]) {
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: certs.ca, ...options });
    socket.on('data', () => assert.fail('no frame may reach a client without a valid certificate'));
    const [error] = await Promise.race([once(socket, 'error'), once(socket, 'close').then(() => [new Error('closed')])]);
    assert.ok(error instanceof Error);
    socket.destroy();
  }
});

test('TLS 1.2 is refused by default and accepted with tlsMinVersion 1.2', async (t) => {
  const certs = await getTestCertificates();
  const strict = await startTestServer(t);
  const old = tls.connect({ host: '127.0.0.1', port: strict.port, servername: 'localhost', ca: certs.ca, maxVersion: 'TLSv1.2' });
  const [error] = await once(old, 'error');
  assert.ok(error instanceof Error);
  const lenient = await startTestServer(t, { tlsMinVersion: 'TLSv1.2' });
  const ok = tls.connect({ host: '127.0.0.1', port: lenient.port, servername: 'localhost', ca: certs.ca, maxVersion: 'TLSv1.2' });
  t.after(() => ok.destroy());
  await once(ok, 'secureConnect');
  assert.equal(ok.getProtocol(), 'TLSv1.2');
  assert.match(ok.getCipher().name, /GCM|CHACHA20/);
});
