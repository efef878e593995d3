/**
 * Read markers in Redis: one hash per account (`ts:read:<user key>`), group
 * key → seq, and per group the set of accounts that have one
 * (`ts:readers:<group key>`, so that a deletion removes them without a scan).
 * Semantics as the SQLite store's (see read-markers.ts): a join creates the
 * entry when absent (and the group exists and does not ban the account),
 * `markRead` moves an existing entry forward only (Lua scripts, atomic
 * against marks, bans and deletions from other nodes).
 */
import type { Redis, Result } from 'ioredis';
import { nameKey as keyOf, type NameKey, storedNameKey } from '../protocol/names.js';
import type { RedisGuard } from '../redis/connection.js';
import { REDIS_KEYS } from '../redis/keys.js';
import type { ReadMarkerStore } from './read-markers.js';

/** 0: no marker (never joined); 1: the marker exists and is at least ARGV[2] now. */
const MARK_READ_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
if tonumber(ARGV[2]) > tonumber(current) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;

/**
 * KEYS: groups, the group's bans, the account's markers, the group's readers; ARGV: group key, user key, seq.
 * The marker (made when absent), or false when the group does not exist or bans the account.
 */
const RECORD_JOIN_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 or redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return false end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[3]) == 1 then redis.call('SADD', KEYS[4], ARGV[2]) end
return redis.call('HGET', KEYS[3], ARGV[1])
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderMarkRead(markersKey: string, groupKey: NameKey, seq: string): Result<unknown, Context>;
    termsenderRecordJoin(groupsKey: string, bansKey: string, markersKey: string, readersKey: string, groupKey: NameKey, userKey: NameKey, seq: string): Result<unknown, Context>;
  }
}

export class RedisReadMarkers implements ReadMarkerStore {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {
    redis.defineCommand('termsenderMarkRead', { numberOfKeys: 1, lua: MARK_READ_SCRIPT });
    redis.defineCommand('termsenderRecordJoin', { numberOfKeys: 4, lua: RECORD_JOIN_SCRIPT });
  }

  async recordJoin(user: string, group: string, seq: number): Promise<number> {
    const userKey = keyOf(user);
    const groupKey = keyOf(group);
    const marker = await this.guard(() => this.redis.termsenderRecordJoin(
      REDIS_KEYS.groups, REDIS_KEYS.bans(groupKey), REDIS_KEYS.readMarkers(userKey), REDIS_KEYS.readers(groupKey), groupKey, userKey, String(seq)));
    return typeof marker === 'string' ? Number(marker) : seq;
  }

  async dropMarker(user: string, group: string): Promise<void> {
    const userKey = keyOf(user);
    const groupKey = keyOf(group);
    await this.guard(() => this.redis.multi().hdel(REDIS_KEYS.readMarkers(userKey), groupKey).srem(REDIS_KEYS.readers(groupKey), userKey).exec());
  }

  async markRead(user: string, group: string, seq: number): Promise<boolean> {
    return Number(await this.guard(() => this.redis.termsenderMarkRead(REDIS_KEYS.readMarkers(keyOf(user)), keyOf(group), String(seq)))) === 1;
  }

  async readMarker(user: string, group: string): Promise<number | undefined> {
    const marker = await this.guard(() => this.redis.hget(REDIS_KEYS.readMarkers(keyOf(user)), keyOf(group)));
    return marker === null ? undefined : Number(marker);
  }

  async readMarkers(user: string): Promise<Map<NameKey, number>> {
    const all = await this.guard(() => this.redis.hgetall(REDIS_KEYS.readMarkers(keyOf(user))));
    return new Map(Object.entries(all).map(([groupKey, seq]) => [storedNameKey(groupKey), Number(seq)]));
  }

  async lastSeqs(groups: string[]): Promise<number[]> {
    if (groups.length === 0) return [];
    const seqs = await this.guard(() => this.redis.mget(groups.map((name) => REDIS_KEYS.seq(keyOf(name)))));
    return seqs.map((seq) => Number(seq ?? 0));
  }
}
