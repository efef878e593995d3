/**
 * The client's model: the one place that builds requests and reads replies.
 * It owns sign-in, the group the connection is in and the last seq seen in
 * it, sending each message exactly once, reconnecting and resuming; views
 * (the chat screen, line mode, a bot) listen to its typed events (events.ts).
 * It runs on any FrameLink: `connect` opens one (a verified TLS link,
 * tls-link.ts, or an in-memory one in tests); or `over` a connection the chat screen's dialog signed in.
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
import { errorMessage } from '../../protocol/errors.js';
import type { AckReply, JoinedReply, LeftReply, StoredMessage } from '../../protocol/messages.js';
import type { FrameLink } from '../../transport/frame-link.js';
import type { BackoffOptions } from '../backoff.js';
import { brokeProtocol, ConnectionClosedError, type ProtocolClient, ReplyTimeoutError, type Unsolicited } from '../client.js';
import { type Credentials, joinGroup, openConnection, signInAccount } from '../sign-in.js';
import { type Connection, openSignedIn, type Reopen, withRateRetry } from './connection.js';
import { type ChatClientEvents, GaveUpError, type Said, type SignedIn, tellUnsolicited } from './events.js';
import { reconnectFor, reconnectUntilStopped, type UntilStopped } from './reconnect.js';
import { rejoinSince } from './rejoin.js';
import { type Caller, directMessage, leave, say } from './requests.js';
import { isStoredCopy } from './stored-copy.js';

export { GaveUpError, type ChatClientEvents, type Said, type SignedIn } from './events.js';
export type { Credentials } from '../sign-in.js';

export interface ChatClientOptions {
  /** Opens a link to the server: verified TLS (`openTlsLink`), or an in-memory one. Called again to reconnect. */
  connect?(): Promise<FrameLink>;
  /** Instead of `connect` and sign-in at a reconnect: a fresh signed-in connection (the chat screen's). */
  reopen?: Reopen | undefined;
  /** How long `welcome`, and each reply, may take (DEFAULT_SERVER_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
  /** How long to keep reconnecting after a drop, in ms, once a group is joined; 0 (the default): never. */
  reconnectForMs?: number | undefined;
  /** The delays between reconnect tries (DEFAULT_BACKOFF). */
  backoff?: BackoffOptions | undefined;
  /** Reconnect after any drop (in a group or not) until stopped, a page's refusal kept (the chat screen); instead of `reconnectForMs`. */
  untilStopped?: UntilStopped | undefined;
  /** The group a reconnect rejoins and the last seq shown of it, as a view that switches groups shows them; default: the group joined here. */
  resumePoint?(): { group: string; lastSeq: number } | undefined;
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

  private constructor(private connection: Connection, private readonly options: ChatClientOptions) {
    super();
    this.watch(connection);
  }

  /** Over a connection already signed in as `signedIn` (the chat screen's sign-in dialog did it); reconnects sign in with `credentials` unless `reopen`. */
  static over(connection: Connection, signedIn: SignedIn, options: ChatClientOptions, credentials?: Credentials): ChatClient {
    const client = new ChatClient(connection, options);
    client.signedIn = signedIn;
    client.credentials = credentials && { ...credentials };
    return client;
  }

  /** The password was changed (`passwd`): reconnects sign in with it. */
  passwordChanged(password: string): void {
    if (this.credentials !== undefined) this.credentials = { ...this.credentials, password, resumeToken: undefined }; // `passwd` ended the token
  }

  /** Connects (through `options.connect`) and waits for `welcome`. */
  static async open(options: ChatClientOptions & Required<Pick<ChatClientOptions, 'connect'>>): Promise<ChatClient> {
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

  /** The current connection, for requests (model/requests.ts): another one after a reconnect. */
  get caller(): Caller {
    return this.connection;
  }

  /** The highest seq seen in the group. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Logs in (or registers with `register`); reconnects sign in again with the same credentials. */
  async signIn(credentials: Credentials, options: { register?: boolean } = {}): Promise<SignedIn> {
    const signedIn = await signInAccount(this.connection as ProtocolClient, credentials, options.register === true);
    this.credentials = { ...credentials };
    this.signedIn = signedIn;
    this.emit('signed_in', signedIn);
    return signedIn;
  }

  /** Joins `group` (creating it first with `create` when missing): the group a reconnect resumes. */
  async join(group: string, options: { create?: boolean } = {}): Promise<JoinedReply> {
    const joined = await joinGroup(this.connection as ProtocolClient, group, options.create === true);
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
    return withRateRetry(() => directMessage(this.connection, to, text));
  }

  /** Waits for a reconnect under way, then says bye. Rejects with GaveUpError when the connection is gone for good. */
  async close(): Promise<void> {
    if (this.recovering) await this.recovering;
    if (this.fatal !== undefined) throw this.fatal;
    this.leaving = true;
    await this.connection.bye();
  }

  /** Says bye now, without waiting for a reconnect under way (`untilStopped` stops it). */
  async hangUp(): Promise<void> {
    this.leaving = true;
    await this.connection.bye();
  }

  /** Closes at once. */
  destroy(): void {
    this.leaving = true;
    this.connection.destroy?.();
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
          written ||= this.connection.isOpen !== false;
          const ack = await withRateRetry(() => say(this.connection, text));
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

  /** Whether a drop is reconnected (once a group is joined, unless `untilStopped`). */
  private get reconnects(): boolean {
    return (this.options.reconnectForMs ?? 0) > 0 || this.options.untilStopped !== undefined;
  }

  private noteSeq(seq: number | undefined): void {
    if (seq !== undefined) this.lastSeq = Math.max(this.lastSeq, seq);
  }

  private watch(connection: Connection): void {
    connection.on('message', (message) => {
      if (message.type === 'msg') this.noteSeq(message.seq);
      tellUnsolicited(this, message, false);
    });
    connection.on('close', (error) => {
      if (this.leaving || connection !== this.connection || (this.joined === undefined && this.options.untilStopped === undefined)) return;
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

  /** Reconnects with backoff for `reconnectForMs` (or `untilStopped`); rejects with GaveUpError. */
  private async recover(): Promise<void> {
    const { untilStopped, backoff } = this.options;
    const forMs = untilStopped === undefined ? this.options.reconnectForMs ?? 0 : Number.POSITIVE_INFINITY;
    this.emit('reconnecting', { forMs });
    try {
      if (untilStopped === undefined) await reconnectFor(forMs, () => this.reconnectOnce(), backoff);
      else if (!(await reconnectUntilStopped(untilStopped, async () => { await this.reconnectOnce(); return true; }, backoff))) return;
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
    const held: Unsolicited[] = [];
    const hold = (message: Unsolicited) => held.push(message);
    const { client, signedIn } = await openSignedIn(this.options, hold, () => this.credentials!);
    try {
      const { resumePoint } = this.options;
      const point = resumePoint ? resumePoint() : this.joined === undefined ? undefined : { group: this.joined, lastSeq: this.lastSeq };
      const unacked = this.unacked;
      const seen = point?.lastSeq ?? this.lastSeq;
      const since = Math.min(seen, unacked?.seqAtSend ?? seen);
      const rejoined = point && (await rejoinSince(client, point.group, since, this.options.untilStopped !== undefined));
      // The user quit meanwhile: not adopted (the loop sees it stopped).
      if (this.leaving && this.options.untilStopped !== undefined) throw new ConnectionClosedError('closed while reconnecting');
      client.off?.('message', hold);
      this.options.untilStopped?.waiting(undefined);
      this.connection = client;
      this.watch(client);
      if (signedIn !== undefined) this.signedIn = signedIn;
      if (signedIn !== undefined) this.emit('signed_in', signedIn);
      this.lastSeq = Math.max(seen, rejoined?.lastSeq ?? 0);
      this.emit('resumed', { rejoined });
      for (const message of rejoined?.missed ?? []) {
        const own = unacked !== undefined && unacked.stored === undefined && isStoredCopy(message, this.self!, unacked);
        if (own) unacked.stored = message;
        // Never echoed live to its sender, nor now; and what was seen before the drop is not told again.
        else if (message.seq > seen) tellUnsolicited(this, { type: 'msg', ...message }, true);
      }
      for (const message of held) {
        if (message.type === 'msg' && rejoined !== undefined && message.seq <= rejoined.lastSeq) continue;
        if (message.type === 'msg') this.noteSeq(message.seq);
        tellUnsolicited(this, message, false);
      }
    } catch (error) {
      client.destroy?.();
      throw error;
    }
  }
}
