/**
 * `activity` (December additions): a message arrived in a group that the
 * recipient's account joined before but that this connection is not in now
 * (a connection may be in several groups: January additions; it gets `msg`
 * for each of them, and `activity` only for the others).
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
 * lookup. A timer runs per connection and group only while something waits;
 * a connection whose timer runs is not visited by the messages meanwhile
 * (the group keeps its latest seq), so a busy group costs each idle
 * connection about two visits per second, not one per message.
 * `unread` is counted against the account's marker in the store when the
 * activity is sent, so a `mark_read` on any node counts; no marker then (the
 * group deleted, the account banned or uninvited, on any node) sends nothing
 * and ends the watch. Deletions, bans and uninvites also end the watches
 * here at once (`forget`, from the group event every node gets).
 */
import type { FrameEncoder } from '../protocol/frame.js';
import type { ActivityMessage, StoredMessage } from '../protocol/messages.js';
import { mentionedKeys } from '../protocol/mentions.js';
import { nameKey, type NameKey } from '../protocol/names.js';
import { type ReadMarkerStore, unreadCount } from '../store/read-markers.js';
import type { HubMember } from './hub-member.js';
import type { Logger } from '../observe/logger.js';

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
  /**
   * The group was deleted (no `userKey`), or the user banned from it or shut
   * out of it (its marker is gone): its connections here stop watching it.
   */
  forget(group: string, userKey?: NameKey): void;
}

/** A signed-in connection of this node. */
interface Watcher {
  readonly member: HubMember;
  readonly user: string;
  readonly userKey: NameKey;
  /** Group key → its watch, for every group the account joined before (those it is in included). */
  readonly watches: Map<NameKey, Watch>;
  /** The keys of the groups it is in now (their watches are out of the index meanwhile). */
  readonly inGroups: Set<NameKey>;
}

/** One connection and one group it joined before. */
interface Watch {
  readonly watcher: Watcher;
  readonly groupKey: NameKey;
  /** When its last activity went out (`-Infinity`: never). */
  lastSentAt: number;
  /** The highest last_seq sent, so that a late send never goes back. */
  sentSeq: number;
  /** A message that waits for the timer mentioned the recipient. */
  mention: boolean;
  /** Cancels the timer; set only while one runs. */
  cancel: (() => void) | undefined;
}

/** A group with connections here that joined it before and are not in it now. */
interface IdleGroup {
  readonly key: NameKey;
  /** Display name and seq of its latest message. */
  name: string;
  lastSeq: number;
  /** Every idle watch of the group. */
  readonly watches: Set<Watch>;
  /** Those without a timer: the next message visits them (sends at once or starts their timer). */
  readonly unscheduled: Set<Watch>;
}

export interface ActivityOptions {
  store: ReadMarkerStore;
  encoder: FrameEncoder;
  logger: Logger;
  timers?: ActivityTimers;
  intervalMs?: number;
}

export class ActivityNotifier implements GroupActivity {
  /** Group key → the connections here that joined it before and are not in it now. */
  private readonly idle = new Map<NameKey, IdleGroup>();
  private readonly watchers = new Map<HubMember, Watcher>();
  /** User key → its signed-in connections here. */
  private readonly byUser = new Map<NameKey, Set<Watcher>>();
  private readonly timers: ActivityTimers;
  private readonly intervalMs: number;

  constructor(private readonly options: ActivityOptions) {
    this.timers = options.timers ?? systemActivityTimers;
    this.intervalMs = options.intervalMs ?? ACTIVITY_INTERVAL_MS;
  }

  /** Connections here that watch a group they are not in (for tests and metrics). */
  idleWatchers(group: string): number {
    return this.idle.get(nameKey(group))?.watches.size ?? 0;
  }

  signedIn(member: HubMember, user: string): void {
    const watcher: Watcher = { member, user, userKey: nameKey(user), watches: new Map(), inGroups: new Set() };
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
    watcher.inGroups.add(key);
    for (const other of this.byUser.get(watcher.userKey) ?? []) this.watch(other, key);
    const own = watcher.watches.get(key);
    if (own !== undefined) this.unindex(own);
  }

  exited(member: HubMember, group: string): void {
    const watcher = this.watchers.get(member);
    if (watcher === undefined) return;
    const key = nameKey(group);
    watcher.inGroups.delete(key);
    const watch = watcher.watches.get(key);
    if (watch !== undefined) this.index(watch);
  }

  forget(group: string, userKey?: NameKey): void {
    const key = nameKey(group);
    const watchers = userKey === undefined ? this.watchers.values() : (this.byUser.get(userKey) ?? []);
    for (const watcher of watchers) this.unwatch(watcher, key);
  }

  messageArrived(message: StoredMessage): void {
    const group = this.idle.get(nameKey(message.group));
    if (group === undefined) return;
    // What a timer sends when it fires: the latest counts.
    group.name = message.group;
    group.lastSeq = message.seq; // a group's messages arrive in seq order
    const mentioned = mentionedKeys(message.text);
    if (mentioned.size > 0) this.noteMentions(group, mentioned, nameKey(message.from));
    if (group.unscheduled.size === 0) return;
    const now = this.timers.now();
    for (const watch of group.unscheduled) {
      const wait = watch.lastSentAt + this.intervalMs - now;
      if (wait <= 0) {
        this.send(watch, group); // at once; stays unscheduled
      } else {
        group.unscheduled.delete(watch);
        watch.cancel = this.timers.schedule(wait, () => this.fire(watch));
      }
    }
  }

  /** The idle watches of the mentioned users (never the sender) wait with `mention`. */
  private noteMentions(group: IdleGroup, mentioned: ReadonlySet<NameKey>, senderKey: NameKey): void {
    for (const userKey of mentioned) {
      if (userKey === senderKey) continue;
      for (const watcher of this.byUser.get(userKey) ?? []) {
        const watch = watcher.watches.get(group.key);
        if (watch !== undefined && group.watches.has(watch)) watch.mention = true;
      }
    }
  }

  /** The watch's second is over: what arrived meanwhile goes out as one. */
  private fire(watch: Watch): void {
    watch.cancel = undefined;
    const group = this.idle.get(watch.groupKey);
    if (group === undefined || !group.watches.has(watch)) return;
    group.unscheduled.add(watch);
    this.send(watch, group);
  }

  private send(watch: Watch, group: IdleGroup): void {
    watch.lastSentAt = this.timers.now();
    const told = { group: group.name, lastSeq: group.lastSeq, mention: watch.mention };
    watch.mention = false;
    void this.sendCounted(watch, told);
  }

  /** Sends once the account's marker is read (a `mark_read` on any node counts). */
  private async sendCounted(watch: Watch, told: { group: string; lastSeq: number; mention: boolean }): Promise<void> {
    const { watcher } = watch;
    let marker: number | undefined;
    try {
      marker = await this.options.store.readMarker(watcher.user, told.group);
    } catch (error) {
      this.options.logger.warn('could not read a read marker for activity', { user: watcher.user, group: told.group, reason: String(error) });
      return;
    }
    // Gone, or in the group, meanwhile; or a later activity went out first.
    if (this.idle.get(watch.groupKey)?.watches.has(watch) !== true || told.lastSeq <= watch.sentSeq) return;
    // No marker now: the group was deleted (and maybe made again), or the account banned or shut out, on some node.
    if (marker === undefined) {
      this.unwatch(watcher, watch.groupKey);
      return;
    }
    watch.sentSeq = told.lastSeq;
    const activity: ActivityMessage = {
      type: 'activity', group: told.group, last_seq: told.lastSeq, unread: unreadCount(told.lastSeq, marker), mention: told.mention,
    };
    watcher.member.sendFrame(this.options.encoder.encode(activity));
  }

  /** The connection watches the group from now on (idle in it unless it is in it). */
  private watch(watcher: Watcher, groupKey: NameKey): void {
    if (watcher.watches.has(groupKey)) return;
    const watch: Watch = { watcher, groupKey, lastSentAt: Number.NEGATIVE_INFINITY, sentSeq: 0, mention: false, cancel: undefined };
    watcher.watches.set(groupKey, watch);
    if (!watcher.inGroups.has(groupKey)) this.index(watch);
  }

  /** The connection no longer watches the group (until a join or sign-in finds a marker again). */
  private unwatch(watcher: Watcher, groupKey: NameKey): void {
    const watch = watcher.watches.get(groupKey);
    if (watch === undefined) return;
    watcher.watches.delete(groupKey);
    this.unindex(watch);
  }

  private index(watch: Watch): void {
    let group = this.idle.get(watch.groupKey);
    if (group === undefined) {
      group = { key: watch.groupKey, name: watch.groupKey, lastSeq: 0, watches: new Set(), unscheduled: new Set() };
      this.idle.set(watch.groupKey, group);
    }
    group.watches.add(watch);
    if (watch.cancel === undefined) group.unscheduled.add(watch);
  }

  /** Out of the index; what waited is dropped (in the group it gets the messages; signed out it gets nothing). */
  private unindex(watch: Watch): void {
    watch.cancel?.();
    watch.cancel = undefined;
    watch.mention = false;
    const group = this.idle.get(watch.groupKey);
    if (group === undefined) return;
    group.watches.delete(watch);
    group.unscheduled.delete(watch);
    if (group.watches.size === 0) this.idle.delete(watch.groupKey);
  }
}
