#!/usr/bin/env node
/**
 * A bare Node TLS server that accepts connections and holds them: the
 * reference for memory per idle connection.
 *
 *   node dist/scripts/bench/bare-tls.js --port 0 --cert FILE --key FILE
 */
import tls from 'node:tls';
import { childServerOptions, serveUntilTerminated } from './child-server.js';

const { port, cert, key } = childServerOptions();
const sockets = new Set<tls.TLSSocket>();
const server = tls.createServer({ cert, key }, (socket) => {
  sockets.add(socket);
  socket.write('x'); // one byte, as the server's welcome, so the client knows the handshake is done
  socket.on('error', () => socket.destroy());
  socket.on('close', () => sockets.delete(socket));
});
serveUntilTerminated(server, port, sockets);
