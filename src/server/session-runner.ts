/**
 * Everything between a decoded request and what it changes: the request
 * table's state check first (a request refused for its state costs nothing and touches
 * nothing), then the rate limit or query pacing, the ordered `say` pipeline,
 * the handler, applying its step (hub moves, reply, broadcasts), and the
 * yield between two requests. It owns the session state; it reaches its
 * connection only through a SessionPort, so it runs without a socket.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { assertNever, ProtocolError } from '../protocol/errors.js';
import type { AccountRole, GroupNotice, Request, SayRequest, ServerMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { Peer } from './address-limits.js';
import { type Clock, systemClock } from './clock.js';
import type { RequestSource, ServerContext, Step } from './context.js';
import { EXITS_PER_TURN, type HubMember } from './hub.js';
import { type Removal, removalOf } from './hub-member.js';
import { PasswordFailures } from './password-failures.js';
import { TokenBucket } from './rate-limit.js';
import { dispatch, rowOf } from './request-table.js';
import { inGroups, openGroups, rebase, withoutGroup } from './open-groups.js';
import { INITIAL_SESSION, type SessionState, signedInUser } from './session.js';
import { queryTurns } from './turn-queue.js';
import { WaitTally } from './wait-tally.js';

/** `say` requests of one connection under way at once. */
const MAX_PIPELINED = 64;
/**
 * A connection's next request waits while its unsent output is above this
 * share of the backlog bound: a client that asks for much but reads what it
 * gets is slowed down, never cut off as a slow consumer.
 */
const OUTPUT_WATERMARK_SHARE = 1 / 4;

/** What the runner needs of its connection. */
export interface SessionPort extends HubMember {
  /** Sends one `error`; the connection closes when the code is fatal. */
  fail(error: ProtocolError): void;
  /** Closes cleanly once the queued output is written (`bye`). */
  end(): void;
  /** Bytes written to the connection that the client has not taken yet. */
  readonly outputBacklog: number;
  /** Resolves when some output drained, the connection closed, or the server stops waiting. */
  drained(): Promise<void>;
}

export function asProtocolError(error: unknown, id: number | undefined): ProtocolError {
  if (error instanceof ProtocolError) return error.withId(id);
  return new ProtocolError('internal', 'internal server error', { id, cause: error });
}

export class SessionRunner {
  private current: SessionState = INITIAL_SESSION;
  /** Aborted as the session closes, so work it queued elsewhere is dropped. */
  private readonly closing = new AbortController();
  private readonly source: RequestSource;
  private readonly messages: TokenBucket;
  /** Paces the requests that read much (history, member lists): by waiting, not by refusing. */
  private readonly queries: TokenBucket;
  /** The pipelined `say`s' replies and the refusals queued behind them, in request order. */
  private pipeline: Promise<void> = Promise.resolve();
  private pipelined = 0;
  /** The server is stopping: the requests already read are answered without waiting for the client to read. */
  private quiescing = false;
  /** The account role this connection was last told (`auth_ok`, `account_role`); undefined before sign-in. */
  private toldRole: AccountRole | undefined;
  /** How long its password checks waited for a hashing slot (the auth deadline does not count it). */
  readonly hashWaits = new WaitTally();

  constructor(
    private readonly port: SessionPort,
    private readonly context: ServerContext,
    peer: Peer,
    private readonly clock: Clock = systemClock,
  ) {
    const { limits } = context.config;
    this.messages = new TokenBucket(limits.rateLimit, undefined, clock.now());
    this.queries = new TokenBucket(limits.queryRate, undefined, clock.now());
    this.source = {
      origin: context.hub.originOf(port), member: port, peer, signal: this.closing.signal,
      passwordFailures: new PasswordFailures(limits.maxLoginFailures), hashWaits: this.hashWaits,
    };
    context.metrics.session(undefined, this.current.kind);
  }

  get state(): SessionState {
    return this.current;
  }

  get isClosed(): boolean {
    return this.current.kind === 'closed';
  }

  /** Runs one request; resolves when the next one may start. */
  async run(request: Request): Promise<void> {
    this.context.metrics.request(request.type);
    const rule = rowOf(request);
    if (!rule.states.includes(this.current.kind)) {
      const refused = new ProtocolError('wrong_state', `'${request.type}' is not allowed in state ${this.current.kind}`, { id: request.id });
      await this.pipeline; // after the replies of the `say`s still under way
      this.port.fail(refused);
      await this.takeTurn();
      return;
    }
    switch (rule.limit) {
      case 'none': break;
      case 'messages':
        if (!this.messages.take(this.clock.now())) {
          const refused = new ProtocolError('rate_limited', `over ${this.context.config.limits.rateLimit} messages per second`, { id: request.id });
          // After the replies of the `say`s still under way: replies leave in request order.
          this.pipeline = this.pipeline.then(() => this.port.fail(refused));
          return;
        }
        break;
      case 'queries':
        // Meanwhile nothing more is read from this client: its socket pauses, TCP pushes back.
        for (let wait = this.queries.waitMs(this.clock.now()); wait > 0; wait = this.queries.waitMs(this.clock.now())) await this.clock.sleep(wait);
        await queryTurns.take(); // server-wide: a crowd of queries at once leaves room for everyone else
        if (this.isClosed) return;
        break;
      default: assertNever(rule.limit);
    }
    // A role changed behind the connection is told before this request's reply (account-roles.ts).
    const rolesChecked = this.checkStoreChanges();
    if (request.type === 'say') {
      await this.pipelineSay(request, rolesChecked);
      return;
    }
    await this.pipeline; // anything else sees the state every earlier request left
    await rolesChecked;
    try {
      const read = this.current;
      const step = await dispatch(request, read, this.context, this.source);
      this.context.metrics.outcome(request.type, step.reply);
      if (step.state !== undefined) await this.leaveInTurns(step.state);
      // A kick or deletion may have taken a group away while the handler ran.
      if (step.state !== undefined) step.state = rebase(step.state, read, this.current, step.reply?.type === 'joined' ? step.reply.group : undefined);
      this.apply(step, request.id);
    } catch (error) {
      this.port.fail(asProtocolError(error, request.id));
    }
    await this.takeTurn();
  }

  /**
   * A step that leaves more than EXITS_PER_TURN groups of a live session (a
   * `join` without `keep` from many groups) leaves them that many per turn
   * first, as a closed connection does (hub.ts), so that its presence does
   * not go out in one turn. Such moves leave the join under way alone.
   */
  private async leaveInTurns(next: SessionState): Promise<void> {
    const staying = new Set(openGroups(next).map((open) => nameKey(open.group)));
    for (;;) {
      const state = this.current;
      if (state.kind !== 'chat') return;
      const leaving = openGroups(state).filter((open) => !staying.has(nameKey(open.group)));
      if (leaving.length <= EXITS_PER_TURN) return;
      const now = new Set(leaving.slice(0, EXITS_PER_TURN).map((open) => nameKey(open.group)));
      this.moveTo(inGroups(state.user, openGroups(state).filter((open) => !now.has(nameKey(open.group)))), {});
      await nextTurn();
    }
  }

  /** Moves to CLOSED: leaves the hub, drops queued work. Idempotent. */
  close(): void {
    if (!this.isClosed) this.moveTo({ kind: 'closed' });
  }

  /** The server is stopping: answers what was read without waiting for the client to read. */
  quiesce(): void {
    this.quiescing = true;
  }

  /** Resolves when the replies under way are out. */
  async settled(): Promise<void> {
    await this.pipeline;
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
    while (!this.isClosed && !this.quiescing && this.port.outputBacklog > watermark) await this.port.drained();
  }

  /**
   * `say` does not wait for its commit before the next frame is read: the
   * store hands out seqs at once, in arrival order, and commits every
   * message of an event-loop turn together. Replies still leave in request
   * order, through one chain; at most MAX_PIPELINED are under way at once.
   */
  private async pipelineSay(request: SayRequest, rolesChecked: Promise<void>): Promise<void> {
    if (this.pipelined >= MAX_PIPELINED) await this.pipeline;
    const step = dispatch(request, this.current, this.context, this.source);
    this.pipelined += 1;
    this.pipeline = this.pipeline
      .then(() => rolesChecked)
      .then(() => step)
      .then((done) => this.apply(done, request.id), (error: unknown) => this.port.fail(asProtocolError(error, request.id)))
      .finally(() => { this.pipelined -= 1; });
  }

  private apply(step: Step, id: number | undefined): void {
    this.applyHere(step, id);
    // After the reply, so that a request that closes its own account is answered first.
    if (step.closeAccount) this.context.hub.closeAccount(step.closeAccount.user, step.closeAccount.message);
    if (step.groupEvent) this.context.hub.groupEvent(step.groupEvent);
    if (step.notice) this.context.hub.publishNotice(step.notice);
    for (const sent of step.accountMessages ?? []) this.context.hub.sendToAccount(sent);
  }

  /**
   * What the admin command changed is applied before a signed-in request is
   * answered (a check shared by the requests of the same turn); a store that
   * cannot be read now, or is slow to answer, is the request's own business.
   */
  private checkStoreChanges(): Promise<void> {
    const watch = this.context.storeChanges;
    if (watch === undefined || signedInUser(this.current) === undefined) return Promise.resolve();
    return watch.beforeRequest();
  }

  /** The account's role read now: `account_role` when it is not the one this connection was told. */
  accountRoleIs(role: AccountRole): void {
    if (this.toldRole === undefined || this.toldRole === role || this.isClosed) return;
    this.toldRole = role;
    this.send({ type: 'account_role', role });
  }

  /**
   * Kicked, banned, or the group deleted: when in `group`, the notice, then
   * out of that group (others see presence leave); back to GROUP_SELECT when
   * it was the last one.
   */
  removeFromGroup(group: string, notice: GroupNotice): void {
    const state = this.current;
    if (state.kind !== 'chat' || !openGroups(state).some((open) => nameKey(open.group) === nameKey(group))) return;
    this.send(notice);
    this.moveTo(withoutGroup(state, group), removalOf(notice) ?? {});
  }

  /** The step's effects on this connection and its messages. */
  private applyHere(step: Step, id: number | undefined): void {
    const { hub } = this.context;
    // A stored message goes out even if its sender has gone meanwhile.
    if (step.broadcast) {
      this.context.metrics.counts.messagesStored += 1;
      hub.publishMessage(step.broadcast, this.port);
    }
    if (step.direct) hub.publishDirect(step.direct, this.port);
    if (this.isClosed) return;
    const caughtUp = step.state ? this.moveTo(step.state) : [];
    if (step.reply?.type === 'auth_ok') this.toldRole = step.reply.role;
    if (step.reply) this.send(id === undefined ? step.reply : { ...step.reply, id });
    for (const frame of caughtUp) this.port.sendFrame(frame);
    if (step.close) this.port.end();
  }

  private send(message: ServerMessage | GroupNotice): void {
    this.port.sendFrame(this.context.encoder.encode(message));
  }

  /** Returns what arrived for a group being joined while its reply was made. */
  private moveTo(next: SessionState, removal?: Removal): Buffer[] {
    const caughtUp = this.context.hub.move(this.port, this.current, next, removal);
    this.context.metrics.session(this.current.kind, next.kind);
    this.current = next;
    if (next.kind === 'closed') this.closing.abort();
    return caughtUp;
  }
}
