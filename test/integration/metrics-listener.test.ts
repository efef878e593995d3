/**
 * The `--metrics` listener cannot starve the chat port: idle connections
 * beyond its cap are closed at once, the rest after a few seconds, `/healthz`
 * and chat clients are still served meanwhile; a request body is never read.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { METRICS_IDLE_TIMEOUT_MS, METRICS_MAX_CONNECTIONS } from '../../src/server/http-connections.js';
import { healthz } from '../helpers/metrics.js';
import { signedInClient, spawnServer, tempDir } from '../helpers/server.js';
import { WAIT_MS } from '../helpers/wire-client.js';

async function spawnWithMetrics(t: import('node:test').TestContext): Promise<{ port: number; metricsPort: number }> {
  const server = await spawnServer(t, ['--data', tempDir(t), '--metrics', '127.0.0.1:0']);
  const metricsPort = Number(/metrics on .*:(\d+)$/.exec(await server.stdoutLine(/^metrics on /))?.[1]);
  return { port: server.port, metricsPort };
}

/** A connected TCP socket that sends nothing; destroyed by `t.after`. */
async function idleConnection(t: import('node:test').TestContext, port: number): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // a reset is one way to be closed
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve())); // not events.once: it rejects on 'error'
  t.after(() => { socket.destroy(); });
  await once(socket, 'connect');
  return { socket, closed };
}

/** Resolves once `count` of `promises` have; rejects after `ms`. */
async function atLeast(promises: Array<Promise<void>>, count: number, ms: number, what: string): Promise<void> {
  let done = 0;
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: ${done} of ${count} in ${ms} ms`)), ms);
    if (count === 0) resolve();
    for (const promise of promises) void promise.then(() => { if (++done === count) resolve(); });
  }).finally(() => clearTimeout(timer));
}

test('idle connections to --metrics beyond its cap are closed at once, the rest after the idle timeout; /healthz and chat still answer', async (t) => {
  const { port, metricsPort } = await spawnWithMetrics(t);
  const excess = 40;
  const idle = [];
  for (let i = 0; i < METRICS_MAX_CONNECTIONS + excess; i++) idle.push(await idleConnection(t, metricsPort));
  // Closed well before the idle timeout: the cap, not the timeout, closed them.
  await atLeast(idle.map((c) => c.closed), excess, METRICS_IDLE_TIMEOUT_MS / 2, 'connections beyond the cap closed');
  assert.deepEqual(await healthz(metricsPort), { status: 200, body: { status: 'ok' } });
  await signedInClient(t, port, 'chatter');
  await atLeast(idle.map((c) => c.closed), idle.length, METRICS_IDLE_TIMEOUT_MS + WAIT_MS / 2, 'every idle connection closed');
});

test('a chunked POST to /metrics is not read to its end: the server replies and closes', async (t) => {
  const { metricsPort } = await spawnWithMetrics(t);
  const { socket, closed } = await idleConnection(t, metricsPort);
  let reply = '';
  socket.on('data', (chunk: Buffer) => { reply += chunk.toString('latin1'); });
  socket.write('POST /metrics HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n');
  const chunk = `${(64 * 1024).toString(16)}\r\n${'x'.repeat(64 * 1024)}\r\n`;
  let sent = 0;
  let open = true;
  void closed.then(() => { open = false; });
  const pump = (): void => {
    while (open && socket.writable) {
      sent += chunk.length;
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`still open after ${WAIT_MS} ms, ${sent} bytes sent`)), WAIT_MS); })])
    .finally(() => clearTimeout(timer));
  assert.ok(sent < 256 * 1024 * 1024, `${sent} bytes sent before the close`);
  if (reply !== '') assert.match(reply, /^HTTP\/1\.1 405 /);
});
