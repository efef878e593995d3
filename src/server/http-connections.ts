/**
 * The connections of the `--metrics` listener, kept few and short: at most
 * METRICS_MAX_CONNECTIONS at once (a new one past that takes the place of the
 * oldest that has no request in progress, or is closed at once when every one
 * has), one request each, no request body read, and none idle for longer than
 * METRICS_IDLE_TIMEOUT_MS. So idle connections to it cannot take the
 * descriptors the chat port needs, nor keep a probe of `/healthz` out.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

/** Connections the metrics listener holds at once (counted in the startup warning's descriptor budget). */
export const METRICS_MAX_CONNECTIONS = 16;
/** A metrics connection with no complete request headers, or silent, for this long is closed. */
export const METRICS_IDLE_TIMEOUT_MS = 5_000;

/** Server options that make Node check request and header timeouts every second (its default is 30 s). */
export const METRICS_SERVER_OPTIONS: http.ServerOptions = {
  connectionsCheckingInterval: 1_000,
  headersTimeout: METRICS_IDLE_TIMEOUT_MS,
  requestTimeout: METRICS_IDLE_TIMEOUT_MS,
  keepAlive: false,
  maxHeaderSize: 8 * 1024,
};

/** Applies the cap, the idle timeout and one-request-per-connection to `server`. */
export function limitMetricsConnections(server: http.Server): void {
  /** Open connections, oldest first; true while a request is in progress on it. */
  const open = new Map<Socket, boolean>();
  server.timeout = METRICS_IDLE_TIMEOUT_MS; // no listener for 'timeout': Node destroys the socket
  server.maxHeadersCount = 50;
  server.on('connection', (socket: Socket) => {
    if (open.size >= METRICS_MAX_CONNECTIONS) {
      const idle = [...open].find(([, busy]) => !busy)?.[0];
      if (idle === undefined) {
        socket.destroy();
        return;
      }
      idle.destroy();
      open.delete(idle);
    }
    open.set(socket, false);
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    const { socket } = request;
    if (open.has(socket)) open.set(socket, true);
    response.shouldKeepAlive = false; // `Connection: close`: one request per connection
    response.once('finish', () => {
      // A body was sent that nobody reads: close now rather than let Node read it to its end.
      if (!request.complete) socket.destroy();
    });
  });
}
