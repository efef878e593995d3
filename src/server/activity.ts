/**
 * `activity` (December additions): a message arrived in a group that the
 * recipient's account joined before but that this connection is not in now.
 * At most one per group per second per connection: the first goes out at
 * once, what arrives in the next second waits and goes out as one (the
 * latest `last_seq`, and `mention` when any of them mentioned the recipient).
 *
 * The hub tells this module who signs in and out, enters and leaves groups,
 * and every message it delivers (from this node or, in a cluster, from the
 * link): activity is computed for this node's connections only. It keeps an
 * index group → the connections here that joined it before and are not in it
 * now (loaded from the store's read markers at sign-in, added to on a first
 * join), so a message in a group with nobody idle elsewhere costs one map
 * lookup. A timer runs per connection and group only while something waits.
 * `unread` is counted against the account's marker in the store when the
 * activity is sent, so a `mark_read` on any node counts.
 */
import type { FrameEncoder } from '../protocol/frame.js';
import type { ActivityMessage, StoredMessage } from '../protocol/messages.js';
import { mentionedKeys } from '../protocol/mentions.js';
import { nameKey } from '../protocol/names.js';
import { type ReadMarkerStore, unreadCount } from '../store/read-markers.js';
import type { HubMember } from './hub.js';
import type { Logger } from './logger.js';

/** One activity per group per connection per this many milliseconds. */
export const ACTIVITY_INTERVAL_MS = 1000;

/** Time and timers as the activity module sees them (tests inject a manual one). */
export interface ActivityTimers {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Runs `run` after `ms`; returns what cancels it. */
  schedule(ms: number, run: () => void): () => void;
}

export const systemActivityTimers: ActivityTimers = {
  now: () => performance.now(),
  schedule: (ms, run) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};

/** What the hub tells about its connections and messages. */
export interface GroupActivity {
  signedIn(member: HubMember, user: string): void;
  signedOut(member: HubMember): void;
  entered(member: HubMember, group: string): void;
  exited(member: HubMember, group: string): void;
  /** A message delivered on this node (once per message, whatever its origin). */
  messageArrived(message: StoredMessage): void;
}

/** For a hub without activity (unit tests). */
export const NO_ACTIVITY: GroupActivity = {
  signedIn: () => undefined, signedOut: () => undefined, entered: () => undefined, exited: () => undefined, messageArrived: () => undefined,
};

/** A signed-in connection of this node. */
interface Watcher {
  readonly member: HubMember;
  readonly user: string;
  readonly userKey: string;
  /** Group key → its watch, for every group the account joined before (the one it is in included). */
  readonly watches: Map<string, Watch>;
  /** The key of the group it is in now, if any (that group's watch is out of the index meanwhile). */
  current: string | undefined;
}

/** One connection and one group it joined before. */
interface Watch {
  readonly watcher: Watcher;
  readonly groupKey: string;
  /** When its last activity went out (`-Infinity`: never). */
  lastSentAt: number;
  /** The highest last_seq sent, so that a late send never goes back. */
  sentSeq: number;
  /** What waits for the timer; set only while a timer runs. */
  pending: { group: string; lastSeq: number; mention: boolean } | undefined;
  cancel: (() => void) | undefined;
}

export interface ActivityOptions {
  store: ReadMarkerStore;
  encoder: FrameEncoder;
  logger: Logger;
  timers?: ActivityTimers;
  intervalMs?: number;
}

export class ActivityNotifier implements GroupActivity {
  /** Group key → the watches of connections here that joined it before and are not in it now. */
  private readonly idle = new Map<string, Set<Watch>>();
  private readonly watchers = new Map<HubMember, Watcher>();
  /** User key → its signed-in connections here. */
  private readonly byUser = new Map<string, Set<Watcher>>();
  private readonly timers: ActivityTimers;
  private readonly intervalMs: number;

  constructor(private readonly options: ActivityOptions) {
    this.timers = options.timers ?? systemActivityTimers;
    this.intervalMs = options.intervalMs ?? ACTIVITY_INTERVAL_MS;
  }

  /** Connections here that watch a group they are not in (for tests and metrics). */
  idleWatchers(group: string): number {
    return this.idle.get(nameKey(group))?.size ?? 0;
  }

  signedIn(member: HubMember, user: string): void {
    const watcher: Watcher = { member, user, userKey: nameKey(user), watches: new Map(), current: undefined };
    this.watchers.set(member, watcher);
    let mine = this.byUser.get(watcher.userKey);
    if (mine === undefined) {
      mine = new Set();
      this.byUser.set(watcher.userKey, mine);
    }
    mine.add(watcher);
    this.options.store.readMarkers(user).then((markers) => {
      if (this.watchers.get(member) !== watcher) return; // signed out meanwhile
      for (const groupKey of markers.keys()) this.watch(watcher, groupKey);
    }, (error: unknown) => this.options.logger.warn('could not load read markers for activity', { user, reason: String(error) }));
  }

  signedOut(member: HubMember): void {
    const watcher = this.watchers.get(member);
    if (watcher === undefined) return;
    this.watchers.delete(member);
    const mine = this.byUser.get(watcher.userKey);
    mine?.delete(watcher);
    if (mine?.size === 0) this.byUser.delete(watcher.userKey);
    for (const watch of watcher.watches.values()) this.unindex(watch);
  }

  /** In the group now: no activity for it here; the account's other connections here watch it from now on. */
  entered(member: HubMember, group: string): void {
    const watcher = this.watchers.get(member);
    if (watcher === undefined) return;
    const key = nameKey(group);
    watcher.current = key;
    for (const other of this.byUser.get(watcher.userKey) ?? []) this.watch(other, key);
    const own = watcher.watches.get(key);
    if (own !== undefined) this.unindex(own);
  }

  exited(member: HubMember, group: string): void {
    const watcher = this.watchers.get(member);
    if (watcher === undefined) return;
    const key = nameKey(group);
    if (watcher.current === key) watcher.current = undefined;
    const watch = watcher.watches.get(key);
    if (watch !== undefined) this.index(watch);
  }

  messageArrived(message: StoredMessage): void {
    const watches = this.idle.get(nameKey(message.group));
    if (watches === undefined) return;
    const mentioned = mentionedKeys(message.text);
    const senderKey = nameKey(message.from);
    const now = this.timers.now();
    for (const watch of watches) {
      const { userKey } = watch.watcher;
      this.note(watch, message, mentioned.has(userKey) && userKey !== senderKey, now);
    }
  }

  private note(watch: Watch, message: StoredMessage, mention: boolean, now: number): void {
    if (watch.pending !== undefined) {
      // Coalesced: the latest counts; a mention in any of them counts.
      watch.pending.lastSeq = Math.max(watch.pending.lastSeq, message.seq);
      watch.pending.mention ||= mention;
      return;
    }
    watch.pending = { group: message.group, lastSeq: message.seq, mention };
    const wait = watch.lastSentAt + this.intervalMs - now;
    if (wait <= 0) this.flush(watch);
    else watch.cancel = this.timers.schedule(wait, () => this.flush(watch));
  }

  private flush(watch: Watch): void {
    const pending = watch.pending;
    watch.pending = undefined;
    watch.cancel = undefined;
    if (pending === undefined) return;
    watch.lastSentAt = this.timers.now();
    void this.send(watch, pending);
  }

  private async send(watch: Watch, pending: { group: string; lastSeq: number; mention: boolean }): Promise<void> {
    const { watcher } = watch;
    let marker: number | undefined;
    try {
      marker = await this.options.store.readMarker(watcher.user, pending.group);
    } catch (error) {
      this.options.logger.warn('could not read a read marker for activity', { user: watcher.user, group: pending.group, reason: String(error) });
      return;
    }
    // Gone, or in the group, meanwhile; or a later activity went out first.
    if (!this.isIdle(watch) || pending.lastSeq <= watch.sentSeq) return;
    watch.sentSeq = pending.lastSeq;
    const activity: ActivityMessage = {
      type: 'activity', group: pending.group, last_seq: pending.lastSeq, unread: unreadCount(pending.lastSeq, marker ?? 0), mention: pending.mention,
    };
    watcher.member.sendFrame(this.options.encoder.encode(activity));
  }

  /** The connection watches the group from now on (idle in it unless it is in it). */
  private watch(watcher: Watcher, groupKey: string): void {
    if (watcher.watches.has(groupKey)) return;
    const watch: Watch = { watcher, groupKey, lastSentAt: Number.NEGATIVE_INFINITY, sentSeq: 0, pending: undefined, cancel: undefined };
    watcher.watches.set(groupKey, watch);
    if (watcher.current !== groupKey) this.index(watch);
  }

  private isIdle(watch: Watch): boolean {
    return this.idle.get(watch.groupKey)?.has(watch) === true;
  }

  private index(watch: Watch): void {
    let watches = this.idle.get(watch.groupKey);
    if (watches === undefined) {
      watches = new Set();
      this.idle.set(watch.groupKey, watches);
    }
    watches.add(watch);
  }

  /** Out of the index; what waited is dropped (in the group it gets the messages; signed out it gets nothing). */
  private unindex(watch: Watch): void {
    watch.cancel?.();
    watch.cancel = undefined;
    watch.pending = undefined;
    const watches = this.idle.get(watch.groupKey);
    watches?.delete(watch);
    if (watches?.size === 0) this.idle.delete(watch.groupKey);
  }
}
