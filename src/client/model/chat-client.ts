/**
 * The client's model: the one place that builds requests and reads replies.
 * It owns sign-in, the group the connection is in and the last seq seen in
 * it, sending each message exactly once, reconnecting and resuming; views
 * (line mode, a bot) listen to its typed events (events.ts). It runs on any
 * FrameLink: `connect` opens one (a verified TLS link, tls-link.ts, or an
 * in-memory one in tests).
 *
 * Exactly once: a `say` waits for its ack before the next goes. The server
 * acks a `say` only after it stored it, so one whose ack was not seen when
 * the connection dropped (or that got no reply within the timeout: the
 * connection is dropped then) may or may not be stored. The rejoin asks for
 * everything after the last seq seen *before it was sent*: if stored, it is
 * there (seqs only grow), from this user with the same text. Found, it is
 * done; not found, it is sent again.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, ProtocolError } from '../../protocol/errors.js';
import type { AckReply, JoinedReply, LeftReply, StoredMessage } from '../../protocol/messages.js';
import type { FrameLink } from '../../transport/frame-link.js';
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import { brokeProtocol, ConnectionClosedError, type ProtocolClient, ReplyTimeoutError, type Unsolicited } from '../client.js';
import { MissedMessages } from './resume.js';
import { type Credentials, joinGroup, openConnection, signInAccount } from '../sign-in.js';
import { type ChatClientEvents, GaveUpError, type SignedIn, tellUnsolicited } from './events.js';
import { reconnectFor } from './reconnect.js';
import { directMessage, join, leave, say } from './requests.js';
import { isStoredCopy } from './stored-copy.js';

export { GaveUpError, type ChatClientEvents, type SignedIn } from './events.js';
export type { Credentials } from '../sign-in.js';

/** `rate_limited` answers to one message that are waited out before it fails. */
const MAX_RATE_RETRIES = 8;
const RATE_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 5_000, random: Math.random };

export interface ChatClientOptions {
  /** Opens a link to the server: verified TLS (`openTlsLink`), or an in-memory one. Called again to reconnect. */
  connect(): Promise<FrameLink>;
  /** How long `welcome`, and each reply, may take (DEFAULT_SERVER_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
  /** How long to keep reconnecting after a drop, in ms, once a group is joined; 0 (the default): never. */
  reconnectForMs?: number | undefined;
  /** The delays between reconnect tries (DEFAULT_BACKOFF). */
  backoff?: BackoffOptions | undefined;
}

/** What a `say` came to: its seq and time, from its ack or from the copy a resume found stored. */
export interface Said {
  seq?: number | undefined;
  ts: number;
}

interface Unacked {
  text: string;
  /** The highest seq seen when it was sent: if stored, its seq is above. */
  seqAtSend: number;
  /** The rejoin found it stored. */
  stored: StoredMessage | undefined;
}

export class ChatClient extends EventEmitter<ChatClientEvents> {
  private credentials: Credentials | undefined;
  private signedIn: SignedIn | undefined;
  private joined: string | undefined;
  private lastSeq = 0;
  private unacked: Unacked | undefined;
  private sending: Promise<unknown> = Promise.resolve();
  private recovering: Promise<void> | undefined;
  private leaving = false;
  /** Set when the server broke the protocol: nothing more is tried. */
  private fatal: GaveUpError | undefined;

  private constructor(private connection: ProtocolClient, private readonly options: ChatClientOptions) {
    super();
    this.watch(connection);
  }

  /** Connects (through `options.connect`) and waits for `welcome`. */
  static async open(options: ChatClientOptions): Promise<ChatClient> {
    const { client } = await openConnection(await options.connect(), options.timeoutMs);
    return new ChatClient(client, options);
  }

  /** The user signed in as, spelt as the server does; undefined before sign-in. */
  get self(): string | undefined {
    return this.signedIn?.user;
  }

  /** The group joined last; undefined before a join and after `leave`. */
  get group(): string | undefined {
    return this.joined;
  }

  /** The highest seq seen in the group. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Logs in (or registers with `register`); reconnects sign in again with the same credentials. */
  async signIn(credentials: Credentials, options: { register?: boolean } = {}): Promise<SignedIn> {
    const signedIn = await signInAccount(this.connection, credentials, options.register === true);
    this.credentials = { ...credentials };
    this.signedIn = signedIn;
    this.emit('signed_in', signedIn);
    return signedIn;
  }

  /** Joins `group` (creating it first with `create` when missing): the group a reconnect resumes. */
  async join(group: string, options: { create?: boolean } = {}): Promise<JoinedReply> {
    const joined = await joinGroup(this.connection, group, options.create === true);
    this.joined = joined.group;
    this.lastSeq = joined.last_seq;
    return joined;
  }

  async leave(): Promise<LeftReply> {
    const left = await leave(this.connection);
    this.joined = undefined;
    return left;
  }

  /**
   * Says `text` in the group, exactly once, after what was said before it;
   * resolves once it is acked or found stored after a reconnect. Rejects with
   * the server's refusal (after waiting out `rate_limited`), or GaveUpError.
   */
  say(text: string): Promise<Said> {
    const said = this.sending.then(() => this.sayOnce(text));
    this.sending = said.catch(() => undefined);
    return said;
  }

  /** Sends a direct message (waiting out `rate_limited`); not resent after a drop. */
  dm(to: string, text: string): Promise<AckReply> {
    return this.withRateRetry(() => directMessage(this.connection, to, text));
  }

  /** Waits for a reconnect under way, then says bye. Rejects with GaveUpError when the connection is gone for good. */
  async close(): Promise<void> {
    if (this.recovering) await this.recovering;
    if (this.fatal !== undefined) throw this.fatal;
    this.leaving = true;
    await this.connection.bye();
  }

  /** Closes at once. */
  destroy(): void {
    this.leaving = true;
    this.connection.destroy();
  }

  private async sayOnce(text: string): Promise<Said> {
    const unacked: Unacked = { text, seqAtSend: this.lastSeq, stored: undefined };
    this.unacked = unacked;
    let written = false;
    try {
      for (;;) {
        if (this.recovering) await this.recovering.catch((error: unknown) => {
          if (error instanceof GaveUpError) error.lineMaybeStored = written;
          throw error;
        });
        if (unacked.stored !== undefined) return { seq: unacked.stored.seq, ts: unacked.stored.ts };
        try {
          written ||= this.connection.isOpen;
          const ack = await this.withRateRetry(() => say(this.connection, text));
          this.noteSeq(ack.seq);
          return { seq: ack.seq, ts: ack.ts };
        } catch (error) {
          // No reply in time: unknown, as after a drop (the connection was closed with it).
          const lost = error instanceof ConnectionClosedError || error instanceof ReplyTimeoutError;
          if (this.fatal !== undefined && lost) {
            this.fatal.lineMaybeStored = written;
            throw this.fatal;
          }
          if (!lost || !this.reconnects) throw error;
          this.recovering ??= this.recover();
        }
      }
    } finally {
      this.unacked = undefined;
    }
  }

  private async withRateRetry<T>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof ProtocolError && error.code === 'rate_limited') || attempt >= MAX_RATE_RETRIES) throw error;
        await sleep(backoffDelay(attempt, RATE_BACKOFF));
      }
    }
  }

  /** Whether a drop is reconnected (once a group is joined). */
  private get reconnects(): boolean {
    return (this.options.reconnectForMs ?? 0) > 0;
  }

  private noteSeq(seq: number | undefined): void {
    if (seq !== undefined) this.lastSeq = Math.max(this.lastSeq, seq);
  }

  private watch(connection: ProtocolClient): void {
    connection.on('message', (message) => {
      if (message.type === 'msg') this.noteSeq(message.seq);
      tellUnsolicited(this, message, false);
    });
    connection.on('close', (error) => {
      if (this.leaving || connection !== this.connection || this.joined === undefined) return;
      if (brokeProtocol(error)) {
        this.fatal = new GaveUpError(errorMessage(error), { cause: error });
        if (this.unacked === undefined) this.emit('gave_up', this.fatal);
        return;
      }
      this.emit('lost', error);
      if (!this.reconnects) return;
      const recovering = this.recovering ?? this.recover();
      this.recovering = recovering;
      // A message being sent sees the failure itself; with none, the views are told.
      recovering.catch((failure: unknown) => {
        if (this.unacked === undefined && failure instanceof GaveUpError) this.emit('gave_up', failure);
      });
    });
  }

  /** Reconnects with backoff for `reconnectForMs`; rejects with GaveUpError. */
  private async recover(): Promise<void> {
    const forMs = this.options.reconnectForMs ?? 0;
    this.emit('reconnecting', { forMs });
    try {
      await reconnectFor(forMs, () => this.reconnectOnce(), this.options.backoff);
      this.emit('restored');
    } finally {
      this.recovering = undefined;
    }
  }

  /**
   * One try: connect, sign in, rejoin since the last seq seen (or, with a
   * message unacked, the last seen before it was sent), page by page; then
   * emit what was missed and the live messages that came meanwhile, each once.
   */
  private async reconnectOnce(): Promise<void> {
    const { client } = await openConnection(await this.options.connect(), this.options.timeoutMs);
    const held: Unsolicited[] = [];
    const hold = (message: Unsolicited) => held.push(message);
    client.on('message', hold);
    try {
      const signedIn = await signInAccount(client, this.credentials!, false);
      const group = this.joined!;
      const unacked = this.unacked;
      const seen = this.lastSeq;
      const missed = new MissedMessages(Math.min(seen, unacked?.seqAtSend ?? seen));
      for (let more = true; more;) {
        const page = await join(client, group, missed.lastSeq);
        missed.take(page);
        more = page.more && page.history.length > 0;
      }
      client.off('message', hold);
      this.connection = client;
      this.watch(client);
      this.signedIn = signedIn;
      this.emit('signed_in', signedIn);
      this.lastSeq = Math.max(seen, missed.lastSeq);
      for (const message of missed.messages) {
        const own = unacked !== undefined && unacked.stored === undefined && isStoredCopy(message, signedIn.user, unacked);
        if (own) unacked.stored = message;
        // Never echoed live to its sender, nor now; and what was seen before the drop is not told again.
        else if (message.seq > seen) tellUnsolicited(this, { type: 'msg', ...message }, true);
      }
      for (const message of held) {
        if (message.type === 'msg' && message.seq <= missed.lastSeq) continue;
        if (message.type === 'msg') this.noteSeq(message.seq);
        tellUnsolicited(this, message, false);
      }
    } catch (error) {
      client.destroy();
      throw error;
    }
  }
}
