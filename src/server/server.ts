/**
 * The TLS listener: accepts connections up to the limit, hands each to a
 * Connection, and shuts down cleanly: stop accepting, finish the requests
 * under way, say `shutdown` to everyone, close the store.
 */
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { errorMessage, ProtocolError } from '../protocol/errors.js';
import { FrameEncoder } from '../protocol/frame.js';
import { ALPN_PROTOCOL } from '../protocol/limits.js';
import type { Store } from '../store/store.js';
import { RedisStore } from '../store/redis.js';
import { type FolderLock, lockDataFolder } from '../store/folder-lock.js';
import { SqliteStore } from '../store/sqlite.js';
import { AddressLimits } from './address-limits.js';
import { promoteAdmins } from './admins.js';
import { ActivityNotifier, type ActivityTimers } from './activity.js';
import type { Clock } from './clock.js';
import type { ClusterLink } from '../cluster/link.js';
import type { ServerConfig } from './config.js';
import { Connection } from './connection.js';
import type { ServerContext } from './context.js';
import { HandshakeGuard } from './handshake-guard.js';
import { type Health, startHttpEndpoints } from './http-endpoints.js';
import { Hub } from './hub.js';
import { createLogger, type Logger } from './logger.js';
import { GroupCreationRate } from './creation-rate.js';
import { LocalLink } from '../cluster/local-link.js';
import { LoginThrottle } from './login-throttle.js';
import { ServerMetrics } from './metrics.js';
import { PasswordHasher } from './passwords.js';
import { retentionEnabled, RetentionPruner } from './retention.js';
import { RedisClusterLink } from '../cluster/redis-link.js';
import { storeProblem } from './store-health.js';
import { describeCertificate, type LoadedTls, secureContextOptions } from './tls-context.js';
import { StreamFrameLink } from '../transport/stream-link.js';
import { WriteBatcher } from '../transport/write-batcher.js';

/** How long shutdown waits for clients to take their last frames. */
const SHUTDOWN_FLUSH_MS = 3_000;
/**
 * Sockets beyond `maxConnections` that may still finish a handshake, only to
 * be told `server_busy`; past this many, new TCP connections are closed at once.
 */
const BUSY_REPLY_MARGIN = 64;

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
}

/** The store, and for SQLite the data folder's lock that keeps a second server out. */
async function openStore(config: ServerConfig, logger: Logger, metrics: ServerMetrics): Promise<{ store: Store; lock?: FolderLock }> {
  if (config.redis === undefined) {
    let lock: FolderLock | undefined;
    try {
      lock = lockDataFolder(config.dataDir);
      const store = SqliteStore.open(config.dataDir, {
        synchronous: config.sync ?? 'normal',
        onFailure: (reason) => logger.error('store failing', { data: config.dataDir, reason }),
        onCommit: (seconds) => metrics.observeStore('sqlite_commit', seconds),
      });
      return { store, lock };
    } catch (error) {
      lock?.release();
      const reason = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
      throw new Error(`cannot use ${config.dataDir} as the data folder (${reason})`, { cause: error });
    }
  }
  const { url } = config.redis;
  return { store: await RedisStore.connect(url, (error) => logger.warn('redis unreachable; retrying', { url, reason: error.message }),
    (seconds) => metrics.observeStore('redis_command', seconds)) };
}

export async function startServer(config: ServerConfig, dependencies: ServerDependencies = {}): Promise<RunningServer> {
  const logger = dependencies.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const metrics = dependencies.metrics ?? new ServerMetrics({ enabled: config.metrics !== undefined, cluster: config.redis !== undefined });
  // Before the store: while it opens (or waits for Redis), /healthz says `starting`.
  const endpoints = config.metrics === undefined ? undefined
    : await startHttpEndpoints(config.metrics.host, config.metrics.port, (error) => logger.error('metrics endpoint failed', {}, error));
  let opened;
  try {
    opened = dependencies.store === undefined ? await openStore(config, logger, metrics) : { store: dependencies.store, lock: undefined };
  } catch (error) {
    await endpoints?.close();
    throw error;
  }
  const { store, lock } = opened;
  await promoteAdmins(store, config.admins ?? [], logger);
  const link: ClusterLink = config.redis === undefined ? new LocalLink() : new RedisClusterLink({ ...config.redis, logger, metrics });
  const encoder = new FrameEncoder();
  const context: ServerContext = {
    config,
    store,
    hub: new Hub(encoder, link, {
      presenceMaxMembers: config.limits.presenceMaxMembers, counts: metrics.counts,
      activity: new ActivityNotifier({ store, encoder, logger, ...(dependencies.activityTimers === undefined ? {} : { timers: dependencies.activityTimers }) }),
    }),
    hasher: new PasswordHasher({ cost: config.scryptCost, onWait: (seconds) => metrics.observeHashWait(seconds) }),
    throttle: new LoginThrottle(),
    addresses: new AddressLimits({
      maxPerIp: config.limits.maxPerIp, registerRate: config.limits.registerRate,
      registerWindowMs: config.limits.registerWindowMs, exempt: config.limits.ipLimitExempt,
    }),
    groupCreations: new GroupCreationRate(config.limits.createRatePerHour),
    logger,
    encoder,
    metrics,
  };
  await context.hub.start();
  const writes = new WriteBatcher();
  const connections = new Set<Connection>();
  let stopping = false;

  const server = tls.createServer({
    ...secureContextOptions(config.tls, config.tlsMinVersion),
    ALPNProtocols: [ALPN_PROTOCOL],
    handshakeTimeout: config.limits.handshakeTimeoutMs,
    ...(config.tls.clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: true }),
  });
  metrics.certificateExpiry(describeCertificate(config.tls.cert).notAfter);
  const reloadTls = (loaded: LoadedTls): void => {
    server.setSecureContext(secureContextOptions(loaded.files, config.tlsMinVersion));
    metrics.certificateExpiry(loaded.certificate.notAfter);
  };
  const { counts } = metrics;
  const handshakes = new HandshakeGuard(config.limits.handshakeTimeoutMs, (socket) => {
    metrics.refused('handshake_timeout');
    logger.debug('handshake timed out', { address: socket.remoteAddress });
  });
  server.on('connection', (socket: Socket) => {
    // Counted from the TCP accept: a handshake that never finishes holds a socket too.
    const peer = context.addresses.peerOf(socket.remoteAddress);
    const release = context.addresses.admit(peer);
    const full = connections.size + handshakes.size >= config.limits.maxConnections + BUSY_REPLY_MARGIN;
    const refusals = release === undefined && handshakes.refused >= BUSY_REPLY_MARGIN;
    if (full || refusals || !handshakes.admit(socket, { peer, release })) {
      if (full || refusals) metrics.refused('overload');
      release?.();
      socket.destroy();
    }
  });
  server.on('tlsClientError', (error, socket) => {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_TLS_HANDSHAKE_TIMEOUT') counts.tlsHandshakesFailed += 1;
    logger.debug('handshake failed', { reason: error.message });
    socket.destroy();
  });
  server.on('secureConnection', (socket) => {
    const admission = handshakes.secured(socket);
    if (admission === undefined) {
      socket.destroy(); // its deadline passed meanwhile
      return;
    }
    // Client-initiated renegotiation (TLS 1.2) is a cheap way to make the server compute: refused.
    socket.disableRenegotiation();
    socket.setNoDelay(true);
    const connection = new Connection(new StreamFrameLink(socket, writes, config.limits.maxFrame), context, (closed) => {
      connections.delete(closed);
      admission.release?.();
    }, dependencies.clock, admission.peer);
    if (stopping || connections.size >= config.limits.maxConnections) {
      metrics.refused('server_busy');
      admission.release?.();
      connection.fail(new ProtocolError('server_busy', stopping ? 'server is stopping' : 'too many connections'));
      return;
    }
    if (admission.release === undefined) {
      metrics.refused('per_address');
      connection.fail(new ProtocolError('server_busy', `too many connections from your address (per-address limit ${config.limits.maxPerIp})`));
      return;
    }
    counts.connectionsAccepted += 1;
    connections.add(connection);
    connection.start();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await link.close();
    await store.close();
    lock?.release(); // the folder is free for the next try
    await endpoints?.close();
    metrics.close();
    throw error;
  }
  server.on('error', (error) => logger.error('server error', {}, error));
  const { address, port } = server.address() as AddressInfo;
  logger.info('listening', { host: address, port, tls_min: config.tlsMinVersion, mutual_tls: config.tls.clientCa !== undefined });

  metrics.attach({
    openConnections: () => connections.size,
    writeBacklog: () => {
      let total = 0;
      let max = 0;
      for (const connection of connections) {
        const backlog = connection.outputBacklog;
        total += backlog;
        if (backlog > max) max = backlog;
      }
      return { total, max };
    },
    hashQueued: () => context.hasher.queued,
    loginsThrottled: () => context.throttle.delayed,
    redisConnected: () => (link instanceof RedisClusterLink ? Number(link.connected && (!(store instanceof RedisStore) || store.connected)) : undefined),
  });
  const health = async (): Promise<Health> => {
    if (stopping) return { status: 'draining', reason: 'the server is shutting down' };
    const problem = await storeProblem(store, metrics);
    return problem === undefined ? { status: 'ok' } : { status: 'unavailable', reason: problem };
  };
  const retention = retentionEnabled(config.retention) ? new RetentionPruner(store, config.retention, logger) : undefined;
  retention?.start();
  endpoints?.serve({ health, metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.text() }) });

  let closing: Promise<void> | undefined;
  const close = (message = 'server is shutting down'): Promise<void> => {
    closing ??= (async () => {
      stopping = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      handshakes.closeAll();
      const open = Array.from(connections);
      await Promise.all(open.map((connection) => connection.quiesce()));
      for (const connection of open) connection.shutdown(message);
      await Promise.race([stopped, sleep(SHUTDOWN_FLUSH_MS, undefined, { ref: false })]);
      await retention?.stop();
      await link.close();
      await store.close();
      lock?.release();
      await endpoints?.close();
      metrics.close();
      logger.info('stopped');
    })();
    return closing;
  };

  return { address: { host: address, port }, metricsAddress: endpoints?.address, health, reloadTls, close };
}
