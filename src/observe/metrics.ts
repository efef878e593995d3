/**
 * The server's metrics. The hot path only adds to plain integers (`counts`);
 * prom-client reads them when `/metrics` is scraped, so counting costs an
 * integer increment whether or not `--metrics` is on. Latencies that are rare
 * (a commit, a Redis call, a password hash, a cluster message) go to
 * prom-client histograms directly. Label values come from fixed sets (request
 * types, error codes, states): never a user or group name.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type RefusalReason = 'server_busy' | 'per_address' | 'handshake_timeout' | 'overload';
export type DeliveryKind = 'message' | 'presence' | 'direct';
export type StoreOperation = 'sqlite_commit' | 'redis_command' | 'redis_ping';

const REFUSAL_REASONS: readonly RefusalReason[] = ['server_busy', 'per_address', 'handshake_timeout', 'overload'];
const SESSION_STATES = ['auth', 'group_select', 'chat'] as const;

/** A table of counts by a label from a fixed set; unseen values appear as they come. */
type Tally = Record<string, number>;

function tally(keys: readonly string[] = []): Tally {
  const table: Tally = Object.create(null) as Tally;
  for (const key of keys) table[key] = 0;
  return table;
}

/** What the hot path adds to: plain integers, read at scrape time. */
export class MetricCounts {
  connectionsAccepted = 0;
  readonly refused: Tally = tally(REFUSAL_REASONS);
  tlsHandshakesFailed = 0;
  /** Sessions now in each state (closed ones are not counted). */
  readonly sessions: Tally = tally(SESSION_STATES);
  loginsOk = 0;
  loginsFailed = 0;
  registrations = 0;
  readonly requests: Tally = tally();
  readonly errors: Tally = tally();
  messagesStored = 0;
  /** Frames handed to connections, per kind; added once per fan-out. */
  readonly deliveries: Record<DeliveryKind, number> = { message: 0, presence: 0, direct: 0 };
  bytesIn = 0;
  bytesOut = 0;
  slowConsumers = 0;
  sweptMembers = 0;
}

/** What only the server knows at scrape time: set once it runs. */
export interface MetricSources {
  openConnections(): number;
  /** Unsent output of every connection: the sum and the largest. */
  writeBacklog(): { total: number; max: number };
  hashQueued(): number;
  loginsThrottled(): number;
  /** 1 or 0 in cluster mode (both Redis connections of the node ready); undefined on a node alone. */
  redisConnected(): number | undefined;
}

const NO_SOURCES: MetricSources = {
  openConnections: () => 0,
  writeBacklog: () => ({ total: 0, max: 0 }),
  hashQueued: () => 0,
  loginsThrottled: () => 0,
  redisConnected: () => undefined,
};

/** Sampling interval of the event-loop delay monitor; its samples include it, so it is taken off. */
const LOOP_RESOLUTION_MS = 10;
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface ServerMetricsOptions {
  /** Off: nothing is registered or measured beyond the plain counts. */
  enabled: boolean;
  /** Process metrics of prom-client (CPU, memory, GC, handles). */
  defaults?: boolean;
  /** Cluster mode (`--redis`): the Redis and pub/sub metrics too. */
  cluster?: boolean;
}

export class ServerMetrics {
  readonly registry = new Registry();
  readonly counts = new MetricCounts();
  readonly enabled: boolean;
  private sources: MetricSources = NO_SOURCES;
  private readonly loopDelay: IntervalHistogram | undefined;
  private readonly storeLatency: Histogram<'operation'> | undefined;
  private readonly hashWait: Histogram | undefined;
  private readonly pubsubLag: Histogram | undefined;
  /** Unix time (seconds) of the server certificate's notAfter; set at start and at each reload. */
  private certificateExpirySeconds: number | undefined;

  constructor(options: ServerMetricsOptions = { enabled: false }) {
    this.enabled = options.enabled;
    if (!options.enabled) return;
    const registers = [this.registry];
    if (options.defaults ?? true) collectDefaultMetrics({ register: this.registry });
    this.loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loopDelay.enable();
    this.storeLatency = new Histogram({
      name: 'termsender_store_operation_seconds', help: 'Store latency: SQLite batch commits, Redis commands of requests, Redis health pings',
      labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers,
    });
    this.hashWait = new Histogram({ name: 'termsender_hash_wait_seconds', help: 'Time a password check waited for a hashing slot', buckets: LATENCY_BUCKETS, registers });
    if (options.cluster === true) this.pubsubLag = new Histogram({
      name: 'termsender_cluster_pubsub_lag_seconds', help: 'From a message\'s timestamp to its arrival from Redis pub/sub on this node',
      buckets: LATENCY_BUCKETS, registers,
    });
    this.define(options.cluster === true);
  }

  /** Tells the metrics where the server's live figures are. */
  attach(sources: MetricSources): void {
    this.sources = sources;
  }

  /** One request read (any type; the set of types is the protocol's). */
  request(type: string): void {
    this.counts.requests[type] = (this.counts.requests[type] ?? 0) + 1;
  }

  /** One `error` frame sent. */
  error(code: string): void {
    this.counts.errors[code] = (this.counts.errors[code] ?? 0) + 1;
  }

  /** A connection refused before it became a session, and why. */
  refused(reason: RefusalReason): void {
    this.counts.refused[reason] = (this.counts.refused[reason] ?? 0) + 1;
  }

  /** What a handler's reply says: errors by code, logins, registrations. */
  outcome(requestType: string, reply: { type: string; code?: string } | undefined): void {
    if (reply === undefined) return;
    if (reply.type === 'error') this.error(reply.code ?? 'unknown');
    if (requestType === 'login') {
      if (reply.type === 'auth_ok') this.counts.loginsOk += 1;
      else if (reply.code === 'auth_failed') this.counts.loginsFailed += 1;
    } else if (requestType === 'register' && reply.type === 'auth_ok') this.counts.registrations += 1;
  }

  /** A session changed state; `undefined` is before it existed or after it closed. */
  session(from: string | undefined, to: string | undefined): void {
    const { sessions } = this.counts;
    if (from !== undefined && from !== 'closed') sessions[from] = (sessions[from] ?? 0) - 1;
    if (to !== undefined && to !== 'closed') sessions[to] = (sessions[to] ?? 0) + 1;
  }

  /** The certificate in use now expires at `notAfter`. */
  certificateExpiry(notAfter: Date): void {
    this.certificateExpirySeconds = Math.floor(notAfter.getTime() / 1000);
  }

  observeStore(operation: StoreOperation, seconds: number): void {
    this.storeLatency?.observe({ operation }, seconds);
  }

  observeHashWait(seconds: number): void {
    this.hashWait?.observe(seconds);
  }

  observePubsubLag(seconds: number): void {
    this.pubsubLag?.observe(Math.max(0, seconds));
  }

  /** The Prometheus text of this process's metrics. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  close(): void {
    this.loopDelay?.disable();
  }

  private define(cluster: boolean): void {
    const registers = [this.registry];
    const counts = this.counts;
    const counter = (name: string, help: string, read: () => number): void => {
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(read()); } });
    };
    const labeled = (name: string, help: string, label: string, read: () => Tally): void => {
      new Counter({
        name, help, labelNames: [label], registers,
        collect() {
          this.reset();
          for (const [value, count] of Object.entries(read())) this.inc({ [label]: value }, count);
        },
      });
    };
    const gauge = (name: string, help: string, read: () => number | undefined, aggregator: 'sum' | 'max' | 'min' = 'sum'): void => {
      new Gauge({
        name, help, registers, aggregator,
        collect() {
          const value = read();
          if (value === undefined) this.reset();
          else this.set(value);
        },
      });
    };
    gauge('termsender_server_processes', 'Server processes reporting (1 per process; the sum with --workers)', () => 1);
    gauge('termsender_connections', 'Connections open now (TLS established, past the limits)', () => this.sources.openConnections());
    counter('termsender_connections_accepted_total', 'Connections accepted (TLS established, within the limits)', () => counts.connectionsAccepted);
    labeled('termsender_connections_refused_total', 'Connections refused, by reason', 'reason', () => counts.refused);
    counter('termsender_tls_handshakes_failed_total', 'TLS handshakes that failed', () => counts.tlsHandshakesFailed);
    new Gauge({
      name: 'termsender_sessions', help: 'Sessions now, by state', labelNames: ['state'], registers,
      collect() {
        for (const [state, count] of Object.entries(counts.sessions)) this.set({ state }, count);
      },
    });
    const sources = (): MetricSources => this.sources;
    new Counter({
      name: 'termsender_logins_total', help: 'Logins: ok, failed (wrong name or password), throttled (delayed after repeated failures)',
      labelNames: ['result'], registers,
      collect() {
        this.reset();
        this.inc({ result: 'ok' }, counts.loginsOk);
        this.inc({ result: 'failed' }, counts.loginsFailed);
        this.inc({ result: 'throttled' }, sources().loginsThrottled());
      },
    });
    counter('termsender_registrations_total', 'Accounts registered', () => counts.registrations);
    labeled('termsender_requests_total', 'Requests read, by type', 'type', () => counts.requests);
    labeled('termsender_errors_sent_total', 'Error frames sent, by code', 'code', () => counts.errors);
    counter('termsender_messages_stored_total', 'Chat messages stored by this node', () => counts.messagesStored);
    labeled('termsender_deliveries_total', 'Frames delivered to connections (messages, presence, direct messages)', 'kind', () => counts.deliveries);
    counter('termsender_received_bytes_total', 'Bytes of frames received', () => counts.bytesIn);
    counter('termsender_sent_bytes_total', 'Bytes of frames sent', () => counts.bytesOut);
    counter('termsender_slow_consumers_total', 'Connections cut off as slow consumers', () => counts.slowConsumers);
    gauge('termsender_write_backlog_bytes', 'Unsent output of all connections now', () => this.sources.writeBacklog().total);
    gauge('termsender_write_backlog_max_bytes', 'Unsent output of the most behind connection now', () => this.sources.writeBacklog().max, 'max');
    gauge('termsender_hash_queue_length', 'Password checks waiting for a hashing slot now', () => this.sources.hashQueued());
    gauge('termsender_certificate_expiry_seconds', 'Unix time at which the server certificate in use expires (notAfter); with --workers, the soonest', () => this.certificateExpirySeconds, 'min');
    if (cluster) {
      gauge('termsender_cluster_redis_connected', 'Cluster mode: 1 while this node\'s Redis connections are ready', () => this.sources.redisConnected());
      counter('termsender_cluster_swept_members_total', 'Cluster mode: members of dead nodes removed by this node', () => counts.sweptMembers);
    }
    const loop = this.loopDelay;
    if (loop !== undefined) {
      new Gauge({
        name: 'termsender_event_loop_delay_seconds', help: 'Event-loop delay since the last scrape (perf_hooks monitorEventLoopDelay)',
        labelNames: ['stat'], registers, aggregator: 'max',
        collect() {
          const seconds = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns / 1e9 - LOOP_RESOLUTION_MS / 1000) : 0);
          this.set({ stat: 'p50' }, seconds(loop.percentile(50)));
          this.set({ stat: 'p99' }, seconds(loop.percentile(99)));
          this.set({ stat: 'max' }, seconds(loop.max));
          loop.reset();
        },
      });
    }
  }
}
