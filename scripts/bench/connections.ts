/**
 * Idle connections: the server's resident memory per connection next to a
 * bare Node TLS server's, measured in the same run; how long accepting them
 * takes; and the login rate with the default password hashing.
 */
import { once } from 'node:events';
import path from 'node:path';
import tls from 'node:tls';
import { FrameEncoder } from '../../src/protocol/frame.js';
import { ALPN_PROTOCOL } from '../../src/protocol/limits.js';
import { memory, startChild } from './processes.js';

export interface ConnectionFigures {
  target: 'server' | 'bare-tls';
  connections: number;
  acceptSeconds: number;
  rssPerConnectionBytes: number;
}

export interface ConnectionsResult {
  server: ConnectionFigures;
  bare: ConnectionFigures;
  /** server RSS per connection / bare TLS RSS per connection. */
  ratio: number;
  loginsPerSecond: number;
  logins: number;
}

const CONCURRENT_HANDSHAKES = 64;

/** Opens `count` connections, each done once its first byte (welcome) arrived. */
async function openIdle(port: number, ca: string, count: number): Promise<tls.TLSSocket[]> {
  const sockets: tls.TLSSocket[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: [ALPN_PROTOCOL] });
      socket.on('error', () => undefined);
      await once(socket, 'data');
      sockets.push(socket);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_HANDSHAKES }, worker));
  return sockets;
}

async function measureIdle(target: ConnectionFigures['target'], certDir: string, ca: string, count: number, extra: string[]): Promise<ConnectionFigures> {
  const files = ['--cert', path.join(certDir, 'server.crt'), '--key', path.join(certDir, 'server.key')];
  const child = target === 'server'
    ? await startChild('src/cli/server.js', ['--port', '0', ...files, '--log-level', 'warn', '--max-connections', String(count + 100), ...extra])
    : await startChild('scripts/bench/bare-tls.js', ['--port', '0', ...files]);
  try {
    const pid = child.process.pid!;
    // A few connections first, so one-time allocations (TLS contexts, code) are not counted.
    const warm = await openIdle(child.port, ca, 20);
    const before = memory(pid).rss;
    const started = performance.now();
    const sockets = await openIdle(child.port, ca, count);
    const acceptSeconds = (performance.now() - started) / 1000;
    const after = memory(pid).rss;
    for (const socket of [...warm, ...sockets]) socket.destroy();
    return { target, connections: count, acceptSeconds, rssPerConnectionBytes: (after - before) / count };
  } finally {
    await child.stop();
  }
}

/** Logins per second with the default password hashing: `count` clients log in at once. */
async function measureLogins(certDir: string, ca: string, count: number, extra: string[]): Promise<number> {
  const files = ['--cert', path.join(certDir, 'server.crt'), '--key', path.join(certDir, 'server.key')];
  const child = await startChild('src/cli/server.js', ['--port', '0', ...files, '--log-level', 'warn', ...extra]);
  const encoder = new FrameEncoder();
  try {
    const sockets = await openIdle(child.port, ca, count + 1);
    const reply = (socket: tls.TLSSocket) => once(socket, 'data');
    const first = sockets[0]!;
    first.write(encoder.encode({ type: 'register', user: 'bench', password: 'benchmark password', id: 1 }));
    await reply(first);
    const started = performance.now();
    await Promise.all(sockets.slice(1).map((socket) => {
      socket.write(encoder.encode({ type: 'login', user: 'bench', password: 'benchmark password', id: 1 }));
      return reply(socket);
    }));
    const seconds = (performance.now() - started) / 1000;
    for (const socket of sockets) socket.destroy();
    return count / seconds;
  } finally {
    await child.stop();
  }
}

export async function runConnections(certDir: string, ca: string, count: number, logins: number, dataDir: string): Promise<ConnectionsResult> {
  const extra = ['--data', dataDir];
  const bare = await measureIdle('bare-tls', certDir, ca, count, []);
  const server = await measureIdle('server', certDir, ca, count, extra);
  const loginsPerSecond = await measureLogins(certDir, ca, logins, [...extra.slice(0, 1), `${dataDir}-logins`]);
  return { server, bare, ratio: server.rssPerConnectionBytes / bare.rssPerConnectionBytes, loginsPerSecond, logins };
}
