/**
 * The cluster link over Redis. Every node subscribes to one event channel:
 * stored messages (announced by the store's append script, in seq order),
 * presence and direct messages. Who is in which group is a sorted set per
 * group whose scores are expiry times that each node refreshes for
 * its own entries, so a node that dies leaves no ghost members behind.
 * After the subscription drops and comes back, the node fetches the messages
 * it missed for its groups and delivers them, so nothing stored is lost.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { errorMessage } from '../protocol/errors.js';
import type { DirectMessage, NoticeMessage, PresenceMessage } from '../protocol/messages.js';
import { nameKey as keyOf, type NameKey } from '../protocol/names.js';
import { connectedOnce, guardRedis, redisOptions } from '../redis/connection.js';
import { EVENT_ACCOUNT_CLOSED, EVENT_ACCOUNT_MESSAGE, EVENT_DIRECT, EVENT_GROUP, EVENT_NOTICE, EVENT_PRESENCE, REDIS_KEYS } from '../redis/keys.js';
import type { Logger } from '../observe/logger.js';
import type { ServerMetrics } from '../observe/metrics.js';
import { pageByNameKey } from '../protocol/name-order.js';
import type { AccountMessage } from './account-message.js';
import { readClusterEvent } from './cluster-event.js';
import type { GroupEvent } from './group-event.js';
import type { ClusterEvents, ClusterLink } from './link.js';
import { sweepExpiredMembers, userOf } from './member-sweep.js';
import { MessageOrder } from './message-order.js';

export interface RedisClusterOptions {
  url: string;
  /** How long a member entry lives without a refresh; refreshed every third of it. */
  memberTtlMs: number;
  logger: Logger;
  /** Pub/sub lag and swept members are counted here. */
  metrics?: ServerMetrics | undefined;
}

/** Names of unexpired `node|name` entries, once each without regard to case. */
function liveNames(entries: string[]): string[] {
  const names = new Map<string, string>();
  for (const entry of entries) {
    const name = userOf(entry);
    if (!names.has(keyOf(name))) names.set(keyOf(name), name);
  }
  return [...names.values()];
}

export class RedisClusterLink implements ClusterLink {
  readonly nodeId = randomBytes(6).toString('hex');
  readonly sharesStoredMessages = true;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private events: ClusterEvents | undefined;
  /** This node's entries, to refresh: group key → its display name and users (key → name) */
  private readonly localMembers = new Map<NameKey, { name: string; users: Map<NameKey, string> }>();
  /** Stored messages to this node in seq order, once each (caught up after the subscription drops). */
  private readonly order: MessageOrder;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  /** The last refresh waited on Redis for longer than a refresh period: renew again at once. */
  private renewAgain = false;
  /** When the command connection last became ready: other nodes get a TTL's time to renew before this one sweeps. */
  private readySince = Date.now();
  private subscribedOnce = false;
  private closing = false;

  constructor(private readonly options: RedisClusterOptions) {
    const warn = (error: Error) => options.logger.warn('redis unreachable; retrying', { url: options.url, reason: error.message });
    this.commands = new Redis(options.url, redisOptions());
    this.commands.on('error', warn);
    this.commands.on('ready', () => { this.readySince = Date.now(); });
    this.subscriber = new Redis(options.url, { ...redisOptions(), enableOfflineQueue: true });
    this.subscriber.on('error', warn);
    this.order = new MessageOrder(this.commands, (message, origin) => this.events?.message(message, origin), options.logger);
  }

  /** Whether both connections (commands, subscription) are ready now. */
  get connected(): boolean {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready';
  }

  async start(events: ClusterEvents): Promise<void> {
    this.events = events;
    this.subscriber.on('message', (_channel: string, payload: string) => this.receive(payload));
    this.subscriber.on('close', () => {
      if (this.subscribedOnce && !this.closing) this.order.pause();
    });
    this.subscriber.on('ready', () => {
      if (this.subscribedOnce) this.order.resume();
    });
    await Promise.all([connectedOnce(this.commands), connectedOnce(this.subscriber)]);
    await this.subscriber.subscribe(REDIS_KEYS.events);
    this.subscribedOnce = true;
    this.refreshTimer = setInterval(() => this.refresh(), this.refreshPeriodMs());
    this.refreshTimer.unref();
  }

  publishPresence(presence: PresenceMessage): void {
    this.publish(EVENT_PRESENCE, presence);
  }

  publishDirect(message: DirectMessage): void {
    this.publish(EVENT_DIRECT, message);
  }

  publishAccountClosed(user: string, message: string): void {
    this.write((redis) => redis.publish(REDIS_KEYS.events, EVENT_ACCOUNT_CLOSED + JSON.stringify({ origin: this.nodeId, body: { user, message } })));
  }

  /** Deletions are announced by the Redis store's delete script (whoever deletes, the admin command too), so not here. */
  publishGroupEvent(event: GroupEvent): void {
    if (event.kind === 'deleted') return;
    this.write((redis) => redis.publish(REDIS_KEYS.events, EVENT_GROUP + JSON.stringify({ origin: this.nodeId, body: event })));
  }

  publishNotice(notice: NoticeMessage): void {
    this.publish(EVENT_NOTICE, notice);
  }

  publishAccountMessage(sent: AccountMessage): void {
    this.publish(EVENT_ACCOUNT_MESSAGE, sent);
  }

  trackMember(groupName: string, user: string, present: boolean): void {
    const key = keyOf(groupName);
    let group = this.localMembers.get(key);
    if (present) {
      if (group === undefined) this.localMembers.set(key, (group = { name: groupName, users: new Map() }));
      group.users.set(keyOf(user), user);
      this.order.watch(key);
      this.write((redis) => redis.zadd(REDIS_KEYS.members(key), this.expiry(), `${this.nodeId}|${user}`));
    } else {
      group?.users.delete(keyOf(user));
      if (group?.users.size === 0) {
        this.localMembers.delete(key);
        this.order.unwatch(key);
      }
      this.write((redis) => redis.zrem(REDIS_KEYS.members(key), `${this.nodeId}|${user}`));
    }
  }

  async members(group: string): Promise<string[]> {
    return liveNames(await guardRedis(this.commands, () => this.commands.zrangebyscore(REDIS_KEYS.members(keyOf(group)), Date.now(), '+inf')));
  }

  /** Sorted per call: the cluster's list lives in Redis, by expiry (a node alone keeps its own sorted, GroupRoster). */
  async memberPage(group: string, after: string | undefined, limit: number): Promise<string[]> {
    return pageByNameKey(await this.members(group), after, limit);
  }

  async memberCounts(groups: string[]): Promise<number[]> {
    if (groups.length === 0) return [];
    const pipeline = this.commands.pipeline();
    for (const group of groups) pipeline.zrangebyscore(REDIS_KEYS.members(keyOf(group)), Date.now(), '+inf');
    const results = (await guardRedis(this.commands, () => pipeline.exec())) ?? [];
    return results.map(([error, entries]) => (error === null && Array.isArray(entries) ? liveNames(entries.map(String)).length : 0));
  }

  async close(): Promise<void> {
    this.closing = true;
    this.order.close();
    clearInterval(this.refreshTimer);
    const removals = this.commands.pipeline();
    for (const [key, group] of this.localMembers) for (const user of group.users.values()) removals.zrem(REDIS_KEYS.members(key), `${this.nodeId}|${user}`);
    if (this.commands.status === 'ready') await removals.exec().catch((error: unknown) => this.options.logger.warn('could not remove member entries', { reason: String(error) }));
    this.subscriber.disconnect();
    await this.commands.quit().then(() => undefined, () => this.commands.disconnect());
  }

  /** An event from the channel, judged by the rules of client input (cluster-event.ts); one that breaks them is logged and dropped. */
  private receive(payload: string): void {
    const events = this.events;
    if (events === undefined) return;
    try {
      const event = readClusterEvent(payload);
      switch (event.kind) {
        case 'message':
          this.options.metrics?.observePubsubLag((Date.now() - event.message.ts) / 1000);
          this.order.received(event.message, event.origin);
          return;
        case 'group':
          // A group of the same name made later counts its seqs from 1 again.
          if (event.event.kind === 'deleted') this.order.unwatch(keyOf(event.event.group));
          if (event.origin !== this.nodeId) events.groupEvent(event.event, event.origin);
          return;
        default:
          break;
      }
      if (event.origin === this.nodeId) return; // ours went out locally already
      if (event.kind === 'accountClosed') events.accountClosed(event.user, event.message, event.origin);
      else if (event.kind === 'notice') events.notice(event.notice, event.origin);
      else if (event.kind === 'accountMessage') events.accountMessage(event.sent, event.origin);
      else if (event.kind === 'presence') events.presence(event.presence, event.origin);
      else events.direct(event.message, event.origin);
    } catch (error) {
      this.options.logger.warn('unreadable cluster event dropped', { reason: errorMessage(error).slice(0, 200) });
    }
  }

  private refresh(): void {
    if (this.commands.status !== 'ready' || this.refreshing) return;
    this.refreshing = true;
    this.renewAndSweep()
      .catch((error: unknown) => this.options.logger.warn('member refresh failed', { reason: String(error) }))
      .finally(() => {
        this.refreshing = false;
        if (this.renewAgain) {
          this.renewAgain = false;
          this.refresh();
        }
      });
  }

  private refreshPeriodMs(): number {
    return Math.max(100, this.options.memberTtlMs / 3);
  }

  /**
   * Renews this node's entries, then removes expired ones from its groups and
   * announces those departures (here and to every node); not in the first TTL
   * after (re)connecting, so that after an outage every node has renewed its
   * entries before anything of it is taken for dead. An entry of ours
   * that had been swept meanwhile (Redis was out of reach for longer than the
   * TTL) comes back with its join announced to the other nodes: they saw the
   * leave, this node's members did not. A Redis that stalled (answered
   * nothing for longer than a refresh period, e.g. stopped and continued)
   * counts as an outage too: every node's renewals were held up alike, so
   * entries that expired meanwhile are not taken for a dead node's.
   */
  private async renewAndSweep(): Promise<void> {
    const expiry = this.expiry();
    const pipeline = this.commands.pipeline();
    const renewed: PresenceMessage[] = [];
    for (const [key, group] of this.localMembers) {
      for (const user of group.users.values()) {
        pipeline.zadd(REDIS_KEYS.members(key), expiry, `${this.nodeId}|${user}`);
        renewed.push({ type: 'presence', group: group.name, user, event: 'join' });
      }
    }
    const now = Date.now();
    const results = (await pipeline.exec()) ?? [];
    if (Date.now() - now > this.refreshPeriodMs()) {
      this.readySince = Date.now();
      this.renewAgain = true;
    }
    renewed.forEach((join, i) => {
      if (results[i]?.[1] === 1) this.publishPresence(join);
    });
    if (now - this.readySince < this.options.memberTtlMs) return;
    // One round trip finds the expired entries of every group; only groups that have some are swept.
    const groups = [...this.localMembers];
    const probe = this.commands.pipeline();
    for (const [key] of groups) probe.zrangebyscore(REDIS_KEYS.members(key), '-inf', `(${now}`);
    const found = (await probe.exec()) ?? [];
    for (const [i, [key, group]] of groups.entries()) {
      const expired = found[i]?.[1];
      if (!Array.isArray(expired) || expired.length === 0) continue;
      for (const user of await sweepExpiredMembers(this.commands, REDIS_KEYS.members(key), expired.map(String), now, this.nodeId)) {
        const leave: PresenceMessage = { type: 'presence', group: group.name, user, event: 'leave' };
        if (this.options.metrics) this.options.metrics.counts.sweptMembers += 1;
        this.events?.presence(leave, this.nodeId);
        this.publishPresence(leave);
      }
    }
  }

  private publish(kind: string, body: PresenceMessage | DirectMessage | NoticeMessage | AccountMessage): void {
    this.write((redis) => redis.publish(REDIS_KEYS.events, kind + JSON.stringify({ origin: this.nodeId, body })));
  }

  /** A write whose failure only delays things: membership is refreshed, events are best effort. */
  private write(command: (redis: Redis) => Promise<unknown>): void {
    if (this.commands.status !== 'ready') return;
    command(this.commands).catch((error: unknown) => this.options.logger.warn('cluster write failed', { reason: String(error) }));
  }

  private expiry(): number {
    return Date.now() + this.options.memberTtlMs;
  }
}
