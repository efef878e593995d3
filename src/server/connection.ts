/**
 * One client connection: feeds bytes to the frame decoder, runs requests one
 * at a time through the session state machine, applies handlers' steps, and
 * owns the connection's timers. Every failure goes through `fail`; every close
 * goes through `close`.
 */
import type { TLSSocket } from 'node:tls';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError } from '../protocol/errors.js';
import { FrameDecoder, LENGTH_PREFIX_BYTES } from '../protocol/frame.js';
import { PROTOCOL_VERSION } from '../protocol/limits.js';
import type { RequestType, SayRequest, ServerMessage } from '../protocol/messages.js';
import { parseRequest } from '../protocol/validate.js';
import type { Peer } from './address-limits.js';
import type { RequestSource, ServerContext, Step } from './context.js';
import { dispatch } from './dispatch.js';
import type { HubMember } from './hub.js';
import { TokenBucket } from './rate-limit.js';
import { INITIAL_SESSION, type SessionState } from './session.js';
import type { BatchedOutput, WriteBatcher } from './write-batcher.js';

/** How long a closing connection may take to flush its last frames. */
const CLOSE_GRACE_MS = 2_000;
/** `say` requests of one connection under way at once. */
const MAX_PIPELINED = 64;
/** Requests that read much (history, member lists) and are paced by `queryRate`. */
const QUERIES: ReadonlySet<RequestType> = new Set<RequestType>(['join', 'history', 'who', 'list_groups']);
/** Output queued within one turn may reach this many times the backlog bound before the flush. */
const TURN_OUTPUT_FACTOR = 4;
/**
 * A connection's requests are not read while its unsent output is above this
 * share of the backlog bound: a client that asks for much but reads what it
 * gets is slowed down, never cut off as a slow consumer.
 */
const OUTPUT_WATERMARK_SHARE = 1 / 4;

function asProtocolError(error: unknown, id: number | undefined): ProtocolError {
  if (error instanceof ProtocolError) return error.withId(id);
  return new ProtocolError('internal', 'internal server error', { id, cause: error });
}

let connectionCount = 0;

export class Connection implements HubMember, BatchedOutput {
  readonly connectionId = ++connectionCount;
  readonly peer: Peer;
  /** Aborted as the connection closes, so work it queued elsewhere is dropped. */
  private readonly closing = new AbortController();
  private state: SessionState = INITIAL_SESSION;
  private readonly source: RequestSource;
  private readonly decoder: FrameDecoder;
  private readonly bucket: TokenBucket;
  /** Paces the requests that read much (history, member lists): by waiting, not by refusing. */
  private readonly queries: TokenBucket;
  /** Resolves when the requests under way are done; undefined when idle. */
  private pumping: Promise<void> | undefined;
  /** The pipelined `say`s' replies, in order (see pipelineSay). */
  private pipeline: Promise<void> = Promise.resolve();
  private pipelined = 0;
  /** Data came in while the pump was running: run it again when it stops. */
  private arrivedWhilePumping = false;
  private lastFrameAt = performance.now();
  /** The server is stopping: the requests already read are answered without waiting for the client to read. */
  private quiescing = false;
  /** Input received after the connection started closing (dropped). */
  private discardedBytes = 0;
  /** Ends a wait for the client to read (see takeTurn). */
  private stopWaitingForDrain: (() => void) | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: TLSSocket,
    private readonly context: ServerContext,
    private readonly writes: WriteBatcher,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    const { limits } = context.config;
    this.decoder = new FrameDecoder({ maxFrame: limits.maxFrame });
    this.peer = context.addresses.peerOf(socket.remoteAddress);
    this.source = { origin: context.hub.originOf(this), peer: this.peer, signal: this.closing.signal };
    this.bucket = new TokenBucket(limits.rateLimit);
    this.queries = new TokenBucket(limits.queryRate);
  }

  get isOpen(): boolean {
    return this.state.kind !== 'closed';
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
    this.authTimer = setTimeout(() => this.fail(new ProtocolError('auth_timeout', 'not signed in in time')), config.limits.authTimeoutMs);
    this.armIdleTimer(config.limits.idleTimeoutMs);
  }

  sendFrame(frame: Buffer): void {
    if (this.state.kind === 'closed') return;
    this.writes.write(this, frame);
    // A turn's output is judged after its flush (see flushed); this only caps one turn.
    if (this.socket.writableLength > TURN_OUTPUT_FACTOR * this.context.config.limits.maxPendingOutput) this.cutSlowConsumer();
  }

  /** After a turn's flush: what the kernel did not take is this client's backlog. */
  flushed(): void {
    if (this.state.kind !== 'closed' && this.socket.writableLength > this.context.config.limits.maxPendingOutput) this.cutSlowConsumer();
  }

  private cutSlowConsumer(): void {
    this.fail(new ProtocolError('slow_consumer', `more than ${this.context.config.limits.maxPendingOutput} bytes of output unread`));
  }

  send(message: ServerMessage): void {
    this.sendFrame(this.context.encoder.encode(message));
  }

  /** Sends one `error`; closes when the code is fatal. */
  fail(error: ProtocolError): void {
    if (this.state.kind === 'closed') return;
    if (error.code === 'internal') this.context.logger.error('request failed', {}, error.cause ?? error);
    else this.context.logger.debug('protocol error', { code: error.code, reason: error.message });
    const message = error.code === 'internal' ? 'internal server error' : error.message;
    const frame = this.context.encoder.encode({ type: 'error', code: error.code, message, ...(error.id === undefined ? {} : { id: error.id }) });
    if (!error.fatal) {
      this.sendFrame(frame);
      return;
    }
    // Past the output check: a slow consumer's last frame must not fail again.
    this.writes.write(this, frame);
    this.end();
  }

  /** Stops reading and waits for the requests under way (server shutdown). */
  async quiesce(): Promise<void> {
    this.socket.pause();
    this.quiescing = true;
    this.stopWaitingForDrain?.();
    await this.pumping;
    await this.pipeline;
  }

  /** The state, read afresh (TypeScript keeps a narrowed `this.state` across an await). */
  private isClosed(): boolean {
    return this.state.kind === 'closed';
  }

  /** Says `shutdown` and closes. */
  shutdown(message: string): void {
    if (this.state.kind === 'closed') return;
    this.send({ type: 'shutdown', message });
    this.end();
  }

  /** Closes cleanly once the queued output is written, or after a grace period. */
  private end(): void {
    this.transition({ kind: 'closed' });
    this.socket.end();
    this.graceTimer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
  }

  /** The one close path: leaves the hub, clears every timer. Idempotent. */
  private close(): void {
    if (this.state.kind !== 'closed') this.transition({ kind: 'closed' });
    clearTimeout(this.authTimer);
    clearTimeout(this.idleTimer);
    clearTimeout(this.graceTimer);
    this.socket.destroy();
    this.onClosed(this);
  }

  private receive(chunk: Buffer): void {
    if (this.state.kind === 'closed') {
      // A closing connection can no longer ask for anything: its input is dropped, and a
      // client that goes on sending more than a frame's worth is cut at once. (Pausing
      // would not do: a TLS socket that was ended goes on reading into its buffers.)
      this.discardedBytes += chunk.length;
      if (this.discardedBytes > this.context.config.limits.maxFrame) this.socket.destroy();
      return;
    }
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
      if (this.state.kind === 'closed') return;
      if (this.socket.isPaused()) this.socket.resume();
      if (this.arrivedWhilePumping) this.schedulePump();
    });
  }

  private async pumpFrames(): Promise<void> {
    while (this.state.kind !== 'closed') {
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
      if ((request.type === 'say' || request.type === 'dm') && !this.bucket.take()) {
        const refused = new ProtocolError('rate_limited', `over ${this.context.config.limits.rateLimit} messages per second`, { id: request.id });
        // After the replies of the `say`s still under way: replies leave in request order.
        this.pipeline = this.pipeline.then(() => this.fail(refused));
        continue;
      }
      if (request.type === 'say' && this.state.kind === 'chat') {
        await this.pipelineSay(request);
        continue;
      }
      if (QUERIES.has(request.type)) {
        // Meanwhile nothing more is read from this client: its socket pauses, TCP pushes back.
        for (let wait = this.queries.waitMs(); wait > 0; wait = this.queries.waitMs()) await sleep(wait);
        if (this.isClosed()) return;
      }
      await this.pipeline; // anything else sees the state every earlier request left
      // From here on, live messages of the group are kept for this connection until its reply is out.
      if (request.type === 'join' && this.state.kind !== 'auth') this.context.hub.prepareJoin(request.group, this);
      try {
        this.apply(await dispatch(request, this.state, this.context, this.source), request.id);
      } catch (error) {
        this.fail(asProtocolError(error, request.id));
      } finally {
        this.context.hub.cancelJoin(this);
      }
      await this.takeTurn();
    }
  }

  /**
   * Between two requests: other connections get the event loop (a pipelined
   * burst of costly requests must not stall everyone else), and while this
   * connection's output is above the watermark its next request waits until
   * the client has read some.
   */
  private async takeTurn(): Promise<void> {
    await nextTurn();
    const watermark = this.context.config.limits.maxPendingOutput * OUTPUT_WATERMARK_SHARE;
    while (!this.isClosed() && !this.quiescing && this.socket.writableLength > watermark) await this.drainedOrClosed();
  }

  private drainedOrClosed(): Promise<void> {
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

  /**
   * `say` does not wait for its commit before the next frame is read: the
   * store hands out seqs at once, in arrival order, and commits every
   * message of an event-loop turn together. Replies still leave in request
   * order, through one chain; at most MAX_PIPELINED are under way at once.
   */
  private async pipelineSay(request: SayRequest): Promise<void> {
    if (this.pipelined >= MAX_PIPELINED) await this.pipeline;
    const step = dispatch(request, this.state, this.context, this.source);
    this.pipelined += 1;
    this.pipeline = this.pipeline
      .then(() => step)
      .then((done) => this.apply(done, request.id), (error: unknown) => this.fail(asProtocolError(error, request.id)))
      .finally(() => { this.pipelined -= 1; });
  }

  private apply(step: Step, id: number | undefined): void {
    const { hub } = this.context;
    // A stored message goes out even if its sender has gone meanwhile.
    if (step.broadcast) hub.publishMessage(step.broadcast, this);
    if (step.direct) hub.publishDirect(step.direct);
    if (this.state.kind === 'closed') return;
    const caughtUp = step.state ? this.transition(step.state) : [];
    if (step.reply) this.send(id === undefined ? step.reply : { ...step.reply, id });
    for (const frame of caughtUp) this.sendFrame(frame);
    if (step.close) this.end();
  }

  /**
   * Moves to `next`, keeping the hub's view of this connection in step.
   * Returns what arrived for a group being joined while its reply was made.
   */
  private transition(next: SessionState): Buffer[] {
    const previous = this.state;
    const { hub } = this.context;
    const sameGroup = previous.kind === 'chat' && next.kind === 'chat' && previous.group === next.group;
    if (previous.kind === 'chat' && !sameGroup) hub.exit(previous.group, previous.user, this);
    const wasIn = previous.kind === 'group_select' || previous.kind === 'chat';
    const isIn = next.kind === 'group_select' || next.kind === 'chat';
    if (wasIn && !isIn) hub.signOut(previous.user, this);
    if (!wasIn && isIn) {
      clearTimeout(this.authTimer);
      hub.signIn(next.user, this);
    }
    this.state = next;
    if (next.kind === 'closed') this.closing.abort();
    return next.kind === 'chat' && !sameGroup ? hub.enter(next.group, next.user, this, next.joinedAtSeq) : [];
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
