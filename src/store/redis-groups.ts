/**
 * Groups and their messages in the Redis store: the groups hash (name key →
 * name as first written), owners and owned counts, each group's seq counter
 * and its messages (a sorted set by seq). Appending is one Lua script, atomic
 * on the Redis server: next seq, store, and announce on the event channel, so
 * every node receives messages in seq order.
 */
import type { Redis, Result } from 'ioredis';
import { ProtocolError } from '../protocol/errors.js';
import type { StoredMessage } from '../protocol/messages.js';
import { nameKey as keyOf, type NameKey, storedNameKey } from '../protocol/names.js';
import type { RedisGuard } from '../redis/connection.js';
import { EVENT_MESSAGE, REDIS_KEYS } from '../redis/keys.js';
import { readStoredMessage } from '../redis/stored-message.js';
import { readAccount } from './redis-accounts.js';
import { APPEND_DEADLINE_MS, APPEND_SCRIPT, CREATE_OWNED_GROUP_SCRIPT } from './redis-scripts.js';
import type { CreateGroupOutcome, GroupCaps, GroupRecord, GroupReport, GroupStore, MessagePage, NewMessage } from './store.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderCreateOwnedGroup(groupsKey: string, ownersKey: string, countsKey: string, privateKey: string, groupKey: NameKey, name: string,
      ownerKey: NameKey, maxGroups: string, maxOwned: string, isPrivate: string): Result<unknown, Context>;
    termsenderAppend(seqKey: string, messagesKey: string, groupsKey: string, groupKey: NameKey, from: string, text: string,
      ts: string, origin: string, channel: string, kind: string, deadline: string): Result<unknown, Context>;
  }
}

export class RedisGroups implements GroupStore {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {
    redis.defineCommand('termsenderAppend', { numberOfKeys: 3, lua: APPEND_SCRIPT });
    redis.defineCommand('termsenderCreateOwnedGroup', { numberOfKeys: 4, lua: CREATE_OWNED_GROUP_SCRIPT });
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
    const keys = Object.keys(groups).map(storedNameKey).sort();
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
}
