/**
 * What a client on the network could do to the server: half-open handshakes,
 * input after the server decided to close, TLS renegotiation, a pipelined
 * burst of costly requests. Each test failed on the server before its fix.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import tls from 'node:tls';
import { FrameEncoder } from '../../src/protocol/frame.js';
import { getTestCertificates } from '../helpers/certs.js';
import { signedInClient, startTestServer } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

function rawConnection(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // a reset is one way of being closed
  return once(socket, 'connect').then(() => socket);
}

test('half-open TLS connections are closed at the handshake timeout: silent, half a ClientHello, a byte now and then', { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t, { limits: { handshakeTimeoutMs: 300 } });
  const silent = await rawConnection(server.port);
  const halfHello = await rawConnection(server.port);
  halfHello.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
  const dripping = await rawConnection(server.port);
  // One byte every 50 ms keeps an idle timer alive forever; a deadline is a deadline.
  const drip = setInterval(() => dripping.write(Buffer.from([0x16])), 50);
  t.after(() => {
    clearInterval(drip);
    for (const socket of [silent, halfHello, dripping]) socket.destroy();
  });
  await Promise.all([once(silent, 'close'), once(halfHello, 'close'), once(dripping, 'close')]);
  clearInterval(drip);
  const client = await WireClient.connect(t, server.port);
  assert.equal((await client.next('welcome')).type, 'welcome', 'a real client still gets in');
});

test('connections still shaking hands count against the connection limit', { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t, { limits: { maxConnections: 2, handshakeTimeoutMs: 60_000 } });
  const holding: net.Socket[] = [];
  t.after(() => {
    for (const socket of holding) socket.destroy();
  });
  // The limit, plus the sockets allowed a handshake only to hear server_busy (64).
  for (let i = 0; i < 2 + 64; i++) holding.push(await rawConnection(server.port));
  const refused = await rawConnection(server.port);
  holding.push(refused);
  await once(refused, 'close'); // closed at once, long before the handshake timeout
});

test('input sent after the server decided to close is not read: the sender is cut', { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t);
  const certs = await getTestCertificates();
  // Half-open: the client keeps writing after the server's end, as an attacker would.
  const halfOpen: tls.ConnectionOptions & { allowHalfOpen: boolean } = { host: '127.0.0.1', port: server.port, servername: 'localhost', ca: certs.ca, allowHalfOpen: true };
  const socket = tls.connect(halfOpen);
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  t.after(() => socket.destroy());
  await once(socket, 'secureConnect');
  socket.write(new FrameEncoder().encode({ type: 'bye' }));
  let open = true;
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    open = false;
    resolve();
  }));
  const drained = () => new Promise<void>((resolve) => socket.once('drain', resolve));
  const junk = Buffer.alloc(1024 * 1024, 0x41);
  let written = 0;
  while (open && written < 256 * 1024 * 1024) {
    written += junk.length;
    if (!socket.write(junk)) await Promise.race([drained(), closed]);
  }
  await closed;
  // Kernel buffers on loopback hold a few MB; a server that kept reading took hundreds.
  assert.ok(written < 32 * 1024 * 1024, `the server stopped reading (${Math.round(written / 1024 / 1024)} MB written)`);
});

test('TLS 1.2 renegotiation initiated by the client is refused', { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t, { tlsMinVersion: 'TLSv1.2' });
  const certs = await getTestCertificates();
  // TLS over a stream of our own: a client in the middle of a renegotiation does not
  // report the server's close, the TCP socket underneath does.
  const tcp = await rawConnection(server.port);
  const socket = tls.connect({ socket: Duplex.from({ readable: tcp, writable: tcp }), servername: 'localhost', ca: certs.ca, maxVersion: 'TLSv1.2' });
  socket.on('error', () => undefined);
  t.after(() => socket.destroy());
  await once(socket, 'secureConnect');
  assert.equal(socket.getProtocol(), 'TLSv1.2');
  const outcome = await new Promise<string>((resolve) => {
    tcp.once('close', () => resolve('closed'));
    const started = socket.renegotiate({}, (error) => resolve(error ? 'refused' : 'renegotiated'));
    if (!started) resolve('refused');
  });
  assert.notEqual(outcome, 'renegotiated');
});

test('replies leave in request order: rate_limited does not overtake earlier acks', { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 1 } });
  const alice = await signedInClient(t, server.port, 'alice', 'order');
  for (let id = 1; id <= 6; id++) alice.send({ type: 'say', text: `m${id}`, id });
  const order: number[] = [];
  for (let i = 0; i < 6; i++) {
    const reply = await alice.next((message) => 'id' in message && typeof message.id === 'number');
    order.push('id' in reply && typeof reply.id === 'number' ? reply.id : -1);
  }
  assert.deepEqual(order, [1, 2, 3, 4, 5, 6]);
});

test('a pipelined burst of costly joins neither stalls another user nor gets its reader cut', { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const writer = await signedInClient(t, server.port, 'writer', 'big');
  const text = 'x'.repeat(4000);
  for (let sent = 0; sent < 1000; sent += 100) {
    await Promise.all(Array.from({ length: 100 }, () => writer.request({ type: 'say', text })));
  }
  const heavy = await signedInClient(t, server.port, 'heavy');
  const bystander = await signedInClient(t, server.port, 'bystander');
  const joins = 400;
  let joined = 0;
  const allJoined = new Promise<void>((resolve, reject) => {
    heavy.socket.on('data', () => {
      joined += heavy.take('joined').length;
      if (heavy.take('error').length > 0) reject(new Error('the reader was cut off'));
      if (joined === joins) resolve();
    });
    void heavy.closed.then(() => reject(new Error(`closed after ${joined} of ${joins} joins: ${JSON.stringify(heavy.inbox)}`)));
  });
  for (let i = 0; i < joins; i++) heavy.send({ type: 'join', group: 'big', since: 0 });
  await once(heavy.socket, 'data'); // the burst is being answered
  await bystander.sync();
  const joinedWhenAnswered = joined;
  await allJoined;
  assert.ok(joinedWhenAnswered < joins / 2, `the bystander's ping was answered while the burst ran (after ${joinedWhenAnswered} of ${joins})`);
});

test('handshakes under way count against the per-address limit', { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t, { limits: { maxPerIp: 2, ipLimitExempt: [], handshakeTimeoutMs: 60_000 } });
  const silent = [await rawConnection(server.port), await rawConnection(server.port)];
  t.after(() => {
    for (const socket of silent) socket.destroy();
  });
  const third = await WireClient.connect(t, server.port);
  const refusal = await third.next('error');
  assert.equal(refusal.code, 'server_busy');
  assert.match(refusal.message ?? '', /per-address limit 2/);
  const elsewhere = await WireClient.connect(t, server.port, { localAddress: '127.0.0.2' });
  assert.equal((await elsewhere.next('welcome')).type, 'welcome', 'another address is not affected');
});
