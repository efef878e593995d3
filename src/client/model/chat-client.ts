/**
 * The client's model: the one place that builds requests and reads replies.
 * It owns sign-in, the groups the connection is in and the last seq seen in
 * them (session.ts), sending each message exactly once, reconnecting and
 * resuming; views (the chat screen, line mode, a bot) listen to its typed
 * events (events.ts). It runs on any FrameLink: `connect` opens one (a
 * verified TLS link, tls-link.ts, or an in-memory one in tests).
 *
 * Exactly once: its outbox (outbox.ts, sending.ts) sends one message at a
 * time, each after the ack of the one before. The server acks a `say` only
 * after it stored it, so one whose ack was not seen when the connection
 * dropped (or that got no reply within the timeout: the connection is dropped
 * then) may or may not be stored. The rejoin asks for everything after the
 * last seq seen *before it was sent*: if stored, it is there (seqs only grow),
 * from this user with the same text. Found, it is done; not found, it is sent again.
 */
import { errorMessage } from '../../protocol/errors.js';
import type { JoinedReply, WelcomeMessage } from '../../protocol/messages.js';
import { nameKey } from '../../protocol/names.js';
import type { FrameLink } from '../../transport/frame-link.js';
import type { BackoffOptions } from '../backoff.js';
import { brokeProtocol, ConnectionClosedError } from '../client.js';
import { type Credentials, openConnection } from '../sign-in.js';
import type { Connection } from './connection.js';
import { GaveUpError, type Said, type SignedIn, tellHeard, tellResumed } from './events.js';
import type { ResumePoint } from './joined-groups.js';
import type { Outbox, OutboxItem } from './outbox.js';
import { reconnectFor, reconnectUntilStopped, type UntilStopped } from './reconnect.js';
import { openRejoined } from './rejoin.js';
import { planRejoin, takeRejoined } from './rejoin-plan.js';
import { chatOutbox, type SendingView } from './sending.js';
import { findDirectCopies, seqBeforeSending } from './conversations.js';
import { ChatSession } from './session.js';

export { GaveUpError, type ChatClientEvents, type Said, type SignedIn } from './events.js';
export type { Credentials } from '../sign-in.js';

export interface ChatClientOptions {
  /** Opens a link to the server: verified TLS (`openTlsLink`), or an in-memory one. Called again to reconnect. */
  connect?(): Promise<FrameLink>;
  /** How long `welcome`, and each reply, may take (DEFAULT_SERVER_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
  /** How long to keep reconnecting after a drop, in ms, once a group is joined; 0 (the default): never. */
  reconnectForMs?: number | undefined;
  /** The delays between reconnect tries (DEFAULT_BACKOFF). */
  backoff?: BackoffOptions | undefined;
  /** Reconnect after any drop (in a group or not) until stopped, a page's refusal kept (the chat screen); instead of `reconnectForMs`. */
  untilStopped?: UntilStopped | undefined;
  /** The last seq a view showed of `group` (the chat screen's): a reconnect resumes the group after it; default: the last seq seen. */
  shownSeq?(group: string): number | undefined;
}

/** The chat screen's way of staying connected (`keepUp`). */
export interface KeepUp extends Pick<ChatClientOptions, 'backoff' | 'shownSeq'> {
  untilStopped: UntilStopped;
  /** What the screen shows of what it sends (`send`), and whether a lost connection pauses it. */
  sending: SendingView;
}

export class ChatClient extends ChatSession {
  /** What is said and sent, exactly once. */
  private outbox: Outbox;
  /** The chat screen's view of the outbox; none: line mode and bots, told by each message's promise. */
  private sendingView: SendingView | undefined;
  private sendingStopped = false;
  private recovering: Promise<void> | undefined;
  private leaving = false;
  /** Set when the server broke the protocol: nothing more is tried. */
  private fatal: GaveUpError | undefined;

  private firstWelcome: WelcomeMessage | undefined;
  private readonly options: ChatClientOptions;

  private constructor(connection: Connection, options: ChatClientOptions) {
    super(connection);
    this.options = { ...options };
    this.outbox = this.newOutbox();
    this.watch(connection);
  }

  /** Over a connection already signed in as `signedIn` with `credentials` and in `joined`'s group (tests' scripted connections). */
  static over(connection: Connection, signedIn: SignedIn, options: ChatClientOptions, joined: JoinedReply | undefined, credentials: Credentials): ChatClient {
    const client = new ChatClient(connection, options);
    client.signedIn = signedIn;
    client.credentials = { ...credentials };
    if (joined !== undefined) client.groups.joined(joined.group, joined.last_seq);
    return client;
  }

  /** Connects (through `options.connect`) and waits for `welcome`. */
  static async open(options: ChatClientOptions & Required<Pick<ChatClientOptions, 'connect'>>): Promise<ChatClient> {
    return ChatClient.openLink(await options.connect(), options);
  }

  /** Waits for `welcome` on `link`, a first link opened otherwise than reconnects open theirs (the chat screen's may ask to trust the server). */
  static async openLink(link: FrameLink, options: ChatClientOptions): Promise<ChatClient> {
    const { client, welcome } = await openConnection(link, options.timeoutMs);
    const chat = new ChatClient(client, options);
    chat.firstWelcome = welcome;
    return chat;
  }

  /** The server's `welcome` on the first connection (`open`, `openLink`). */
  get welcome(): WelcomeMessage | undefined {
    return this.firstWelcome;
  }

  /** The chat screen's way, from now on: a drop is reconnected until `untilStopped` stops it, in a group or not; what it sends waits as long. */
  keepUp({ untilStopped, backoff, shownSeq, sending }: KeepUp): void {
    Object.assign(this.options, { untilStopped, backoff, shownSeq });
    this.sendingView = sending;
    this.outbox = this.newOutbox();
  }

  /**
   * Says `text` in the group, exactly once, after what was said before it;
   * resolves once it is acked or found stored after a reconnect. Rejects with
   * the server's refusal (after waiting out `rate_limited`), or GaveUpError.
   */
  say(text: string): Promise<Said> {
    return this.outbox.push({ kind: 'say', group: this.group, text });
  }

  /**
   * Sends `text` to `to` directly, exactly once, after what was said before
   * it (a copy stored before a drop is found in the conversation); resolves
   * and rejects as `say` does.
   */
  dm(to: string, text: string): Promise<Said> {
    return this.outbox.push({ kind: 'dm', to, text });
  }

  /** The chat screen's sending: `item` goes after what waits, exactly once, as `keepUp`'s view shows; never given up before `stopSending`. */
  send(item: OutboxItem): void {
    void this.outbox.push(item);
  }

  /** Messages not acked yet. */
  get unsent(): number {
    return this.outbox.size;
  }

  /** Quitting: what waits to be sent is given up. */
  stopSending(): void {
    this.sendingStopped = true;
    this.outbox.resume();
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

  /** A send lost with the connection: the chat screen waits for the reconnect; line mode and bots wait only for a reconnect allowed. */
  private sendLost(error: Error, written: boolean): Error | undefined {
    if (this.options.untilStopped !== undefined) return undefined;
    if (this.fatal !== undefined) return this.fatal.withLine(written);
    if (!this.reconnects) return error;
    if (this.recovering === undefined) {
      this.recovering = this.recover();
      // The message waits on the outbox; the close that follows tells the views.
      this.recovering.catch(() => undefined);
    }
    return undefined;
  }

  /** Line mode and bots await what they say: a failure reaches them so, not as `gave_up`. */
  private get awaited(): boolean {
    return this.options.untilStopped === undefined && this.outbox.size > 0;
  }

  /** Whether a drop is reconnected (once a group is joined, unless `untilStopped`). */
  private get reconnects(): boolean {
    return (this.options.reconnectForMs ?? 0) > 0 || this.options.untilStopped !== undefined;
  }

  /** The group a reconnect rejoins and the last seq seen (or shown) in it. */
  private resumeFrom(): ResumePoint | undefined {
    const point = this.groups.resumePoint();
    return point && { group: point.group, lastSeq: this.options.shownSeq?.(point.group) ?? point.lastSeq };
  }

  /** The outbox, its waits as `options` say (`untilStopped`: the chat screen's). */
  private newOutbox(): Outbox {
    return chatOutbox({
      connection: () => this.connection,
      seqIn: (group) => this.seqIn(group),
      // A `say`'s seq is its group's; a direct message's is its conversation's.
      acked: (item, ack) => (item.kind === 'say' ? this.groups.noteSeq(ack.seq, item.group) : this.conversationSeqs.note(item.to, ack.seq)),
      named: (group) => this.named(group),
      seqWith: (user) => seqBeforeSending(this.connection, this.conversationSeqs, user),
      lost: (error, written) => this.sendLost(error, written),
      view: () => this.sendingView,
      running: () => !this.sendingStopped,
    }, this.options.untilStopped !== undefined);
  }

  /** The highest seq seen in `group` (any: the one resumed), 0 in another. */
  private seqIn(group: string | undefined): number {
    const point = this.resumeFrom();
    return point !== undefined && (group === undefined || nameKey(group) === nameKey(point.group)) ? point.lastSeq : 0;
  }

  private watch(connection: Connection): void {
    connection.on('message', (message) => {
      if (message.type === 'msg') this.groups.noteSeq(message.seq, message.group);
      // Out of the group: not rejoined.
      if (message.type === 'kicked' || message.type === 'group_deleted') this.groups.left(message.group);
      tellHeard(this, message);
    });
    connection.on('message_deleted', (message) => tellHeard(this, message));
    connection.on('close', (error) => {
      if (this.leaving || connection !== this.connection || (this.group === undefined && this.options.untilStopped === undefined)) return;
      if (brokeProtocol(error)) {
        this.fatal = new GaveUpError(errorMessage(error), { cause: error });
        if (!this.awaited) this.emit('gave_up', this.fatal);
        return;
      }
      // Before the views hear of it: what waits is shown pending first.
      if (this.reconnects && this.sendingView?.waitsOnLost() !== false) this.outbox.pause();
      this.emit('lost', error);
      if (!this.reconnects) return;
      const recovering = this.recovering ?? this.recover();
      this.recovering = recovering;
      // A message being sent sees the failure itself; with none, the views are told.
      recovering.catch((failure: unknown) => {
        if (!this.awaited && failure instanceof GaveUpError) this.emit('gave_up', failure);
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
      this.outbox.resume();
    } catch (error) {
      // No reconnect in time: what line mode and bots wait to say fails (the chat screen waits on until it quits).
      if (untilStopped === undefined && error instanceof GaveUpError) this.outbox.abandon((written) => error.withLine(written));
      throw error;
    } finally {
      this.recovering = undefined;
    }
  }

  /**
   * One try: connect, sign in, rejoin every group (the others with `keep`,
   * the current one last) since the last seq seen (or, with a message in
   * flight there, the last seen before it was sent), page by page; then settle
   * the outbox with what was found, and emit what was missed (not the copies
   * of what it sent) and the live messages that came meanwhile, each once.
   */
  private async reconnectOnce(): Promise<void> {
    const plan = planRejoin(this.groups, this.options.shownSeq, (group) => this.outbox.inFlightSince(group));
    const at = plan.current && { group: plan.current.group, since: plan.current.since };
    // A direct message in flight is looked for in its conversation (findDirectCopies) before the connection is adopted.
    const reopened = await openRejoined(this.options, () => this.credentials!, at,
      this.options.untilStopped !== undefined, (fresh) => findDirectCopies(fresh, this.outbox, this.self ?? ''), plan.others);
    const { client, signedIn, held } = reopened;
    // The user quit meanwhile: not adopted (the loop sees it stopped).
    if (this.leaving && this.options.untilStopped !== undefined) {
      client.destroy?.();
      throw new ConnectionClosedError('closed while reconnecting');
    }
    this.options.untilStopped?.waiting(undefined);
    this.connection = client;
    this.watch(client);
    this.emit('signed_in', (this.signedIn = signedIn));
    const taken = takeRejoined(this.groups, plan, reopened);
    // A refused rejoin found nothing: what was in flight goes again.
    const copies = this.outbox.settle(taken.found.flatMap((group) => group.missed), this.self ?? '');
    // What was seen before the drop is not told again.
    this.emit('resumed', { rejoined: taken.current, others: taken.others });
    tellResumed(this, [...taken.others, ...(taken.current === undefined ? [] : [taken.current])], copies, held, (seq, group) => this.groups.noteSeq(seq, group));
  }
}
