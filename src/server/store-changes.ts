/**
 * What the admin command changed behind the server. It works on the store
 * directly (SQLite file or Redis) with no link to a running server, and two
 * of its changes concern live connections: a group it deleted (on Redis the
 * store's delete announces itself; on SQLite nothing does), and an admin it
 * made `user` again, who may no longer see some private groups it is in.
 *
 * The store's change mark (`Store.changeMark`: SQLite's `data_version`,
 * Redis's role-change counter) is read every CHECK_INTERVAL_MS, and before
 * each group creation (so a group made again under a deleted one's name
 * never inherits its members). When it moved, one pass looks at this node's
 * connections in groups (each group each is in): a group that no longer exists sends its members
 * `group_deleted` (by "admin"); a private group no longer open to a user
 * takes it out as an uninvite does (`kicked`, reason CLOSED_REASON, its read
 * marker and activity gone); a connection whose account's role changed
 * gets `account_role` (account-roles.ts). Every node runs its own watch, for its own
 * connections. Checks asked for while one waits to start share it, and the
 * requests of one event-loop turn share the check before them
 * (session-runner.ts; waited for at most REQUEST_WAIT_MS): one read of the
 * mark per turn, not one per request. Passes run one at a time. Between two reads, `say` and
 * `history` in a private group check the caller's access themselves
 * (handlers/chat.ts), and a `say` into a deleted group fails.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { errorMessage } from '../protocol/errors.js';
import { nameKey } from '../protocol/names.js';
import { type RoleHolder, tellAccountRoles } from './account-roles.js';
import type { ServerContext, StoreChangeCheck } from './context.js';
import { findAccess } from './group-access.js';
import { ADMIN_COMMAND, CLOSED_REASON, shutOut } from './lost-access.js';
import { openGroups } from './open-groups.js';

/** How often the store's change mark is read. */
export const CHECK_INTERVAL_MS = 1000;
/** The longest a request waits for the check before it (then the check's changes come when it is done). */
export const REQUEST_WAIT_MS = 200;
/** Access checks of one pass between two yields of the event loop. */
const CHECKS_PER_TURN = 100;

export class StoreChangeWatch implements StoreChangeCheck {
  /** The mark the last finished pass started from; undefined before start. */
  private mark: number | undefined;
  /** The checks asked for, one after the other. */
  private chain: Promise<void> = Promise.resolve();
  /** The check queued behind the one running, not started yet: whoever asks now shares it. */
  private waiting: Promise<void> | undefined;
  /**
   * The check of this event-loop turn, bounded for the requests that wait
   * for it: every request run in the turn was read before it started.
   */
  private turnCheck: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The last check failed (the store is unreachable): said once, not every second. */
  private failing = false;

  constructor(
    private readonly context: ServerContext,
    /** The connections of this node (their session state; told their account's role). */
    private readonly connections: () => Iterable<RoleHolder>,
    private readonly intervalMs = CHECK_INTERVAL_MS,
  ) {}

  /** Reads the mark as it is now (what happened before is not this server's to apply), then checks every interval. */
  async start(): Promise<void> {
    this.mark = await this.context.store.changeMark();
    this.timer = setInterval(() => {
      this.check().then(() => { this.failing = false; }, (error: unknown) => {
        if (!this.failing) this.context.logger.warn('could not check the store for changes by the admin command; retrying', { reason: errorMessage(error) });
        this.failing = true;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves once a check that read the mark after this call has been applied. */
  check(): Promise<void> {
    if (this.waiting !== undefined) return this.waiting;
    const next = this.chain.then(() => {
      this.waiting = undefined;
      return this.checkOnce();
    });
    this.waiting = next;
    this.chain = next.catch(() => undefined);
    return next;
  }

  beforeRequest(): Promise<void> {
    if (this.turnCheck === undefined) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, REQUEST_WAIT_MS); });
      this.turnCheck = Promise.race([this.check().catch(() => undefined), late]).finally(() => clearTimeout(timer));
      setImmediate(() => { this.turnCheck = undefined; });
    }
    return this.turnCheck;
  }

  private async checkOnce(): Promise<void> {
    if (this.mark === undefined) return; // not started (or stopped before)
    const mark = await this.context.store.changeMark();
    if (mark === this.mark) return;
    await this.pass();
    // The mark read before the pass: a change during it moves the mark again, and the next check makes another; a pass that failed is made again.
    this.mark = mark;
  }

  private async pass(): Promise<void> {
    const { store, hub } = this.context;
    const existing = new Set((await store.groups.listGroups()).map(nameKey));
    // From here to the deletions, no await: the sessions are those of the groups just listed.
    const deleted = new Map<string, string>();
    const privateMembers = new Map<string, { group: string; user: string }>();
    for (const { state } of this.connections()) {
      if (state.kind !== 'chat') continue;
      // Every group the connection is in, not only its current one.
      for (const open of openGroups(state)) {
        const groupKey = nameKey(open.group);
        if (!existing.has(groupKey)) deleted.set(groupKey, open.group);
        else if (open.private === true) privateMembers.set(`${groupKey} ${nameKey(state.user)}`, { group: open.group, user: state.user });
      }
    }
    for (const group of deleted.values()) {
      this.context.logger.info('group deleted by the admin command', { group });
      hub.groupEvent({ kind: 'deleted', group, by: ADMIN_COMMAND });
    }
    let checks = 0;
    for (const { group, user } of privateMembers.values()) {
      if (++checks % CHECKS_PER_TURN === 0) await nextTurn();
      if ((await findAccess(this.context, group, user)) !== 'closed') continue;
      this.context.logger.info('private group no longer open to its member', { group, user });
      hub.groupEvent(await shutOut(this.context, group, user, ADMIN_COMMAND, CLOSED_REASON));
    }
    await tellAccountRoles(store, this.connections());
  }
}
