/**
 * The protocol over a FrameLink (a verified TLS socket, or memory): typed
 * requests with ids, replies matched to them, and unsolicited messages as
 * events. Knows nothing of the terminal.
 */
import { EventEmitter } from 'node:events';
import { assertNever, errorMessage, ProtocolError } from '../protocol/errors.js';
import { FrameEncoder, LENGTH_PREFIX_BYTES } from '../protocol/frame.js';
import { DEFAULT_LIMITS, MAX_REQUEST_ID } from '../protocol/limits.js';
import type {
  ChatMessage, DirectMessage, ErrorMessage, MessageDeletedMessage, ModerationNotice, NoticeMessage, PresenceMessage, Request, ServerMessage, ShutdownMessage,
  WelcomeMessage,
} from '../protocol/messages.js';
import { isUnknownUnsolicited, parseServerMessage } from '../protocol/server-message-parse.js';
import type { FrameLink } from '../transport/frame-link.js';
import { checkServerMessage } from './server-rules.js';
import { explainTlsFailure } from './tls-problems.js';

/** A request as the caller writes it: the client adds the id. */
export type Outgoing = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;
/** The server message of type `T`: what `call` resolves with. */
export type ReplyOfType<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
export type Unsolicited = ChatMessage | PresenceMessage | DirectMessage | ErrorMessage | ShutdownMessage | ModerationNotice | NoticeMessage;

interface Pending {
  resolve: (message: ServerMessage) => void;
  reject: (error: Error) => void;
}

/** The connection closed; `error` says why when it was not asked for. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
}

/**
 * No reply within the timeout. The request may or may not have been handled
 * (a `say` may be stored): the answer is unknown, not "no". The connection is
 * closed with it (a server that answers in order and did not answer this one
 * answers nothing after it either), so that the owner reconnects and finds out.
 */
export class ReplyTimeoutError extends Error {
  override readonly name = 'ReplyTimeoutError';
}

/** The server broke the protocol (framing, field types or rules): what it sends cannot be trusted, and reconnecting will not cure it. */
export class ServerBrokeProtocolError extends Error {
  override readonly name = 'ServerBrokeProtocolError';
}

/** Whether `error` is, or was caused by, the server breaking the protocol (docs/protocol.md: the client exits 1). */
export function brokeProtocol(error: unknown): boolean {
  return error instanceof ServerBrokeProtocolError || (error instanceof ConnectionClosedError && error.cause instanceof ServerBrokeProtocolError);
}

export interface ProtocolClientEvents {
  message: [Unsolicited];
  /** January addition: a message was removed (its own event: views that predate it need not handle it). */
  message_deleted: [MessageDeletedMessage];
  close: [Error | undefined];
}

/**
 * How long the server may take to send `welcome`, and to answer each request
 * (`--timeout`). Above the server's longest deliberate delay: a login for a
 * name that keeps failing is answered after up to 10 s (its login throttle).
 */
export const DEFAULT_SERVER_TIMEOUT_MS = 15_000;

/**
 * Frames the client accepts, judged by the length prefix alone, before any of
 * the body is awaited or buffered:
 * - until `welcome`, at most the protocol's default max_frame: a `welcome` (or
 *   an `error` in its place) is a few hundred bytes;
 * - after it, at most the max_frame that `welcome` announced (the server never
 *   sends a longer frame: it cuts long replies to fit), and never more than
 *   MAX_INCOMING_FRAME_CEILING, whatever it announced. The largest reply the
 *   protocol needs is a `joined` with 1,000 stored messages of 4,096-byte
 *   texts: about 4.2 MB, plus its member list; 16 MiB leaves room for that
 *   several times over.
 */
export const PRE_WELCOME_MAX_FRAME = DEFAULT_LIMITS.maxFrame;
export const MAX_INCOMING_FRAME_CEILING = 16 * 1024 * 1024;

export interface ProtocolClientOptions {
  /** How long `welcome`, and each reply, may take (DEFAULT_SERVER_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
}

export class ProtocolClient extends EventEmitter<ProtocolClientEvents> {
  private readonly encoder = new FrameEncoder();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closedWith: Error | undefined;
  private closed = false;
  private welcomeWaiter: Pending | undefined;
  /** The server's max_frame, once welcomed. */
  maxFrame = Number.POSITIVE_INFINITY;
  private lastWrite = Date.now();
  private keepAliveTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly link: FrameLink, private readonly timeoutMs: number) {
    super();
    link.setMaxFrame(PRE_WELCOME_MAX_FRAME);
    link.start({
      received: () => this.receive(),
      flushed: () => undefined,
      failed: (error) => {
        // TLS 1.3 refuses a missing client certificate after the handshake: still said in words.
        const plain = explainTlsFailure(error);
        this.closedWith ??= plain === undefined ? error : new Error(plain, { cause: error });
      },
      closed: () => this.finish(),
    });
  }

  /** Runs on a link (verified, nothing written yet) and waits for `welcome`; on any failure the link is closed. */
  static async open(link: FrameLink, options: ProtocolClientOptions = {}): Promise<{ client: ProtocolClient; welcome: WelcomeMessage }> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_SERVER_TIMEOUT_MS;
    const client = new ProtocolClient(link, timeoutMs);
    try {
      const message = await new Promise<ServerMessage>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the server sent no welcome within ${timeoutMs / 1000} s`)), timeoutMs);
        client.welcomeWaiter = {
          resolve: (welcome) => { clearTimeout(timer); resolve(welcome); },
          reject: (error) => { clearTimeout(timer); reject(error); },
        };
      });
      if (message.type === 'error') throw new ProtocolError(message.code, message.message);
      if (message.type !== 'welcome') throw new ProtocolError('bad_message', `expected welcome, got ${message.type}`);
      client.maxFrame = message.max_frame;
      return { client, welcome: message };
    } catch (error) {
      client.destroy();
      throw error;
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends a request and resolves with its reply of type `expect`; an `error` reply rejects with its code. */
  async call<T extends ServerMessage['type']>(request: Outgoing, expect: T, timeoutMs = this.timeoutMs): Promise<ReplyOfType<T>> {
    const id = this.nextId;
    this.nextId = this.nextId >= MAX_REQUEST_ID ? 1 : this.nextId + 1;
    this.write({ ...request, id });
    const reply = await new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const error = new ReplyTimeoutError(`no reply to '${request.type}' within ${timeoutMs / 1000} s`);
        reject(error);
        this.abandon(new Error(`the server stopped answering (${error.message})`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (message) => { clearTimeout(timer); resolve(message); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
    });
    if (reply.type === 'error') throw new ProtocolError(reply.code, reply.message);
    if (!isType(reply, expect)) throw new ProtocolError('bad_message', `expected ${expect}, got ${reply.type}`);
    return reply;
  }

  /** Says bye and waits for the server to close (or for `timeoutMs`). */
  async bye(timeoutMs = 2_000): Promise<void> {
    if (this.closed) return;
    const closed = new Promise<void>((resolve) => this.once('close', () => resolve()));
    this.write({ type: 'bye' });
    const timer = setTimeout(() => this.link.destroy(), timeoutMs);
    await closed;
    clearTimeout(timer);
  }

  destroy(): void {
    this.link.destroy();
  }

  /** Closes the connection now, `reason` saying why (the `close` event is emitted before this returns). */
  abandon(reason: Error): void {
    this.closedWith ??= reason;
    this.link.destroy();
    this.finish();
  }

  /**
   * Sends `ping` whenever nothing was sent for `intervalMs`, so that the
   * server's idle timeout never closes a quiet session; a ping left without
   * its pong closes the connection (a server gone without a word), which the
   * owner sees as a `close` like any other.
   */
  keepAlive(intervalMs: number): void {
    clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = setInterval(() => {
      if (this.closed || Date.now() - this.lastWrite < intervalMs) return;
      // A ping left without its pong closes the connection (`call` does, as for any request).
      this.call({ type: 'ping' }, 'pong', Math.max(1_000, intervalMs)).catch(() => undefined);
    }, Math.max(250, intervalMs / 4));
    this.keepAliveTimer.unref();
  }

  /** @throws ConnectionClosedError when closed; ProtocolError when over the server's max_frame. */
  private write(request: Request): void {
    if (this.closed) throw new ConnectionClosedError('not connected');
    const frame = this.encoder.encode(request);
    const size = frame.length - LENGTH_PREFIX_BYTES;
    if (size > this.maxFrame) {
      throw new ProtocolError('frame_too_large', `the request is ${size} bytes; the server takes at most ${this.maxFrame}`);
    }
    this.link.send(frame);
    this.lastWrite = Date.now();
  }

  private receive(): void {
    for (;;) {
      let message: ServerMessage;
      try {
        const body = this.link.next();
        if (body === undefined) return;
        // A newer unsolicited type (topic, kicked, activity…) is ignored, as the protocol allows; not in place of welcome.
        if (this.welcomeWaiter === undefined && isUnknownUnsolicited(body)) continue;
        message = parseServerMessage(body);
        checkServerMessage(message);
      } catch (error) {
        // Framing, field types or rules: the stream can no longer be trusted, and nothing after it is read.
        this.abandon(new ServerBrokeProtocolError(`the server broke the protocol: ${errorMessage(error)}`, { cause: error }));
        return;
      }
      // Judged here, before the next prefix is read: the frames after `welcome` are bound by what it announced.
      if (this.welcomeWaiter !== undefined && message.type === 'welcome') {
        this.link.setMaxFrame(Math.min(message.max_frame, MAX_INCOMING_FRAME_CEILING));
      }
      this.dispatch(message);
    }
  }

  private dispatch(message: ServerMessage): void {
    if (this.welcomeWaiter !== undefined) {
      const waiter = this.welcomeWaiter;
      this.welcomeWaiter = undefined;
      waiter.resolve(message);
      return;
    }
    const id = 'id' in message ? message.id : undefined;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (id !== undefined && pending !== undefined) {
      this.pending.delete(id);
      pending.resolve(message);
      return;
    }
    switch (message.type) {
      case 'msg': case 'presence': case 'dm': case 'error': case 'shutdown':
      case 'topic': case 'kicked': case 'group_deleted': case 'activity': case 'role': case 'account_role': case 'notice':
        this.emit('message', message);
        return;
      case 'welcome': case 'auth_ok': case 'groups': case 'group_created': case 'joined':
      case 'ack': case 'members': case 'history': case 'left': case 'pong': case 'ok':
      case 'conversations': case 'dm_history': case 'blocked':
        return; // a reply nobody waits for any more (timed out), or a second welcome
      case 'message_deleted':
        this.emit('message_deleted', message);
        return;
      default:
        assertNever(message);
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAliveTimer);
    const error = this.closedWith
      ? new ConnectionClosedError(`connection closed: ${this.closedWith.message}`, { cause: this.closedWith })
      : new ConnectionClosedError('connection closed');
    this.welcomeWaiter?.reject(error);
    this.welcomeWaiter = undefined;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.emit('close', this.closedWith);
  }
}

function isType<T extends ServerMessage['type']>(message: ServerMessage, type: T): message is ReplyOfType<T> {
  return message.type === type;
}
