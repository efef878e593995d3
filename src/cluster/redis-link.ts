/**
 * The cluster link over Redis. Every node subscribes to one event channel:
 * stored messages (announced by the store's append script, in seq order),
 * presence and direct messages. Who is in which group, and who is online,
 * are sorted sets whose scores are expiry times that each node refreshes for
 * its own entries, so a node that dies leaves no ghost members behind.
 * After the subscription drops and comes back, the node fetches the messages
 * it missed for its groups and delivers them, so nothing stored is lost.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { errorMessage } from '../protocol/errors.js';
import { isPlainObject } from '../protocol/frame.js';
import type { DirectMessage, PresenceMessage, StoredMessage } from '../protocol/messages.js';
import { nameKey as keyOf } from '../protocol/names.js';
import { parseServerValue } from '../protocol/validate.js';
import { connectedOnce, guardRedis, redisOptions } from '../redis/connection.js';
import { EVENT_ACCOUNT_CLOSED, EVENT_DIRECT, EVENT_GROUP, EVENT_MESSAGE, EVENT_PRESENCE, REDIS_KEYS } from '../redis/keys.js';
import { readStoredMessage } from '../redis/stored-message.js';
import { pageByNameKey } from '../server/group-roster.js';
import type { Logger } from '../server/logger.js';
import type { ServerMetrics } from '../server/metrics.js';
import { type GroupEvent, parseGroupEvent } from './group-event.js';
import type { ClusterEvents, ClusterLink } from './link.js';
import { sweepExpiredMembers, userOf } from './member-sweep.js';

/** Messages fetched per group when catching up after a lost subscription. */
const CATCH_UP_LIMIT = 1000;

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
  /** This node's entries, to refresh: group key → its display name and users (key → name); online users. */
  private readonly localMembers = new Map<string, { name: string; users: Map<string, string> }>();
  private readonly localOnline = new Map<string, string>();
  /** Last seq delivered per group key, to catch up after the subscription drops. */
  private readonly delivered = new Map<string, number>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  /** When the command connection last became ready: other nodes get a TTL's time to renew before this one sweeps. */
  private readySince = Date.now();
  private subscribedOnce = false;
  /** While catching up, live messages wait here so that none overtakes a missed one. */
  private held: Array<{ message: StoredMessage; origin: string }> | undefined;
  private closing = false;

  constructor(private readonly options: RedisClusterOptions) {
    const warn = (error: Error) => options.logger.warn('redis unreachable; retrying', { url: options.url, reason: error.message });
    this.commands = new Redis(options.url, redisOptions());
    this.commands.on('error', warn);
    this.commands.on('ready', () => { this.readySince = Date.now(); });
    this.subscriber = new Redis(options.url, { ...redisOptions(), enableOfflineQueue: true });
    this.subscriber.on('error', warn);
  }

  /** Whether both connections (commands, subscription) are ready now. */
  get connected(): boolean {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready';
  }

  async start(events: ClusterEvents): Promise<void> {
    this.events = events;
    this.subscriber.on('message', (_channel: string, payload: string) => this.receive(payload));
    this.subscriber.on('close', () => {
      if (this.subscribedOnce && !this.closing) this.held ??= [];
    });
    this.subscriber.on('ready', () => {
      if (this.subscribedOnce) void this.catchUp();
    });
    await Promise.all([connectedOnce(this.commands), connectedOnce(this.subscriber)]);
    await this.subscriber.subscribe(REDIS_KEYS.events);
    this.subscribedOnce = true;
    this.refreshTimer = setInterval(() => this.refresh(), Math.max(100, this.options.memberTtlMs / 3));
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

  trackMember(groupName: string, user: string, present: boolean): void {
    const key = keyOf(groupName);
    let group = this.localMembers.get(key);
    if (present) {
      if (group === undefined) this.localMembers.set(key, (group = { name: groupName, users: new Map() }));
      group.users.set(keyOf(user), user);
      if (!this.delivered.has(key)) void this.rememberSeq(key);
      this.write((redis) => redis.zadd(REDIS_KEYS.members(key), this.expiry(), `${this.nodeId}|${user}`));
    } else {
      group?.users.delete(keyOf(user));
      if (group?.users.size === 0) this.localMembers.delete(key);
      this.write((redis) => redis.zrem(REDIS_KEYS.members(key), `${this.nodeId}|${user}`));
    }
  }

  trackOnline(user: string, present: boolean): void {
    const key = keyOf(user);
    if (present) this.localOnline.set(key, user);
    else this.localOnline.delete(key);
    this.write((redis) => (present
      ? redis.zadd(REDIS_KEYS.online(key), this.expiry(), `${this.nodeId}|${user}`)
      : redis.zrem(REDIS_KEYS.online(key), `${this.nodeId}|${user}`)));
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

  async onlineName(user: string): Promise<string | undefined> {
    const [entry] = await guardRedis(this.commands, () => this.commands.zrangebyscore(REDIS_KEYS.online(keyOf(user)), Date.now(), '+inf', 'LIMIT', 0, 1));
    return entry === undefined ? undefined : userOf(entry);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.held = undefined;
    clearInterval(this.refreshTimer);
    const removals = this.commands.pipeline();
    for (const [key, group] of this.localMembers) for (const user of group.users.values()) removals.zrem(REDIS_KEYS.members(key), `${this.nodeId}|${user}`);
    for (const [key, user] of this.localOnline) removals.zrem(REDIS_KEYS.online(key), `${this.nodeId}|${user}`);
    if (this.commands.status === 'ready') await removals.exec().catch((error: unknown) => this.options.logger.warn('could not remove member entries', { reason: String(error) }));
    this.subscriber.disconnect();
    await this.commands.quit().then(() => undefined, () => this.commands.disconnect());
  }

  private receive(payload: string): void {
    const events = this.events;
    if (events === undefined) return;
    try {
      const kind = payload[0];
      if (kind === EVENT_MESSAGE) {
        const newline = payload.indexOf('\n');
        const message = readStoredMessage(payload.slice(newline + 1));
        this.options.metrics?.observePubsubLag((Date.now() - message.ts) / 1000);
        if (this.held !== undefined) this.held.push({ message, origin: payload.slice(1, newline) });
        else this.deliver(message, payload.slice(1, newline));
        return;
      }
      const event: unknown = JSON.parse(payload.slice(1));
      if (kind === EVENT_GROUP && isPlainObject(event)) {
        const groupEvent = parseGroupEvent(event['body']);
        // A group of the same name made later counts its seqs from 1 again.
        if (groupEvent?.kind === 'deleted') this.delivered.delete(keyOf(groupEvent.group));
        if (groupEvent !== undefined && event['origin'] !== this.nodeId) events.groupEvent(groupEvent, String(event['origin']));
        return;
      }
      if (!isPlainObject(event) || event['origin'] === this.nodeId) return; // ours went out locally already
      if (kind === EVENT_ACCOUNT_CLOSED) {
        const body = event['body'];
        if (isPlainObject(body) && typeof body['user'] === 'string' && typeof body['message'] === 'string') {
          events.accountClosed(body['user'], body['message'], String(event['origin']));
        }
        return;
      }
      const body = parseServerValue(event['body']);
      if (kind === EVENT_PRESENCE && body.type === 'presence') events.presence(body, String(event['origin']));
      if (kind === EVENT_DIRECT && body.type === 'dm') events.direct(body, String(event['origin']));
    } catch (error) {
      this.options.logger.warn('unreadable cluster event', { reason: errorMessage(error) });
    }
  }

  /**
   * After the subscription came back: delivers what was stored meanwhile, in
   * seq order, then the live messages held during the catch-up; retries until
   * Redis answers. Nothing is delivered twice.
   */
  private async catchUp(): Promise<void> {
    while (this.held !== undefined && !this.closing) {
      try {
        if (this.commands.status !== 'ready') await new Promise((resolve) => this.commands.once('ready', resolve));
        for (const key of this.localMembers.keys()) {
          for (let more = true; more;) {
            const rows = await this.commands.zrangebyscore(REDIS_KEYS.messages(key), `(${this.delivered.get(key) ?? 0}`, '+inf', 'LIMIT', 0, CATCH_UP_LIMIT);
            for (const row of rows) this.deliver(readStoredMessage(row), '');
            more = rows.length === CATCH_UP_LIMIT;
          }
        }
        const held = this.held ?? [];
        this.held = undefined;
        for (const { message, origin } of held) this.deliver(message, origin);
      } catch (error) {
        this.options.logger.warn('catching up after a lost subscription failed; retrying', { reason: String(error) });
        await sleep(500);
      }
    }
  }

  /** Delivers a message once: anything at or below the last seq delivered for its group is skipped. */
  private deliver(message: StoredMessage, origin: string): void {
    const key = keyOf(message.group);
    const last = this.delivered.get(key);
    if (last !== undefined && message.seq <= last) return;
    this.delivered.set(key, message.seq);
    this.events?.message(message, origin);
  }

  private async rememberSeq(key: string): Promise<void> {
    const seq = Number((await this.commands.get(REDIS_KEYS.seq(key)).catch(() => null)) ?? 0);
    if (seq > (this.delivered.get(key) ?? 0)) this.delivered.set(key, seq);
  }

  private refresh(): void {
    if (this.commands.status !== 'ready' || this.refreshing) return;
    this.refreshing = true;
    this.renewAndSweep()
      .catch((error: unknown) => this.options.logger.warn('member refresh failed', { reason: String(error) }))
      .finally(() => { this.refreshing = false; });
  }

  /**
   * Renews this node's entries, then removes expired ones from its groups and
   * announces those departures (here and to every node); not in the first TTL
   * after (re)connecting, so that after an outage every node has renewed its
   * entries before anything of it is taken for dead. An entry of ours
   * that had been swept meanwhile (Redis was out of reach for longer than the
   * TTL) comes back with its join announced to the other nodes: they saw the
   * leave, this node's members did not.
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
    for (const [key, user] of this.localOnline) {
      pipeline.zadd(REDIS_KEYS.online(key), expiry, `${this.nodeId}|${user}`);
      pipeline.zremrangebyscore(REDIS_KEYS.online(key), '-inf', `(${now}`);
    }
    const results = (await pipeline.exec()) ?? [];
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

  private publish(kind: string, body: PresenceMessage | DirectMessage): void {
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
