/**
 * The composition root: the logger, metrics and their HTTP endpoints, the
 * store, the chat core (core.ts) and its TLS listener (tls-listener.ts),
 * and the order in which they start and stop.
 */
import type { Store } from '../store/store.js';
import type { ActivityTimers } from './activity.js';
import type { Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import { ChatCore } from './core.js';
import { type Health, startHttpEndpoints } from './http-endpoints.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { ServerMetrics } from '../observe/metrics.js';
import { openStore } from './open-store.js';
import type { LoadedTls } from './tls-context.js';
import { TlsListener } from './tls-listener.js';

export interface RunningServer {
  address: { host: string; port: number };
  /** Where `/metrics` and `/healthz` are served (with `config.metrics`). */
  metricsAddress?: { host: string; port: number } | undefined;
  /** What `/healthz` says now. */
  health(): Promise<Health>;
  /** New handshakes use `tls` (checked by `loadTlsFiles`); connections open now keep theirs. */
  reloadTls(tls: LoadedTls): void;
  /** Stops accepting, says `shutdown` to every client, flushes and closes the store. */
  close(message?: string): Promise<void>;
}

export interface ServerDependencies {
  store?: Store;
  logger?: Logger;
  /** The sessions' clock for rate limits and pacing (tests inject one). */
  clock?: Clock;
  /** The timers that space `activity` messages (tests inject manual ones). */
  activityTimers?: ActivityTimers;
  /** Metrics of the caller's own (a worker's, read by its primary); else made here, enabled with `config.metrics`. */
  metrics?: ServerMetrics;
  /** Called once the server stopped because Redis lost its data under it (the CLI exits 1). */
  onStoreLost?: () => void;
}

export async function startServer(config: ServerConfig, dependencies: ServerDependencies = {}): Promise<RunningServer> {
  const logger = dependencies.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const metrics = dependencies.metrics ?? new ServerMetrics({ enabled: config.metrics !== undefined, cluster: config.redis !== undefined });
  // Before the store: while it opens (or waits for Redis), /healthz says `starting`.
  const endpoints = config.metrics === undefined ? undefined
    : await startHttpEndpoints(config.metrics.host, config.metrics.port, (error) => logger.error('metrics endpoint failed', {}, error));
  // Redis lost its data under this node: its sessions may be signed in as accounts that no longer exist.
  let dataLost = (reason: string): void => { logger.error('shared store lost its data', { reason }); };
  let opened;
  try {
    opened = dependencies.store === undefined ? await openStore(config, logger, metrics, (reason) => dataLost(reason)) : { store: dependencies.store, lock: undefined };
  } catch (error) {
    await endpoints?.close();
    throw error;
  }
  const core = await ChatCore.open(config, {
    ...opened, logger, metrics, clock: dependencies.clock, activityTimers: dependencies.activityTimers,
  });
  const listener = new TlsListener(config, core);
  let address: { host: string; port: number };
  try {
    address = await listener.listen();
  } catch (error) {
    await core.release(); // the folder is free for the next try
    await endpoints?.close();
    metrics.close();
    throw error;
  }
  logger.info('listening', { host: address.host, port: address.port, tls_min: config.tlsMinVersion, mutual_tls: config.tls.clientCa !== undefined });

  const { context } = core;
  metrics.attach({
    openConnections: () => core.openConnections,
    writeBacklog: () => core.writeBacklog(),
    hashQueued: () => context.hasher.queued,
    loginsThrottled: () => context.throttle.delayed,
    redisConnected: () => core.redisConnected(),
  });
  const health = (): Promise<Health> => core.health();
  core.startBackground();
  endpoints?.serve({ health, metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.text() }) });

  let closing: Promise<void> | undefined;
  const close = (message = 'server is shutting down'): Promise<void> => {
    closing ??= (async () => {
      core.stopAccepting();
      await core.close(message, listener.close());
      await endpoints?.close();
      metrics.close();
      logger.info('stopped');
    })();
    return closing;
  };

  dataLost = (reason) => {
    logger.error('shared store lost its data: closing every session and stopping; restore Redis from its persistence before starting again', { reason });
    void close(`the server's store lost its data (${reason})`).then(() => dependencies.onStoreLost?.());
  };
  return { address, metricsAddress: endpoints?.address, health, reloadTls: (loaded) => listener.reloadTls(loaded), close };
}
