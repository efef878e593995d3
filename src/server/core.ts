/**
 * The chat server without a listener: builds the context (hub, cluster link,
 * password hashing, limits), runs a Connection for each FrameLink it
 * accepts, says how it is (`/healthz`), and shuts down: finish the requests
 * under way, say `shutdown` to everyone, close the link and the store. The
 * TLS listener (tls-listener.ts) and an in-memory pair both feed `accept`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, ProtocolError } from '../protocol/errors.js';
import { FrameEncoder } from '../protocol/frame.js';
import type { ClusterLink } from '../cluster/link.js';
import { LocalLink } from '../cluster/local-link.js';
import { RedisClusterLink } from '../cluster/redis-link.js';
import type { FolderLock } from '../store/folder-lock.js';
import type { Store } from '../store/store.js';
import type { FrameLink } from '../transport/frame-link.js';
import { ActivityNotifier, type ActivityTimers } from './activity.js';
import { AddressLimits, type Peer, perAddressRefusal, perProcessLimit } from './address-limits.js';
import { promoteAdmins } from './admins.js';
import type { Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import { Connection } from './connection.js';
import type { ServerContext } from './context.js';
import { GroupCreationRate } from './creation-rate.js';
import type { Health } from './http-endpoints.js';
import { Hub } from './hub.js';
import type { Logger } from '../observe/logger.js';
import { LoginThrottle } from './login-throttle.js';
import type { ServerMetrics } from '../observe/metrics.js';
import { PasswordHasher } from './passwords.js';
import { ResumeTokens } from './resume-tokens.js';
import { retentionEnabled, RetentionPruner } from './retention.js';
import { StoreChangeWatch } from './store-changes.js';
import { storeProblem } from './store-health.js';

/** How long shutdown waits for clients to take their last frames. */
const SHUTDOWN_FLUSH_MS = 3_000;

export interface CoreDependencies {
  store: Store;
  /** The data folder's lock (SQLite), released once the store is closed. */
  lock?: FolderLock | undefined;
  logger: Logger;
  metrics: ServerMetrics;
  /** The sessions' clock for rate limits and pacing (tests inject one). */
  clock?: Clock | undefined;
  /** The timers that space `activity` messages (tests inject manual ones). */
  activityTimers?: ActivityTimers | undefined;
}

export class ChatCore {
  private readonly connections = new Set<Connection>();
  private readonly retention: RetentionPruner | undefined;
  /** What the admin command changed behind the server, applied to the connections here. */
  private readonly storeChanges: StoreChangeWatch;
  private stopping = false;

  private constructor(
    readonly context: ServerContext,
    private readonly link: ClusterLink,
    private readonly dependencies: CoreDependencies,
  ) {
    const { config, store, logger } = context;
    this.retention = retentionEnabled(config.retention) ? new RetentionPruner(store, config.retention, logger) : undefined;
    this.storeChanges = new StoreChangeWatch(context, () => Array.from(this.connections));
    context.storeChanges = this.storeChanges;
  }

  /** The context built and the hub started on its cluster link (`--admins` promoted first). */
  static async open(config: ServerConfig, dependencies: CoreDependencies): Promise<ChatCore> {
    const { store, logger, metrics } = dependencies;
    await promoteAdmins(store, config.admins ?? [], logger);
    const link: ClusterLink = config.redis === undefined ? new LocalLink() : new RedisClusterLink({ ...config.redis, logger, metrics });
    const encoder = new FrameEncoder();
    const context: ServerContext = {
      config,
      store,
      hub: new Hub(encoder, link, {
        presenceMaxMembers: config.limits.presenceMaxMembers, counts: metrics.counts,
        activity: new ActivityNotifier({ store: store.markers, encoder, logger, ...(dependencies.activityTimers === undefined ? {} : { timers: dependencies.activityTimers }) }),
      }),
      hasher: new PasswordHasher({ cost: config.scryptCost, onWait: (seconds) => metrics.observeHashWait(seconds) }),
      resumeTokens: new ResumeTokens(store.resumeTokens, config.limits.resumeTokenLifetimeMs, (error) => logger.warn('could not extend the resume tokens', { reason: errorMessage(error) })),
      throttle: new LoginThrottle(),
      addresses: new AddressLimits({
        maxPerIp: perProcessLimit(config.limits.maxPerIp, config.processes ?? 1), registerRate: config.limits.registerRate,
        registerWindowMs: config.limits.registerWindowMs, exempt: config.limits.ipLimitExempt,
      }),
      groupCreations: new GroupCreationRate(config.limits.createRatePerHour),
      logger,
      encoder,
      metrics,
    };
    await context.hub.start();
    const core = new ChatCore(context, link, dependencies);
    await core.storeChanges.start();
    return core;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.connections.size;
  }

  /**
   * A new connection on `link`: welcome and session, or `server_busy` when
   * the server is stopping or full, or when `release` is undefined (its
   * address was over the per-address limit when it was counted).
   */
  accept(link: FrameLink, peer: Peer, release: (() => void) | undefined = this.context.addresses.admit(peer)): Connection {
    const { config, metrics } = this.context;
    const connection = new Connection(link, this.context, (closed) => {
      this.connections.delete(closed);
      release?.();
    }, this.dependencies.clock, peer);
    if (this.stopping || this.connections.size >= config.limits.maxConnections) {
      metrics.refused('server_busy');
      release?.();
      connection.fail(new ProtocolError('server_busy', this.stopping ? 'server is stopping' : 'too many connections'));
      return connection;
    }
    if (release === undefined) {
      metrics.refused('per_address');
      connection.fail(new ProtocolError('server_busy', perAddressRefusal(config.limits.maxPerIp, config.processes ?? 1)));
      return connection;
    }
    metrics.counts.connectionsAccepted += 1;
    this.connections.add(connection);
    connection.start();
    return connection;
  }

  /** Output not yet taken by the clients: the sum and the largest. */
  writeBacklog(): { total: number; max: number } {
    let total = 0;
    let max = 0;
    for (const connection of this.connections) {
      const backlog = connection.outputBacklog;
      total += backlog;
      if (backlog > max) max = backlog;
    }
    return { total, max };
  }

  /** 1 while Redis (link and store) is reachable, 0 when not; undefined without Redis. */
  redisConnected(): number | undefined {
    const { link } = this;
    const { store } = this.context;
    return link instanceof RedisClusterLink ? Number(link.connected && store.connected) : undefined;
  }

  /** What `/healthz` says now. */
  async health(): Promise<Health> {
    if (this.stopping) return { status: 'draining', reason: 'the server is shutting down' };
    const problem = await storeProblem(this.context.store, this.context.metrics);
    return problem === undefined ? { status: 'ok' } : { status: 'unavailable', reason: problem };
  }

  /** Background work that runs while the server serves (retention passes). */
  startBackground(): void {
    this.retention?.start();
  }

  /** From now on every new connection is refused (`server_busy`) and health says draining. */
  stopAccepting(): void {
    this.stopping = true;
  }

  /**
   * Finishes the requests under way, says `shutdown` to every client, waits
   * for `transportsClosed` (at most SHUTDOWN_FLUSH_MS), then stops retention
   * and closes the cluster link and the store.
   */
  async close(message = 'server is shutting down', transportsClosed: Promise<void> = Promise.resolve()): Promise<void> {
    this.stopping = true;
    const open = Array.from(this.connections);
    await Promise.all(open.map((connection) => connection.quiesce()));
    for (const connection of open) connection.shutdown(message);
    await Promise.race([transportsClosed, sleep(SHUTDOWN_FLUSH_MS, undefined, { ref: false })]);
    await this.release();
  }

  /** Stops retention, closes the link and the store, releases the data folder. */
  async release(): Promise<void> {
    await this.retention?.stop();
    this.storeChanges.stop();
    this.context.resumeTokens.close();
    await this.link.close();
    await this.context.store.close();
    this.dependencies.lock?.release();
  }
}
