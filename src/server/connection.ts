/**
 * One client connection: feeds bytes to the frame decoder, runs requests one
 * at a time through the session state machine, applies handlers' steps, and
 * owns the connection's timers. Every failure goes through `fail`; every close
 * goes through `close`.
 */
import type { TLSSocket } from 'node:tls';
import { ProtocolError } from '../protocol/errors.js';
import { FrameDecoder, LENGTH_PREFIX_BYTES } from '../protocol/frame.js';
import type { ServerMessage } from '../protocol/messages.js';
import { parseRequest } from '../protocol/validate.js';
import type { ServerContext, Step } from './context.js';
import { dispatch } from './dispatch.js';
import type { HubMember } from './hub.js';
import { TokenBucket } from './rate-limit.js';
import { INITIAL_SESSION, type SessionState } from './session.js';
import type { WriteBatcher } from './write-batcher.js';

/** How long a closing connection may take to flush its last frames. */
const CLOSE_GRACE_MS = 2_000;

function asProtocolError(error: unknown, id: number | undefined): ProtocolError {
  if (error instanceof ProtocolError) return error.withId(id);
  return new ProtocolError('internal', 'internal server error', { id, cause: error });
}

export class Connection implements HubMember {
  private state: SessionState = INITIAL_SESSION;
  private readonly decoder: FrameDecoder;
  private readonly bucket: TokenBucket;
  /** Resolves when the requests under way are done; undefined when idle. */
  private pumping: Promise<void> | undefined;
  private lastFrameAt = performance.now();
  private authTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: TLSSocket,
    private readonly context: ServerContext,
    private readonly writes: WriteBatcher,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    const { limits } = context.config;
    this.decoder = new FrameDecoder({ maxFrame: limits.maxFrame });
    this.bucket = new TokenBucket(limits.rateLimit);
  }

  get isOpen(): boolean {
    return this.state.kind !== 'closed';
  }

  start(): void {
    const { config } = this.context;
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => this.context.logger.debug('socket error', { reason: error.message }));
    this.socket.on('close', () => this.close());
    this.send({ type: 'welcome', version: 1, server: config.serverName, max_frame: config.limits.maxFrame, registration: config.registration === 'open' });
    this.authTimer = setTimeout(() => this.fail(new ProtocolError('auth_timeout', 'not signed in in time')), config.limits.authTimeoutMs);
    this.armIdleTimer(config.limits.idleTimeoutMs);
  }

  sendFrame(frame: Buffer): void {
    if (this.state.kind === 'closed') return;
    this.writes.write(this.socket, frame);
    if (this.socket.writableLength > this.context.config.limits.maxPendingOutput) {
      this.fail(new ProtocolError('slow_consumer', 'too much unread output'));
    }
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
    this.writes.write(this.socket, frame);
    this.end();
  }

  /** Stops reading and waits for the requests under way (server shutdown). */
  async quiesce(): Promise<void> {
    this.socket.pause();
    await this.pumping;
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
    this.decoder.push(chunk);
    if (this.pumping === undefined) {
      this.pumping = this.pump().finally(() => {
        this.pumping = undefined;
        if (this.state.kind !== 'closed' && this.socket.isPaused()) this.socket.resume();
      });
    } else if (this.decoder.pendingBytes > this.context.config.limits.maxFrame + LENGTH_PREFIX_BYTES) {
      this.socket.pause(); // requests are queuing up: let TCP push back
    }
  }

  private async pump(): Promise<void> {
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
        this.fail(new ProtocolError('rate_limited', `over ${this.context.config.limits.rateLimit} messages per second`, { id: request.id }));
        continue;
      }
      try {
        this.apply(await dispatch(request, this.state, this.context), request.id);
      } catch (error) {
        this.fail(asProtocolError(error, request.id));
      }
    }
  }

  private apply(step: Step, id: number | undefined): void {
    const { hub, encoder } = this.context;
    // A stored message goes out even if its sender has gone meanwhile.
    if (step.broadcast) hub.broadcast(step.broadcast.group, encoder.encode(step.broadcast), this, step.broadcast.seq);
    if (step.direct) hub.sendToUser(step.direct.to, encoder.encode(step.direct));
    if (this.state.kind === 'closed') return;
    if (step.state) this.transition(step.state);
    if (step.reply) this.send(id === undefined ? step.reply : { ...step.reply, id });
    if (step.close) this.end();
  }

  /** Moves to `next`, keeping the hub's view of this connection in step. */
  private transition(next: SessionState): void {
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
    if (next.kind === 'chat' && !sameGroup) hub.enter(next.group, next.user, this, next.joinedAtSeq);
    this.state = next;
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
