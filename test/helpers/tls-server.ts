/** A plain Node TLS server on 127.0.0.1 port 0 for certificate tests, closed by `t.after`. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import tls from 'node:tls';

export async function plainTlsServer(t: TestContext, options: tls.TlsOptions, onSocket: (socket: tls.TLSSocket) => void): Promise<number> {
  const server = tls.createServer(options, onSocket);
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}
