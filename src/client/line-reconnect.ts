/**
 * Line mode's connection, kept up for a bounded time (`--reconnect-for`):
 * after a drop it reconnects with backoff, signs in, rejoins the group with
 * `since`, prints what was said meanwhile, and sends each line exactly once.
 *
 * Exactly once: a line waits for its ack (by request id) before the next goes.
 * The server acks a `say` only after it stored it, so a line whose ack was not
 * seen when the connection dropped may or may not be stored. The rejoin asks
 * for everything after the last seq seen *before that line was sent*: the line,
 * if stored, is there (seqs only grow), as a message from this user with the
 * same text. Found, it counts as acked; not found, it is sent again. A `say`
 * left without a reply for `--timeout` is the same unknown (a stalled server
 * may store it when it wakes): the connection is dropped and resolved so.
 *
 * A server that broke the protocol is not reconnected to: GaveUpError at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, ProtocolError } from '../protocol/errors.js';
import type { StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import { backoffDelay, DEFAULT_BACKOFF, reconnectDelay } from './backoff.js';
import { brokeProtocol, ConnectionClosedError, type ProtocolClient, ReplyTimeoutError, type Unsolicited } from './client.js';
import type { TlsOptions } from './connect.js';
import { isFinalReconnectFailure } from './reconnect-status.js';
import { connect, type Credentials, joinGroup, signIn } from './sign-in.js';

const MAX_RATE_RETRIES = 8;

/** The connection did not come back in time (or could never: a wrong password, a changed certificate). */
export class GaveUpError extends Error {
  override readonly name = 'GaveUpError';
  /** The line being said when it gave up was written without an ack seen: it may have been stored. */
  lineMaybeStored = false;
}

export interface LineConnectionOptions {
  tls: TlsOptions;
  credentials: Credentials;
  group: string;
  /** How long to keep trying after a drop, in ms; 0: never reconnect. */
  reconnectForMs: number;
  /** Every message received (live, or missed while away). */
  onMessage(message: Unsolicited): void;
  /** A line about the connection for standard error. */
  onNotice(line: string): void;
  /** Reconnecting gave up while no line was waiting: the owner ends. */
  onGaveUp(error: GaveUpError): void;
}

interface Unacked {
  text: string;
  /** The highest seq seen when it was sent: if stored, its seq is above. */
  seqAtSend: number;
  /** The rejoin found it stored. */
  stored: boolean;
}

export class LineConnection {
  private lastSeq: number;
  private self: string;
  private unacked: Unacked | undefined;
  private recovering: Promise<void> | undefined;
  private leaving = false;
  /** Set when the server broke the protocol: nothing more is tried. */
  private fatal: GaveUpError | undefined;

  private constructor(private client: ProtocolClient, self: string, lastSeq: number, private readonly options: LineConnectionOptions) {
    this.self = self;
    this.lastSeq = lastSeq;
    this.watch(client);
  }

  /** Takes a signed-in client that joined the group (`lastSeq` from its `joined`). */
  static adopt(client: ProtocolClient, self: string, lastSeq: number, options: LineConnectionOptions): LineConnection {
    return new LineConnection(client, self, lastSeq, options);
  }

  /**
   * Says `text` and resolves once it is acked (or found stored after a
   * reconnect). Rejects with the server's refusal, or GaveUpError.
   */
  async say(text: string): Promise<void> {
    const unacked: Unacked = { text, seqAtSend: this.lastSeq, stored: false };
    this.unacked = unacked;
    let written = false;
    try {
      for (;;) {
        if (this.recovering) await this.recovering.catch((error: unknown) => {
          if (error instanceof GaveUpError) error.lineMaybeStored = written;
          throw error;
        });
        if (unacked.stored) return;
        try {
          written ||= this.client.isOpen;
          const ack = await this.sayWithRetry(text);
          this.noteSeq(ack);
          return;
        } catch (error) {
          // No reply in time: unknown, as after a drop (the client closed the connection with it).
          const lost = error instanceof ConnectionClosedError || error instanceof ReplyTimeoutError;
          if (this.fatal !== undefined && lost) {
            this.fatal.lineMaybeStored = written;
            throw this.fatal;
          }
          if (!lost || this.options.reconnectForMs <= 0) throw error;
          this.recovering ??= this.recover();
        }
      }
    } finally {
      this.unacked = undefined;
    }
  }

  /** The end of input: waits for a reconnect under way, then says bye. */
  async leave(): Promise<void> {
    if (this.recovering) await this.recovering;
    if (this.fatal !== undefined) throw this.fatal;
    this.leaving = true;
    await this.client.bye();
  }

  destroy(): void {
    this.leaving = true;
    this.client.destroy();
  }

  private async sayWithRetry(text: string) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.call({ type: 'say', text }, 'ack');
      } catch (error) {
        if (!(error instanceof ProtocolError && error.code === 'rate_limited') || attempt >= MAX_RATE_RETRIES) throw error;
        await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 5_000, random: Math.random }));
      }
    }
  }

  private noteSeq(message: { seq?: number | undefined }): void {
    if (message.seq !== undefined) this.lastSeq = Math.max(this.lastSeq, message.seq);
  }

  private watch(client: ProtocolClient): void {
    client.on('message', (message) => {
      if (message.type === 'msg') this.noteSeq(message);
      this.options.onMessage(message);
    });
    client.on('close', (error) => {
      if (this.leaving || client !== this.client) return;
      if (brokeProtocol(error)) {
        this.fatal = new GaveUpError(errorMessage(error), { cause: error });
        if (this.unacked === undefined) this.options.onGaveUp(this.fatal);
        return;
      }
      this.options.onNotice(`connection lost${error ? `: ${error.message}` : ''}`);
      if (this.options.reconnectForMs <= 0) return;
      const recovering = this.recovering ?? this.recover();
      this.recovering = recovering;
      // A line waiting sees the failure itself; with none waiting, the owner is told.
      recovering.catch((failure: unknown) => {
        if (this.unacked === undefined && failure instanceof GaveUpError) this.options.onGaveUp(failure);
      });
    });
  }

  /** Reconnects with backoff until `reconnectForMs` has passed; rejects with GaveUpError. */
  private async recover(): Promise<void> {
    const { reconnectForMs } = this.options;
    const started = Date.now();
    const seconds = Math.round(reconnectForMs / 1000);
    this.options.onNotice(`reconnecting (for up to ${seconds} s)…`);
    let lastError: unknown;
    try {
      for (let attempt = 0; ; attempt++) {
        const left = started + reconnectForMs - Date.now();
        if (left <= 0) break;
        await sleep(Math.min(left, reconnectDelay(attempt, DEFAULT_BACKOFF)));
        try {
          await this.reconnectOnce();
          this.options.onNotice('reconnected');
          return;
        } catch (error) {
          if (isFinalReconnectFailure(error)) throw new GaveUpError(`cannot reconnect: ${errorMessage(error)}`, { cause: error });
          lastError = error;
        }
      }
      const why = lastError === undefined ? '' : ` (last try: ${errorMessage(lastError)})`;
      throw new GaveUpError(`connection lost; tried to reconnect for ${Math.round((Date.now() - started) / 1000)} s, in vain${why}`);
    } finally {
      this.recovering = undefined;
    }
  }

  /**
   * One try: connect, sign in, rejoin since the last seq seen (or, with a line
   * unacked, the last seen before it was sent), page by page; then print what
   * was missed and the live messages that came meanwhile, each once.
   */
  private async reconnectOnce(): Promise<void> {
    const { client } = await connect(this.options.tls);
    const held: Unsolicited[] = [];
    const hold = (message: Unsolicited) => held.push(message);
    client.on('message', hold);
    try {
      this.self = await signIn(client, this.options.credentials, false);
      const unacked = this.unacked;
      const seen = this.lastSeq;
      let since = Math.min(seen, unacked?.seqAtSend ?? seen);
      const missed: StoredMessage[] = [];
      for (let more = true; more;) {
        const page = await joinGroup(client, this.options.group, false, since);
        missed.push(...page.history);
        since = Math.max(since, ...page.history.map((message) => message.seq));
        more = page.more && page.history.length > 0;
        if (!more) since = Math.max(since, page.last_seq);
      }
      client.off('message', hold);
      this.client = client;
      this.watch(client);
      this.lastSeq = Math.max(seen, since);
      for (const message of missed) {
        const own = unacked !== undefined && !unacked.stored && message.seq > unacked.seqAtSend
          && nameKey(message.from) === nameKey(this.self) && message.text === unacked.text;
        if (own) unacked.stored = true;
        // Never echoed live to its sender, nor now; and what was seen before the drop is not printed again.
        else if (message.seq > seen) this.options.onMessage({ type: 'msg', ...message });
      }
      for (const message of held) {
        if (message.type === 'msg' && message.seq <= since) continue;
        if (message.type === 'msg') this.noteSeq(message);
        this.options.onMessage(message);
      }
    } catch (error) {
      client.destroy();
      throw error;
    }
  }
}
