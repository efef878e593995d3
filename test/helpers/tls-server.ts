/** A plain Node TLS server on 127.0.0.1 port 0 for certificate tests, closed (with its connections) by `t.after`. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import tls from 'node:tls';

export async function plainTlsServer(t: TestContext, options: tls.TlsOptions, onSocket: (socket: tls.TLSSocket) => void): Promise<number> {
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer(options, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // Open connections are cut, so that closing never waits for a client the test has not stopped yet.
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  }));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}
