/** What the benchmark's own child servers (relay, bare TLS) share: flags, listening, stopping. */
import { readFileSync } from 'node:fs';
import type tls from 'node:tls';
import { parseArgs } from 'node:util';

/** `--port`, `--cert FILE`, `--key FILE` from argv, with the PEM contents read. */
export function childServerOptions(): { port: number; cert: Buffer; key: Buffer } {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, cert: { type: 'string' }, key: { type: 'string' } } });
  if (values.cert === undefined || values.key === undefined) throw new Error('--cert and --key are required');
  return { port: Number(values.port), cert: readFileSync(values.cert), key: readFileSync(values.key) };
}

/** Listens on 127.0.0.1, says `listening on HOST:PORT`, and on SIGTERM drops every socket and exits. */
export function serveUntilTerminated(server: tls.Server, port: number, sockets: Set<tls.TLSSocket>): void {
  server.listen(port, '127.0.0.1', () => {
    const address = server.address();
    if (address !== null && typeof address === 'object') process.stdout.write(`listening on 127.0.0.1:${address.port}\n`);
  });
  process.once('SIGTERM', () => {
    for (const socket of sockets) socket.destroy();
    server.close(() => process.exit(0));
  });
}
