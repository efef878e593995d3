/**
 * The shared store for cluster mode: accounts, groups, per-group seqs and
 * message history in Redis (ioredis). Appending is one Lua script, atomic on
 * the Redis server: next seq, store, and announce on the event channel, so
 * every node receives messages in seq order. Resolves once Redis has accepted
 * the write (durability is Redis's: see docs/scaling.md for appendonly).
 */
import { Redis, type Result } from 'ioredis';
import { ProtocolError } from '../protocol/errors.js';
import type { AccountRole, StoredMessage } from '../protocol/messages.js';
import { nameKey as keyOf } from '../protocol/names.js';
import { connectedOnce, guardRedis, redisOptions } from '../redis/connection.js';
import { EVENT_MESSAGE, REDIS_KEYS } from '../redis/keys.js';
import { readStoredMessage } from '../redis/stored-message.js';
import type { GroupBan, GroupSettings, GroupStanding } from './moderation-store.js';
import { defineModerationCommands, RedisModeration } from './redis-moderation.js';
import { RedisDataMarker } from './redis-data-marker.js';
import { RedisReadMarkers } from './redis-read-markers.js';
import { APPEND_DEADLINE_MS, APPEND_SCRIPT, CREATE_OWNED_GROUP_SCRIPT, SET_PASSWORD_SCRIPT } from './redis-scripts.js';
import { defineRetentionCommands, firstSeq, pruneMessages } from './redis-retention.js';
import type {
  CreateGroupOutcome, Disabled, GroupCaps, GroupRecord, GroupReport, MessagePage, NewMessage, RetentionPolicy, Store, UserRecord, UserSummary,
} from './store.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderSetPassword(usersKey: string, userKey: string, hash: string): Result<unknown, Context>;
    termsenderCreateOwnedGroup(groupsKey: string, ownersKey: string, countsKey: string, privateKey: string, groupKey: string, name: string,
      ownerKey: string, maxGroups: string, maxOwned: string, isPrivate: string): Result<unknown, Context>;
    termsenderAppend(seqKey: string, messagesKey: string, groupsKey: string, groupKey: string, from: string, text: string,
      ts: string, origin: string, channel: string, kind: string, deadline: string): Result<unknown, Context>;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined; // not ours: treated as absent
  }
}

/** The user hash's JSON: {name, hash, created?}; undefined when it is not that. */
function readAccount(json: string): { name: string; hash: string; created?: number } | undefined {
  const record = parseJson(json);
  if (!isRecord(record) || typeof record['name'] !== 'string' || typeof record['hash'] !== 'string') return undefined;
  const created = record['created'];
  return { name: record['name'], hash: record['hash'], ...(typeof created === 'number' ? { created } : {}) };
}

/** Role and disabled state from their parallel hashes' entries. */
function accountState(role: string | null, disabled: string | null): { role: AccountRole; disabled?: Disabled } {
  const state = disabled === null ? undefined : parseJson(disabled);
  const reason = isRecord(state) && typeof state['reason'] === 'string' ? state['reason'] : '';
  const at = isRecord(state) && typeof state['at'] === 'number' ? state['at'] : 0;
  return { role: role === 'admin' ? 'admin' : 'user', ...(disabled === null ? {} : { disabled: { reason, at } }) };
}

export class RedisStore implements Store {
  private readonly moderation: RedisModeration;
  private readonly markers: RedisReadMarkers;

  private readonly marker: RedisDataMarker;

  private constructor(private readonly redis: Redis, private readonly observe: (seconds: number) => void, onDataLost: (reason: string) => void) {
    this.marker = new RedisDataMarker(redis, onDataLost);
    this.markers = new RedisReadMarkers(redis, (call) => this.guard(call));
    redis.defineCommand('termsenderAppend', { numberOfKeys: 3, lua: APPEND_SCRIPT });
    redis.defineCommand('termsenderCreateOwnedGroup', { numberOfKeys: 4, lua: CREATE_OWNED_GROUP_SCRIPT });
    defineModerationCommands(redis);
    this.moderation = new RedisModeration(redis, (call) => this.guard(call));
    redis.defineCommand('termsenderSetPassword', { numberOfKeys: 1, lua: SET_PASSWORD_SCRIPT });
    defineRetentionCommands(redis);
  }

  /** Connects; `onError` hears of connection trouble (the store keeps retrying). */
  /** Resolves once Redis answers: while it does not, the connection retries (each failure goes to `onError`). */
  /** `onDataLost`: Redis lost its data under this node (redis-data-marker.ts); the store answers `unavailable` from then on. */
  static async connect(url: string, onError: (error: Error) => void, observe: (seconds: number) => void = () => undefined,
    onDataLost: (reason: string) => void = () => undefined): Promise<RedisStore> {
    const redis = new Redis(url, redisOptions());
    redis.on('error', onError);
    await connectedOnce(redis);
    const store = new RedisStore(redis, observe, onDataLost);
    await store.marker.start();
    return store;
  }

  /** Whether the connection is ready now. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** Why Redis cannot serve now (unreachable, or no PONG within `timeoutMs`), or undefined while it can. */
  async probe(timeoutMs: number): Promise<string | undefined> {
    if (this.redis.status !== 'ready') return `redis unreachable (${this.redis.status})`;
    if (this.marker.problem !== undefined) return this.marker.problem;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => { timer = setTimeout(() => resolve(`redis did not answer within ${timeoutMs} ms`), timeoutMs); });
    try {
      return await Promise.race([this.redis.ping().then(() => undefined, (error: unknown) => `redis ping failed: ${String(error)}`), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async createUser(name: string, passwordHash: string): Promise<UserRecord | undefined> {
    const record = JSON.stringify({ name, hash: passwordHash, created: Date.now() });
    const created = await this.guard(() => this.redis.hsetnx(REDIS_KEYS.users, keyOf(name), record));
    return created === 1 ? { name, passwordHash, role: 'user' } : undefined;
  }

  async findUser(name: string): Promise<UserRecord | undefined> {
    const key = keyOf(name);
    const [json, role, disabled] = await this.guard(() => Promise.all([
      this.redis.hget(REDIS_KEYS.users, key), this.redis.hget(REDIS_KEYS.userRoles, key), this.redis.hget(REDIS_KEYS.userDisabled, key),
    ]));
    const account = json === null ? undefined : readAccount(json);
    if (account === undefined) return undefined;
    return { name: account.name, passwordHash: account.hash, ...accountState(role, disabled) };
  }

  async listUsers(): Promise<UserSummary[]> {
    const [users, roles, disabled, logins] = await this.guard(() => Promise.all([
      this.redis.hgetall(REDIS_KEYS.users), this.redis.hgetall(REDIS_KEYS.userRoles),
      this.redis.hgetall(REDIS_KEYS.userDisabled), this.redis.hgetall(REDIS_KEYS.userLogins),
    ]));
    const summaries: UserSummary[] = [];
    for (const key of Object.keys(users).sort()) {
      const account = readAccount(users[key] ?? '');
      if (account === undefined) continue;
      const lastLogin = Number(logins[key] ?? Number.NaN);
      summaries.push({
        name: account.name, ...accountState(roles[key] ?? null, disabled[key] ?? null),
        ...(account.created === undefined ? {} : { createdAt: account.created }),
        ...(Number.isSafeInteger(lastLogin) ? { lastLogin } : {}),
      });
    }
    return summaries;
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    return Number(await this.guard(() => this.redis.termsenderSetPassword(REDIS_KEYS.users, keyOf(name), passwordHash))) === 1;
  }

  /** Bumps the change mark with the role, so that every node checks its private groups' members (store-changes.ts). */
  async setRole(name: string, role: AccountRole): Promise<boolean> {
    return this.ifUser(name, (key) => {
      const change = this.redis.multi();
      (role === 'admin' ? change.hset(REDIS_KEYS.userRoles, key, role) : change.hdel(REDIS_KEYS.userRoles, key)).incr(REDIS_KEYS.adminChanges);
      return change.exec();
    });
  }

  async changeMark(): Promise<number> {
    return Number(await this.guard(() => this.redis.get(REDIS_KEYS.adminChanges)) ?? 0);
  }

  async setDisabled(name: string, disabled: Disabled | undefined): Promise<boolean> {
    return this.ifUser(name, (key) => (disabled === undefined
      ? this.redis.hdel(REDIS_KEYS.userDisabled, key)
      : this.redis.hset(REDIS_KEYS.userDisabled, key, JSON.stringify(disabled))));
  }

  async recordLogin(name: string, at: number): Promise<void> {
    await this.guard(() => this.redis.hset(REDIS_KEYS.userLogins, keyOf(name), String(at)));
  }

  /** Runs `change` when the account exists (accounts are never deleted, so nothing removes it in between). */
  private async ifUser(name: string, change: (key: string) => Promise<unknown>): Promise<boolean> {
    const key = keyOf(name);
    if ((await this.guard(() => this.redis.hexists(REDIS_KEYS.users, key))) !== 1) return false;
    await this.guard(() => change(key));
    return true;
  }

  async createGroup(name: string): Promise<GroupRecord | undefined> {
    const created = await this.guard(() => this.redis.hsetnx(REDIS_KEYS.groups, keyOf(name), name));
    return created === 1 ? { name, lastSeq: 0 } : undefined;
  }

  async createOwnedGroup(name: string, owner: string, caps: GroupCaps, options: { private?: boolean } = {}): Promise<CreateGroupOutcome> {
    const outcome = String(await this.guard(() => this.redis.termsenderCreateOwnedGroup(REDIS_KEYS.groups, REDIS_KEYS.groupOwners,
      REDIS_KEYS.ownedCounts, REDIS_KEYS.privateGroups, keyOf(name), name, keyOf(owner), String(caps.maxGroups), String(caps.maxOwned),
      options.private === true ? '1' : '0')));
    if (outcome === 'created') return { kind: 'created', group: { name, lastSeq: 0 } };
    if (outcome === 'exists' || outcome === 'server_full') return { kind: outcome };
    if (outcome.startsWith('owner_full:')) return { kind: 'owner_full', owned: Number(outcome.slice('owner_full:'.length)) };
    throw new Error(`unexpected reply from the create-group script: ${outcome.slice(0, 64)}`);
  }

  async countOwnedGroups(owner: string): Promise<number> {
    return Number((await this.guard(() => this.redis.hget(REDIS_KEYS.ownedCounts, keyOf(owner)))) ?? 0);
  }

  async findGroup(name: string): Promise<GroupRecord | undefined> {
    const key = keyOf(name);
    const [display, seq] = await this.guard(() => Promise.all([this.redis.hget(REDIS_KEYS.groups, key), this.redis.get(REDIS_KEYS.seq(key))]));
    return display === null ? undefined : { name: display, lastSeq: Number(seq ?? 0) };
  }

  async countGroups(): Promise<number> {
    return this.guard(() => this.redis.hlen(REDIS_KEYS.groups));
  }

  async groupReports(): Promise<GroupReport[]> {
    const [groups, owners, users, privateKeys] = await this.guard(() => Promise.all([
      this.redis.hgetall(REDIS_KEYS.groups), this.redis.hgetall(REDIS_KEYS.groupOwners), this.redis.hgetall(REDIS_KEYS.users),
      this.redis.smembers(REDIS_KEYS.privateGroups),
    ]));
    const isPrivate = new Set(privateKeys);
    const keys = Object.keys(groups).sort();
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.zcard(REDIS_KEYS.messages(key)).zrange(REDIS_KEYS.messages(key), -1, -1);
    const results = (await this.guard(() => pipeline.exec())) ?? [];
    return keys.map((key, i) => {
      const ownerKey = owners[key];
      const owner = ownerKey === undefined ? undefined : readAccount(users[ownerKey] ?? '')?.name ?? ownerKey;
      const newest = results[2 * i + 1]?.[1];
      const last = Array.isArray(newest) && typeof newest[0] === 'string' ? readStoredMessage(newest[0]).ts : undefined;
      return {
        name: groups[key] ?? key, messages: Number(results[2 * i]?.[1] ?? 0), private: isPrivate.has(key),
        ...(owner === undefined ? {} : { owner }), ...(last === undefined ? {} : { lastActivity: last }),
      };
    });
  }

  async listGroups(): Promise<string[]> {
    const names = await this.guard(() => this.redis.hvals(REDIS_KEYS.groups));
    return names.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  }

  async appendMessage(message: NewMessage): Promise<StoredMessage> {
    const key = keyOf(message.group);
    const json = await this.guard(() => this.redis.termsenderAppend(REDIS_KEYS.seq(key), REDIS_KEYS.messages(key), REDIS_KEYS.groups, key,
      message.from, message.text, String(message.ts), message.origin, REDIS_KEYS.events, EVENT_MESSAGE, String(Date.now() + APPEND_DEADLINE_MS)));
    if (json === 'late') throw new ProtocolError('unavailable', 'the shared store answered too late: the message was not stored; try again');
    if (typeof json !== 'string') throw new ProtocolError('no_such_group', `group '${message.group}' was deleted`);
    return readStoredMessage(json);
  }

  async messagesSince(group: string, since: number, limit: number): Promise<MessagePage> {
    const rows = await this.guard(() => this.redis.zrangebyscore(REDIS_KEYS.messages(keyOf(group)), `(${since}`, '+inf', 'LIMIT', 0, limit + 1));
    return { messages: rows.slice(0, limit).map(readStoredMessage), more: rows.length > limit };
  }

  async messagesBefore(group: string, before: number | undefined, limit: number): Promise<MessagePage> {
    const rows = await this.guard(() => this.redis.zrevrangebyscore(REDIS_KEYS.messages(keyOf(group)), before === undefined ? '+inf' : `(${before}`, '-inf', 'LIMIT', 0, limit + 1));
    return { messages: rows.slice(0, limit).reverse().map(readStoredMessage), more: rows.length > limit };
  }

  async groupSettings(group: string): Promise<GroupSettings | undefined> { return this.moderation.groupSettings(group); }

  async listGroupSettings(): Promise<GroupSettings[]> { return this.moderation.listGroupSettings(); }

  async privateGroupsOpenTo(user: string): Promise<Set<string>> { return this.moderation.privateGroupsOpenTo(user); }

  async standing(group: string, user: string): Promise<GroupStanding> { return this.moderation.standing(group, user); }

  async setTopic(group: string, topic: string): Promise<boolean> { return this.moderation.setTopic(group, topic); }

  async setModerator(group: string, user: string, moderator: boolean): Promise<boolean> { return this.moderation.setModerator(group, user, moderator); }

  async setInvited(group: string, user: string, invited: boolean): Promise<boolean> { return this.moderation.setInvited(group, user, invited); }

  async setBan(group: string, user: string, ban: GroupBan | undefined): Promise<boolean> { return this.moderation.setBan(group, user, ban); }

  async deleteGroup(group: string, by: string): Promise<string | undefined> { return this.moderation.deleteGroup(group, by); }

  recordJoin(user: string, group: string, seq: number): Promise<number> { return this.markers.recordJoin(user, group, seq); }

  markRead(user: string, group: string, seq: number): Promise<boolean> { return this.markers.markRead(user, group, seq); }

  dropMarker(user: string, group: string): Promise<void> { return this.markers.dropMarker(user, group); }

  readMarker(user: string, group: string): Promise<number | undefined> { return this.markers.readMarker(user, group); }

  readMarkers(user: string): Promise<Map<string, number>> { return this.markers.readMarkers(user); }

  lastSeqs(groups: string[]): Promise<number[]> { return this.markers.lastSeqs(groups); }

  async firstSeq(group: string): Promise<number | undefined> {
    return this.guard(() => firstSeq(this.redis, keyOf(group)));
  }

  async pruneMessages(group: string, policy: RetentionPolicy, now: number, batch: number): Promise<number> {
    return this.guard(() => pruneMessages(this.redis, keyOf(group), policy, now, batch));
  }

  async close(): Promise<void> {
    this.marker.close();
    if (this.redis.status === 'end') return;
    await this.redis.quit().then(() => undefined, () => this.redis.disconnect());
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    const problem = this.marker.problem;
    if (problem !== undefined) throw new ProtocolError('unavailable', problem);
    const started = performance.now();
    const result = await guardRedis(this.redis, call);
    this.observe((performance.now() - started) / 1000);
    return result;
  }
}
