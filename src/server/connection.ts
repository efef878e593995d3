/**
 * One client connection on a FrameLink: requests handed one at a time to
 * its SessionRunner, frames out through the link, backpressure both ways,
 * and the auth, idle and close timers. Every failure goes through `fail`;
 * every close goes through `close`. The link carries the bytes: a TLS
 * socket on the server (StreamFrameLink), an in-memory pair in tests.
 */
import { ProtocolError } from '../protocol/errors.js';
import { LENGTH_PREFIX_BYTES } from '../protocol/frame.js';
import { PROTOCOL_VERSION } from '../protocol/limits.js';
import type { AccountRole, GroupNotice, ServerMessage } from '../protocol/messages.js';
import { parseRequest } from '../protocol/validate.js';
import type { FrameLink, FrameLinkHandler } from '../transport/frame-link.js';
import type { Peer } from './address-limits.js';
import type { Clock } from './clock.js';
import type { ServerContext } from './context.js';
import { asProtocolError, type SessionPort, SessionRunner } from './session-runner.js';

/** How long a closing connection may take to flush its last frames. */
const CLOSE_GRACE_MS = 2_000;
/**
 * The same for a slow consumer, whose backlog was dropped: only its error
 * waits (behind what the kernel holds), for a client that reads late.
 */
const SLOW_CONSUMER_GRACE_MS = 10_000;
/** Output queued within one turn may reach this many times the backlog bound before the flush. */
const TURN_OUTPUT_FACTOR = 4;

let connectionCount = 0;

export class Connection implements SessionPort, FrameLinkHandler {
  readonly connectionId = ++connectionCount;
  readonly peer: Peer;
  private readonly session: SessionRunner;
  private closeGraceMs = CLOSE_GRACE_MS;
  /** Resolves when the requests under way are done; undefined when idle. */
  private pumping: Promise<void> | undefined;
  /** Data came in while the pump was running: run it again when it stops. */
  private arrivedWhilePumping = false;
  private lastFrameAt = performance.now();
  private authTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly link: FrameLink,
    private readonly context: ServerContext,
    private readonly onClosed: (connection: Connection) => void,
    clock?: Clock,
    /** As the server admitted it; worked out from the link when not given. */
    peer?: Peer,
  ) {
    this.peer = peer ?? context.addresses.peerOf(link.peer.address);
    this.session = new SessionRunner(this, context, this.peer, clock);
  }

  get isOpen(): boolean {
    return !this.session.isClosed;
  }

  /** The session's state now (read by the check of what the admin command changed, store-changes.ts). */
  get state(): SessionRunner['state'] {
    return this.session.state;
  }

  /** Output not yet taken by the transport, this turn's included. */
  get outputBacklog(): number {
    return this.link.backlog;
  }

  start(): void {
    const { config } = this.context;
    this.link.start(this);
    this.send({
      type: 'welcome', version: PROTOCOL_VERSION, server: config.serverName, max_frame: config.limits.maxFrame, registration: config.registration === 'open',
      idle_timeout: Math.floor(config.limits.idleTimeoutMs / 1000),
    });
    this.armAuthTimer(config.limits.authTimeoutMs, performance.now());
    this.armIdleTimer(config.limits.idleTimeoutMs);
  }

  sendFrame(frame: Buffer): void {
    if (this.session.isClosed) return;
    this.context.metrics.counts.bytesOut += frame.length;
    this.link.send(frame);
    // A turn's output is judged after its flush (see flushed); this only caps one turn.
    if (this.outputBacklog > TURN_OUTPUT_FACTOR * this.context.config.limits.maxPendingOutput) this.cutSlowConsumer();
  }

  /** After a turn's flush: what the transport did not take is this client's backlog. */
  flushed(unsent: number): void {
    if (!this.session.isClosed && unsent > this.context.config.limits.maxPendingOutput) this.cutSlowConsumer();
  }

  /** The transport failed: the link closes next. */
  failed(error: Error): void {
    this.context.logger.debug('socket error', { reason: error.message });
  }

  /** Input arrived: counted, then read as frames. */
  received(bytes: number): void {
    this.context.metrics.counts.bytesIn += bytes;
    this.schedulePump();
  }

  /** The link closed, from either end. */
  closed(): void {
    this.close();
  }

  /** Drops the output the socket has not taken (whole frames), so that the error comes right behind what it has. */
  private cutSlowConsumer(): void {
    this.context.metrics.counts.slowConsumers += 1;
    this.link.dropBacklog();
    this.closeGraceMs = SLOW_CONSUMER_GRACE_MS;
    this.fail(new ProtocolError('slow_consumer', `more than ${this.context.config.limits.maxPendingOutput} bytes of output unread`));
  }

  send(message: ServerMessage): void {
    this.sendFrame(this.context.encoder.encode(message));
  }

  removeFromGroup(group: string, notice: GroupNotice): void {
    this.session.removeFromGroup(group, notice);
  }

  /** The account's role read now: `account_role` when it is not the one the connection was told (account-roles.ts). */
  accountRoleIs(role: AccountRole): void {
    this.session.accountRoleIs(role);
  }

  /** Sends one `error`; closes when the code is fatal. */
  fail(error: ProtocolError): void {
    if (this.session.isClosed) return;
    this.context.metrics.error(error.code);
    if (error.code === 'internal') this.context.logger.error('request failed', {}, error.cause ?? error);
    else this.context.logger.debug('protocol error', { code: error.code, reason: error.message });
    const message = error.code === 'internal' ? 'internal server error' : error.message;
    const frame = this.context.encoder.encode({ type: 'error', code: error.code, message, ...(error.id === undefined ? {} : { id: error.id }) });
    if (!error.fatal) {
      this.sendFrame(frame);
      return;
    }
    // Past the output check: a slow consumer's last frame must not fail again.
    this.context.metrics.counts.bytesOut += frame.length;
    this.link.send(frame);
    this.end();
  }

  /** Stops reading and waits for the requests under way (server shutdown). */
  async quiesce(): Promise<void> {
    this.link.pause();
    this.session.quiesce();
    this.link.stopWaiting();
    await this.pumping;
    await this.session.settled();
  }

  /** Says `shutdown` and closes. */
  shutdown(message: string): void {
    if (this.session.isClosed) return;
    this.send({ type: 'shutdown', message });
    this.end();
  }

  /**
   * Closes cleanly once the queued output is written, or after a grace period.
   * Every close decision comes here (bye, fatal error, disabled account, slow
   * consumer, timeouts, shutdown): the link drops input from then on and
   * resets a client that sends more than a frame's worth.
   */
  end(): void {
    this.session.close();
    this.link.end();
    this.graceTimer = setTimeout(() => this.link.destroy(), this.closeGraceMs);
  }

  /** Resolves when the socket drained or closed, or when the server stops waiting (quiesce). */
  drained(): Promise<void> {
    return this.link.drained();
  }

  /** The one close path: leaves the hub, clears every timer. Idempotent. */
  private close(): void {
    this.session.close();
    clearTimeout(this.authTimer);
    clearTimeout(this.idleTimer);
    clearTimeout(this.graceTimer);
    this.link.destroy();
    this.onClosed(this);
  }

  /** Runs the pump unless it runs already; data that arrives meanwhile gets another run. */
  private schedulePump(): void {
    if (this.pumping !== undefined) {
      this.arrivedWhilePumping = true;
      if (this.link.buffered > this.context.config.limits.maxFrame + LENGTH_PREFIX_BYTES) {
        this.link.pause(); // requests are queuing up: let TCP push back
      }
      return;
    }
    this.arrivedWhilePumping = false;
    this.pumping = this.pumpFrames().finally(() => {
      this.pumping = undefined;
      if (this.session.isClosed) return;
      if (this.link.paused) this.link.resume();
      if (this.arrivedWhilePumping) this.schedulePump();
    });
  }

  /** Decodes and validates frames; the session runs each request before the next is read. */
  private async pumpFrames(): Promise<void> {
    while (!this.session.isClosed) {
      let body;
      try {
        body = this.link.next();
      } catch (error) {
        this.fail(asProtocolError(error, undefined));
        continue;
      }
      if (body === undefined) return;
      this.lastFrameAt = performance.now();
      let request;
      try {
        request = parseRequest(body);
      } catch (error) {
        this.fail(asProtocolError(error, undefined));
        continue;
      }
      await this.session.run(request);
    }
  }

  /** `--auth-timeout` from `startedAt`, not counting the time its password checks waited for a hashing slot. */
  private armAuthTimer(delayMs: number, startedAt: number): void {
    this.authTimer = setTimeout(() => {
      if (this.session.state.kind !== 'auth') return;
      const counted = performance.now() - startedAt - this.session.hashWaits.waitedMs();
      const left = this.context.config.limits.authTimeoutMs - counted;
      if (left > 0) this.armAuthTimer(left, startedAt);
      else this.fail(new ProtocolError('auth_timeout', 'not signed in in time'));
    }, delayMs);
  }

  /** One timer per connection, re-armed lazily instead of reset on every frame. */
  private armIdleTimer(delayMs: number): void {
    this.idleTimer = setTimeout(() => {
      const idleFor = performance.now() - this.lastFrameAt;
      const limit = this.context.config.limits.idleTimeoutMs;
      if (idleFor >= limit) this.fail(new ProtocolError('idle_timeout', `no frame for ${Math.round(limit / 1000)} s`));
      else this.armIdleTimer(limit - idleFor);
    }, delayMs);
  }
}
