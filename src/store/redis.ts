/**
 * The shared store for cluster mode: accounts, groups, per-group seqs and
 * message history in Redis (ioredis). Appending is one Lua script, atomic on
 * the Redis server: next seq, store, and announce on the event channel, so
 * every node receives messages in seq order. Resolves once Redis has accepted
 * the write (durability is Redis's: see docs/scaling.md for appendonly).
 */
import { Redis, type Result } from 'ioredis';
import type { StoredMessage } from '../protocol/messages.js';
import { nameKey as keyOf } from '../protocol/names.js';
import { connectedOnce, guardRedis, redisOptions } from '../redis/connection.js';
import { EVENT_MESSAGE, REDIS_KEYS } from '../redis/keys.js';
import { readStoredMessage } from '../redis/stored-message.js';
import { type CreateGroupOutcome, type GroupCaps, type GroupRecord, type MessagePage, type NewMessage, type Store, type UserRecord } from './store.js';

const APPEND_SCRIPT = `
local name = redis.call('HGET', KEYS[3], ARGV[1])
if not name then return false end
local seq = redis.call('INCR', KEYS[1])
local message = cjson.encode({group = name, seq = seq, from = ARGV[2], text = ARGV[3], ts = tonumber(ARGV[4])})
redis.call('ZADD', KEYS[2], seq, message)
redis.call('PUBLISH', ARGV[6], ARGV[7] .. ARGV[5] .. '\\n' .. message)
return message
`;

/** Name free, server cap, owner cap, then create and count: atomic on the Redis server, so no node passes a cap. */
const CREATE_OWNED_GROUP_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'exists' end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return 'server_full' end
local owned = tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0')
if owned >= tonumber(ARGV[5]) then return 'owner_full:' .. owned end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
return 'created'
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderCreateOwnedGroup(groupsKey: string, ownersKey: string, countsKey: string, groupKey: string, name: string,
      ownerKey: string, maxGroups: string, maxOwned: string): Result<unknown, Context>;
    termsenderAppend(seqKey: string, messagesKey: string, groupsKey: string, groupKey: string, from: string, text: string,
      ts: string, origin: string, channel: string, kind: string): Result<unknown, Context>;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class RedisStore implements Store {
  private constructor(private readonly redis: Redis, private readonly observe: (seconds: number) => void) {
    redis.defineCommand('termsenderAppend', { numberOfKeys: 3, lua: APPEND_SCRIPT });
    redis.defineCommand('termsenderCreateOwnedGroup', { numberOfKeys: 3, lua: CREATE_OWNED_GROUP_SCRIPT });
  }

  /** Connects; `onError` hears of connection trouble (the store keeps retrying). */
  /** Resolves once Redis answers: while it does not, the connection retries (each failure goes to `onError`). */
  static async connect(url: string, onError: (error: Error) => void, observe: (seconds: number) => void = () => undefined): Promise<RedisStore> {
    const redis = new Redis(url, redisOptions());
    redis.on('error', onError);
    await connectedOnce(redis);
    return new RedisStore(redis, observe);
  }

  /** Whether the connection is ready now. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** Why Redis cannot serve now (unreachable, or no PONG within `timeoutMs`), or undefined while it can. */
  async probe(timeoutMs: number): Promise<string | undefined> {
    if (this.redis.status !== 'ready') return `redis unreachable (${this.redis.status})`;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => { timer = setTimeout(() => resolve(`redis did not answer within ${timeoutMs} ms`), timeoutMs); });
    try {
      return await Promise.race([this.redis.ping().then(() => undefined, (error: unknown) => `redis ping failed: ${String(error)}`), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async createUser(name: string, passwordHash: string): Promise<UserRecord | undefined> {
    const created = await this.guard(() => this.redis.hsetnx(REDIS_KEYS.users, keyOf(name), JSON.stringify({ name, hash: passwordHash })));
    return created === 1 ? { name, passwordHash } : undefined;
  }

  async findUser(name: string): Promise<UserRecord | undefined> {
    const json = await this.guard(() => this.redis.hget(REDIS_KEYS.users, keyOf(name)));
    if (json === null) return undefined;
    const record: unknown = JSON.parse(json);
    if (!isRecord(record) || typeof record['name'] !== 'string' || typeof record['hash'] !== 'string') return undefined;
    return { name: record['name'], passwordHash: record['hash'] };
  }

  async createGroup(name: string): Promise<GroupRecord | undefined> {
    const created = await this.guard(() => this.redis.hsetnx(REDIS_KEYS.groups, keyOf(name), name));
    return created === 1 ? { name, lastSeq: 0 } : undefined;
  }

  async createOwnedGroup(name: string, owner: string, caps: GroupCaps): Promise<CreateGroupOutcome> {
    const outcome = String(await this.guard(() => this.redis.termsenderCreateOwnedGroup(REDIS_KEYS.groups, REDIS_KEYS.groupOwners,
      REDIS_KEYS.ownedCounts, keyOf(name), name, keyOf(owner), String(caps.maxGroups), String(caps.maxOwned))));
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

  async listGroups(): Promise<string[]> {
    const names = await this.guard(() => this.redis.hvals(REDIS_KEYS.groups));
    return names.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  }

  async appendMessage(message: NewMessage): Promise<StoredMessage> {
    const key = keyOf(message.group);
    const json = await this.guard(() => this.redis.termsenderAppend(REDIS_KEYS.seq(key), REDIS_KEYS.messages(key), REDIS_KEYS.groups, key,
      message.from, message.text, String(message.ts), message.origin, REDIS_KEYS.events, EVENT_MESSAGE));
    if (typeof json !== 'string') throw new Error(`no group '${message.group}'`);
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

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().then(() => undefined, () => this.redis.disconnect());
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await guardRedis(this.redis, call);
    this.observe((performance.now() - started) / 1000);
    return result;
  }
}
