/**
 * One client connection as a socket shell: bytes in through the frame
 * decoder, requests handed one at a time to its SessionRunner, frames out
 * through the write batcher, backpressure both ways, and the auth, idle and
 * close timers. Every failure goes through `fail`; every close goes through
 * `close`. It takes any Duplex: a TLS socket on the server, an in-memory
 * pair in tests.
 */
import type { Duplex } from 'node:stream';
import { ProtocolError } from '../protocol/errors.js';
import { FrameDecoder, LENGTH_PREFIX_BYTES } from '../protocol/frame.js';
import { PROTOCOL_VERSION } from '../protocol/limits.js';
import type { GroupNotice, ServerMessage } from '../protocol/messages.js';
import { parseRequest } from '../protocol/validate.js';
import type { Peer } from './address-limits.js';
import type { Clock } from './clock.js';
import type { ServerContext } from './context.js';
import { asProtocolError, type SessionPort, SessionRunner } from './session-runner.js';
import type { BatchedOutput, WriteBatcher } from './write-batcher.js';
import { OutputQueue } from './output-queue.js';

/** How long a closing connection may take to flush its last frames. */
const CLOSE_GRACE_MS = 2_000;
/**
 * The same for a slow consumer, whose backlog was dropped: only its error
 * waits (behind what the kernel holds), for a client that reads late.
 */
const SLOW_CONSUMER_GRACE_MS = 10_000;
/** Output queued within one turn may reach this many times the backlog bound before the flush. */
const TURN_OUTPUT_FACTOR = 4;

/** The stream a connection runs on; a network socket also tells its peer's address. */
export type ConnectionSocket = Duplex & { readonly remoteAddress?: string | undefined };

let connectionCount = 0;

export class Connection implements SessionPort, BatchedOutput {
  readonly connectionId = ++connectionCount;
  readonly peer: Peer;
  private readonly session: SessionRunner;
  private readonly decoder: FrameDecoder;
  private readonly output: OutputQueue;
  private closeGraceMs = CLOSE_GRACE_MS;
  /** Resolves when the requests under way are done; undefined when idle. */
  private pumping: Promise<void> | undefined;
  /** Data came in while the pump was running: run it again when it stops. */
  private arrivedWhilePumping = false;
  private lastFrameAt = performance.now();
  /** Input received after the connection started closing (dropped). */
  private discardedBytes = 0;
  /** Ends a wait for the client to read (see drained). */
  private stopWaitingForDrain: (() => void) | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  /** The write batcher's slot (see BatchedOutput). */
  pendingFrames: Buffer[] | undefined = undefined;
  pendingBytes = 0;

  constructor(
    readonly socket: ConnectionSocket,
    private readonly context: ServerContext,
    private readonly writes: WriteBatcher,
    private readonly onClosed: (connection: Connection) => void,
    clock?: Clock,
    /** As the server admitted it; worked out from the socket when not given. */
    peer?: Peer,
  ) {
    this.decoder = new FrameDecoder({ maxFrame: context.config.limits.maxFrame });
    this.output = new OutputQueue(socket);
    this.peer = peer ?? context.addresses.peerOf(socket.remoteAddress);
    this.session = new SessionRunner(this, context, this.peer, clock);
  }

  get isOpen(): boolean {
    return !this.session.isClosed;
  }

  /** The session's state now (read by the check of what the admin command changed, store-changes.ts). */
  get state(): SessionRunner['state'] {
    return this.session.state;
  }

  /** Output not yet taken by the kernel: in the socket, waiting for it, and gathered for this turn's write. */
  get outputBacklog(): number {
    return this.output.backlog + this.pendingBytes;
  }

  deliver(bytes: Buffer): void {
    this.output.write(bytes);
  }

  start(): void {
    const { config } = this.context;
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => {
      // Not always fatal for Node (a refused renegotiation only reports): always fatal here.
      this.context.logger.debug('socket error', { reason: error.message });
      this.socket.destroy();
    });
    this.socket.on('close', () => this.close());
    this.send({
      type: 'welcome', version: PROTOCOL_VERSION, server: config.serverName, max_frame: config.limits.maxFrame, registration: config.registration === 'open',
      idle_timeout: Math.floor(config.limits.idleTimeoutMs / 1000),
    });
    this.authTimer = setTimeout(() => {
      if (this.session.state.kind === 'auth') this.fail(new ProtocolError('auth_timeout', 'not signed in in time'));
    }, config.limits.authTimeoutMs);
    this.armIdleTimer(config.limits.idleTimeoutMs);
  }

  sendFrame(frame: Buffer): void {
    if (this.session.isClosed) return;
    this.context.metrics.counts.bytesOut += frame.length;
    this.writes.write(this, frame);
    // A turn's output is judged after its flush (see flushed); this only caps one turn.
    if (this.outputBacklog > TURN_OUTPUT_FACTOR * this.context.config.limits.maxPendingOutput) this.cutSlowConsumer();
  }

  /** After a turn's flush: what the kernel did not take is this client's backlog. */
  flushed(): void {
    if (!this.session.isClosed && this.output.backlog > this.context.config.limits.maxPendingOutput) this.cutSlowConsumer();
  }

  /** Drops the output the socket has not taken (whole frames), so that the error comes right behind what it has. */
  private cutSlowConsumer(): void {
    this.context.metrics.counts.slowConsumers += 1;
    this.output.drop();
    this.writes.discard(this);
    this.closeGraceMs = SLOW_CONSUMER_GRACE_MS;
    this.fail(new ProtocolError('slow_consumer', `more than ${this.context.config.limits.maxPendingOutput} bytes of output unread`));
  }

  send(message: ServerMessage): void {
    this.sendFrame(this.context.encoder.encode(message));
  }

  removeFromGroup(group: string, notice: GroupNotice): void {
    this.session.removeFromGroup(group, notice);
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
    this.writes.write(this, frame);
    this.end();
  }

  /** Stops reading and waits for the requests under way (server shutdown). */
  async quiesce(): Promise<void> {
    this.socket.pause();
    this.session.quiesce();
    this.stopWaitingForDrain?.();
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
   * consumer, timeouts, shutdown): input flows again, into `receive`, which
   * drops it and resets a client that sends more than a frame's worth.
   */
  end(): void {
    this.session.close();
    this.writes.flushNow(this);
    this.output.end();
    this.socket.resume(); // paused while a request ran, it would never be read again, and TLS reads on
    this.graceTimer = setTimeout(() => this.socket.destroy(), this.closeGraceMs);
  }

  /** Resolves when the socket drained or closed, or when the server stops waiting (quiesce). */
  drained(): Promise<void> {
    this.writes.flushNow(this);
    // 'drain' comes only after a write the socket could not take at once; otherwise look
    // again next turn (never at once: the caller loops while the backlog is high).
    if (!this.socket.writableNeedDrain) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        this.stopWaitingForDrain = undefined;
        resolve();
      };
      this.stopWaitingForDrain = done;
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** The one close path: leaves the hub, clears every timer. Idempotent. */
  private close(): void {
    this.session.close();
    clearTimeout(this.authTimer);
    clearTimeout(this.idleTimer);
    clearTimeout(this.graceTimer);
    this.socket.destroy();
    this.onClosed(this);
  }

  private receive(chunk: Buffer): void {
    if (this.session.isClosed) {
      // A closing connection can no longer ask for anything: its input is dropped, and a
      // client that goes on sending more than a frame's worth is cut at once. (Leaving the
      // socket paused would not do: a TLS socket that was ended goes on reading into its
      // buffers; `end` makes the input flow here.)
      this.discardedBytes += chunk.length;
      if (this.discardedBytes > this.context.config.limits.maxFrame) this.socket.destroy();
      return;
    }
    this.context.metrics.counts.bytesIn += chunk.length;
    this.decoder.push(chunk);
    this.schedulePump();
  }

  /** Runs the pump unless it runs already; data that arrives meanwhile gets another run. */
  private schedulePump(): void {
    if (this.pumping !== undefined) {
      this.arrivedWhilePumping = true;
      if (this.decoder.pendingBytes > this.context.config.limits.maxFrame + LENGTH_PREFIX_BYTES) {
        this.socket.pause(); // requests are queuing up: let TCP push back
      }
      return;
    }
    this.arrivedWhilePumping = false;
    this.pumping = this.pumpFrames().finally(() => {
      this.pumping = undefined;
      if (this.session.isClosed) return;
      if (this.socket.isPaused()) this.socket.resume();
      if (this.arrivedWhilePumping) this.schedulePump();
    });
  }

  /** Decodes and validates frames; the session runs each request before the next is read. */
  private async pumpFrames(): Promise<void> {
    while (!this.session.isClosed) {
      let body;
      try {
        body = this.decoder.next();
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
