#!/usr/bin/env node
/**
 * A bare Node TLS server that accepts connections and holds them: the
 * reference for memory per idle connection.
 *
 *   node dist/scripts/bench/bare-tls.js --port 0 --cert FILE --key FILE
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, cert: { type: 'string' }, key: { type: 'string' } } });
if (values.cert === undefined || values.key === undefined) throw new Error('--cert and --key are required');
const sockets = new Set<tls.TLSSocket>();
const server = tls.createServer({ cert: readFileSync(values.cert), key: readFileSync(values.key) }, (socket) => {
  sockets.add(socket);
  socket.write('x'); // one byte, as the server's welcome, so the client knows the handshake is done
  socket.on('error', () => socket.destroy());
  socket.on('close', () => sockets.delete(socket));
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') process.stdout.write(`listening on 127.0.0.1:${address.port}\n`);
});
process.once('SIGTERM', () => {
  for (const socket of sockets) socket.destroy();
  server.close(() => process.exit(0));
});
