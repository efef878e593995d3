/**
 * Input after the server decided to close: whatever the trigger (`bye`, a
 * timeout, the account disabled), a client that goes on sending valid frames
 * gets at most about one `max_frame` more read, then a reset. Before the fix
 * the socket stayed paused after `bye` while TLS read on: gigabytes in 2 s.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type TestContext, test } from 'node:test';
import tls from 'node:tls';
import { FrameDecoder, FrameEncoder } from '../../src/protocol/frame.js';
import { ALPN_PROTOCOL } from '../../src/protocol/limits.js';
import { parseServerMessage } from '../../src/protocol/server-message-parse.js';
import { getTestCertificates } from '../helpers/certs.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { TEST_PASSWORD, signedInClient, startTestServer, tempDir } from '../helpers/server.js';

/** Loopback kernel buffers on both sides plus TLS records: what a client can write before the server's reset reaches it. */
const WRITE_BOUND = 24 * 1024 * 1024;
/** Far below the close grace (2 s) that ended such a connection before the fix. */
const RESET_BOUND_MS = 1_000;

/** 1 MB of `ping` frames, as a flooding client would send them. */
function pingFlood(): Buffer {
  const ping = new FrameEncoder().encode({ type: 'ping' });
  return Buffer.concat(Array.from({ length: Math.ceil(1024 * 1024 / ping.length) }, () => ping));
}

interface FloodResult {
  /** Bytes the client wrote before the server reset the connection. */
  written: number;
  /** From `started` to the reset. */
  elapsedMs: number;
}

/** Writes `ping` frames as fast as the socket takes them until the server closes it. */
async function floodUntilClosed(socket: tls.TLSSocket, startedAt: number): Promise<FloodResult> {
  let open = true;
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    open = false;
    resolve();
  }));
  const drained = (): Promise<void> => new Promise((resolve) => socket.once('drain', resolve));
  const chunk = pingFlood();
  let written = 0;
  while (open && written < 1024 * 1024 * 1024) {
    written += chunk.length;
    if (!socket.write(chunk)) await Promise.race([drained(), closed]);
  }
  await closed;
  return { written, elapsedMs: performance.now() - startedAt };
}

interface HalfOpenClient {
  socket: tls.TLSSocket;
  /** Resolves when a message of this type has arrived. */
  received(type: string): Promise<void>;
}

/** A raw TLS client that keeps writing after the server's end, as an attacker would. */
async function halfOpenClient(t: TestContext, port: number): Promise<HalfOpenClient> {
  const certs = await getTestCertificates();
  const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
    host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, ALPNProtocols: [ALPN_PROTOCOL], allowHalfOpen: true,
  };
  const socket = tls.connect(options);
  socket.on('error', () => undefined); // a reset is the expected end
  const decoder = new FrameDecoder({ maxFrame: 1024 * 1024 });
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
    for (let body = decoder.next(); body !== undefined; body = decoder.next()) {
      const { type } = parseServerMessage(body);
      seen.add(type);
      waiters.get(type)?.();
    }
  });
  t.after(() => socket.destroy());
  await once(socket, 'secureConnect');
  const received = (type: string): Promise<void> => seen.has(type) ? Promise.resolve() : new Promise((resolve) => waiters.set(type, resolve));
  return { socket, received };
}

function assertCut(t: TestContext, result: FloodResult, trigger: string): void {
  t.diagnostic(`${trigger}: reset after ${Math.round(result.elapsedMs)} ms, ${(result.written / 1024 / 1024).toFixed(1)} MB written`);
  assert.ok(result.written < WRITE_BOUND, `${trigger}: the server read on (${Math.round(result.written / 1024 / 1024)} MB written)`);
  assert.ok(result.elapsedMs < RESET_BOUND_MS, `${trigger}: reset after ${Math.round(result.elapsedMs)} ms (${Math.round(result.written / 1024 / 1024)} MB written)`);
}

test('bye, then a flood of pings: the server reads at most about a frame more, then resets', { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t);
  const { socket } = await halfOpenClient(t, server.port);
  const encoder = new FrameEncoder();
  socket.write(encoder.encode({ type: 'bye' }));
  assertCut(t, await floodUntilClosed(socket, performance.now()), 'bye');
  // The same after a signed-in session's bye, pipelined right behind requests.
  const { socket: signedIn } = await halfOpenClient(t, server.port);
  signedIn.write(encoder.encode({ type: 'register', user: 'flooder', password: TEST_PASSWORD }));
  const ping = encoder.encode({ type: 'ping' });
  signedIn.write(Buffer.concat([...Array.from({ length: 100 }, () => ping), encoder.encode({ type: 'bye' })]));
  assertCut(t, await floodUntilClosed(signedIn, performance.now()), 'bye after pings');
});

test('auth_timeout, then a flood of pings: cut the same way', { timeout: 30_000 }, async (t) => {
  const authTimeoutMs = 300;
  const server = await startTestServer(t, { limits: { authTimeoutMs } });
  const { socket } = await halfOpenClient(t, server.port);
  const connectedAt = performance.now();
  const result = await floodUntilClosed(socket, connectedAt + authTimeoutMs);
  assertCut(t, result, 'auth_timeout');
});

test('account disabled while it floods pings: cut the same way', { timeout: 30_000 }, async (t) => {
  const store = SqliteStore.open(tempDir(t));
  const server = await startTestServer(t, { store });
  const admin = await signedInClient(t, server.port, 'root');
  assert.equal(await store.accounts.setRole('root', 'admin'), true);
  const victim = await halfOpenClient(t, server.port);
  const encoder = new FrameEncoder();
  victim.socket.write(encoder.encode({ type: 'register', user: 'victim', password: TEST_PASSWORD }));
  const flooding = floodUntilClosed(victim.socket, 0);
  await victim.received('auth_ok');
  const disabledAt = performance.now();
  const reply = await admin.request({ type: 'disable_user', user: 'victim' });
  assert.equal(reply.type, 'ok', JSON.stringify(reply));
  const result = await flooding;
  assert.ok(result.written < 1024 * 1024 * 1024, 'the flood ended with the close');
  const sinceDisableMs = performance.now() - disabledAt;
  t.diagnostic(`account disabled: reset ${Math.round(sinceDisableMs)} ms after disable_user`);
  assert.ok(sinceDisableMs < RESET_BOUND_MS, `reset ${Math.round(sinceDisableMs)} ms after disable_user`);
});
