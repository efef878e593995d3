/**
 * `--metrics HOST:PORT`: plain HTTP serving `GET /metrics` (Prometheus text
 * format) and `GET /healthz` (200 serving, 503 not, with a one-line JSON
 * reason), nothing else. It belongs on a private interface: it has no TLS and
 * no authentication. Its connections are few and short (http-connections.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../protocol/errors.js';
import { limitMetricsConnections, METRICS_SERVER_OPTIONS } from './http-connections.js';

/** What `/healthz` reports: `ok`, or why not. */
export type Health = { status: 'ok' } | { status: 'starting' | 'draining' | 'unavailable'; reason: string };

export interface EndpointHandlers {
  /** The exposition text and its content type. */
  metrics(): Promise<{ contentType: string; body: string }>;
  health(): Promise<Health>;
}

export interface HttpEndpoints {
  address: { host: string; port: number };
  /** Swaps what the endpoints answer with (the server's own once it runs). */
  serve(handlers: EndpointHandlers): void;
  close(): Promise<void>;
}

/** A health check that does not answer in this time is a failed one. */
export const HEALTH_TIMEOUT_MS = 1_000;

/** `HOST:PORT` (IPv6 in brackets) as given to `--metrics`; undefined when it is not that. */
export function parseHostPort(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65_535) return undefined;
  return { host, port };
}

export function showHostPort(address: { host: string; port: number }): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

async function boundedHealth(handlers: EndpointHandlers): Promise<Health> {
  const timedOut: Health = { status: 'unavailable', reason: `health check took over ${HEALTH_TIMEOUT_MS} ms` };
  const controller = new AbortController();
  try {
    return await Promise.race([handlers.health(), sleep(HEALTH_TIMEOUT_MS, timedOut, { signal: controller.signal })]);
  } catch (error) {
    return { status: 'unavailable', reason: errorMessage(error) };
  } finally {
    controller.abort();
  }
}

async function answer(handlers: EndpointHandlers, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/metrics' && path !== '/healthz') {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  if (request.method !== 'GET') {
    response.writeHead(405, { 'content-type': 'text/plain', allow: 'GET' }).end('GET only\n');
    return;
  }
  if (path === '/healthz') {
    const health = await boundedHealth(handlers);
    response.writeHead(health.status === 'ok' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(`${JSON.stringify(health)}\n`);
    return;
  }
  const { contentType, body } = await handlers.metrics();
  response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
}

const STARTING: EndpointHandlers = {
  metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
  health: async () => ({ status: 'starting', reason: 'the server is starting' }),
};

/** Listens on `host:port` (0 picks a free port); answers 503 `starting` until `serve` is called. */
export async function startHttpEndpoints(host: string, port: number, onError: (error: unknown) => void): Promise<HttpEndpoints> {
  let handlers = STARTING;
  // A request body is never read (see limitMetricsConnections).
  const server = http.createServer(METRICS_SERVER_OPTIONS, (request, response) => {
    answer(handlers, request, response).catch((error: unknown) => {
      onError(error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('internal error\n');
    });
  });
  limitMetricsConnections(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', onError);
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    address: { host: address.address, port: address.port },
    serve: (next) => { handlers = next; },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
