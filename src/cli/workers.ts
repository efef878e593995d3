/**
 * `--workers N`: a primary process that runs N server processes sharing the
 * port (node:cluster), restarts any that dies, says `listening on` once,
 * passes SIGHUP on to every worker (each reloads its certificate), and on
 * SIGINT/SIGTERM stops them all cleanly.
 */
import cluster, { type Worker } from 'node:cluster';
import net from 'node:net';
import { showHostPort } from '../server/http-endpoints.js';
import type { Logger } from '../observe/logger.js';
import type { CertificateFacts } from '../server/tls-context.js';
import { type PrimaryEndpoints, startPrimaryEndpoints } from './cluster-metrics.js';
import { isTlsReloadedNotice, noticeCertificate } from './tls-reload.js';

/** What a worker tells the primary once it listens. */
export interface ListeningNotice {
  listening: string;
}

function isListeningNotice(value: unknown): value is ListeningNotice {
  return typeof value === 'object' && value !== null && typeof (value as { listening?: unknown }).listening === 'string';
}

/** Milliseconds a restarted worker must have lived before its next death restarts it at once. */
const RESTART_BACKOFF_MS = 1_000;

/** A port free on `host` now: what `--port 0` becomes, so that every worker, replacements included, takes the same one. */
async function freePort(host: string): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ host, port: 0 }, resolve);
  });
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error(`could not pick a port on ${host}`);
  return address.port;
}

/**
 * Starts the workers and replaces any that dies. `--port 0` is resolved here
 * once: in node:cluster, a worker that listens on port 0 after every holder
 * of the shared port died would get a new one. `listening on` is printed once
 * every worker listens, then `linesAfterListening`.
 */
export interface PrimaryMetrics {
  address: { host: string; port: number };
  redisUrl: string;
}

export async function runPrimary(
  count: number, host: string, port: number, logger: Logger, linesAfterListening: readonly string[] = [], metrics?: PrimaryMetrics,
  onTlsReloaded?: (certificate: CertificateFacts) => void,
): Promise<number> {
  if (port === 0) cluster.setupPrimary({ args: [...process.argv.slice(2), '--port', String(await freePort(host))] });
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => { finish = resolve; });
  let stopping = false;
  let exitCode = 0;
  let announced = false;
  const listening = new Set<Worker>();
  const workers = new Set<Worker>();
  /** Workers sent SIGHUP before they listened (and had its handler): sent it once they listen. */
  const reloadOwed = new Set<Worker>();
  /** A SIGHUP was passed on and no worker has reported its reload yet. */
  let reloadUnannounced = false;
  let endpoints: PrimaryEndpoints | undefined;
  if (metrics !== undefined) {
    endpoints = await startPrimaryEndpoints(metrics.address, metrics.redisUrl, () => {
      if (stopping) return { status: 'draining', reason: 'the server is shutting down' };
      if (!announced) return { status: 'starting', reason: 'the server is starting' };
      if (listening.size < count) return { status: 'unavailable', reason: `${listening.size} of ${count} workers listening` };
      return { status: 'ok' };
    });
  }

  /** Stops every worker; `finished` resolves with `code` once all have exited. */
  const stopAll = (why: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    logger.info('stopping workers', { why, workers: workers.size });
    if (workers.size === 0) finish(code);
    for (const worker of workers) worker.process.kill('SIGTERM');
  };

  const spawn = (): void => {
    const worker = cluster.fork();
    const startedAt = Date.now();
    workers.add(worker);
    worker.on('message', (message: unknown) => {
      if (isTlsReloadedNotice(message)) {
        if (reloadUnannounced) onTlsReloaded?.(noticeCertificate(message));
        reloadUnannounced = false;
        return;
      }
      if (!isListeningNotice(message)) return;
      listening.add(worker);
      if (reloadOwed.delete(worker)) worker.process.kill('SIGHUP');
      if (announced) logger.info('worker listening', { pid: worker.process.pid });
      else if (listening.size >= count) {
        announced = true;
        process.stdout.write(`${message.listening}\n`);
        if (endpoints !== undefined) process.stdout.write(`metrics on ${showHostPort(endpoints.endpoints.address)}\n`);
        for (const line of linesAfterListening) process.stdout.write(`${line}\n`);
        logger.info('workers share the port', { workers: count });
      }
    });
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      listening.delete(worker);
      reloadOwed.delete(worker);
      if (stopping) {
        if (workers.size === 0) finish(exitCode);
        return;
      }
      const how = `worker ${worker.process.pid} exited (${signal ?? code})`;
      // Before the server ever listened, a worker that fails would fail again (a setting, a file): no restart loop.
      if (!announced) {
        stopAll(`${how} before the server listened`, 1);
        return;
      }
      logger.warn(`${how}; starting another`);
      setTimeout(spawn, Date.now() - startedAt < RESTART_BACKOFF_MS ? RESTART_BACKOFF_MS : 0);
    });
  };
  for (let i = 0; i < count; i++) spawn();
  process.once('SIGINT', (signal) => stopAll(signal, 0));
  process.once('SIGTERM', (signal) => stopAll(signal, 0));
  process.on('SIGHUP', () => {
    reloadUnannounced = true;
    for (const worker of workers) {
      if (listening.has(worker)) worker.process.kill('SIGHUP');
      else reloadOwed.add(worker);
    }
  });
  const code = await finished;
  await endpoints?.close();
  return code;
}

/** In a worker: tell the primary instead of printing. */
export function announceListening(line: string): void {
  if (cluster.isWorker && process.send) process.send({ listening: line } satisfies ListeningNotice);
  else process.stdout.write(`${line}\n`);
}

export const isWorkerProcess = (): boolean => cluster.isWorker;
