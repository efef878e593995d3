/**
 * Read markers in Redis: one hash per account (`ts:read:<user key>`), group
 * key → seq. Semantics as the SQLite store's (see read-markers.ts): a join
 * creates the entry when absent, `markRead` moves an existing entry forward
 * only (one Lua script, atomic against marks from other nodes).
 */
import type { Redis, Result } from 'ioredis';
import { nameKey as keyOf } from '../protocol/names.js';
import { REDIS_KEYS } from '../redis/keys.js';

/** 0: no marker (never joined); 1: the marker exists and is at least ARGV[2] now. */
const MARK_READ_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
if tonumber(ARGV[2]) > tonumber(current) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderMarkRead(markersKey: string, groupKey: string, seq: string): Result<unknown, Context>;
  }
}

/** Runs a Redis call with the store's failure handling and timing. */
export type RedisGuard = <T>(call: () => Promise<T>) => Promise<T>;

export class RedisReadMarkers {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {
    redis.defineCommand('termsenderMarkRead', { numberOfKeys: 1, lua: MARK_READ_SCRIPT });
  }

  async recordJoin(user: string, group: string, seq: number): Promise<number> {
    const key = REDIS_KEYS.readMarkers(keyOf(user));
    const groupKey = keyOf(group);
    const [, marker] = await this.guard(() => Promise.all([this.redis.hsetnx(key, groupKey, String(seq)), this.redis.hget(key, groupKey)]));
    return Number(marker ?? seq);
  }

  async markRead(user: string, group: string, seq: number): Promise<boolean> {
    return Number(await this.guard(() => this.redis.termsenderMarkRead(REDIS_KEYS.readMarkers(keyOf(user)), keyOf(group), String(seq)))) === 1;
  }

  async readMarker(user: string, group: string): Promise<number | undefined> {
    const marker = await this.guard(() => this.redis.hget(REDIS_KEYS.readMarkers(keyOf(user)), keyOf(group)));
    return marker === null ? undefined : Number(marker);
  }

  async readMarkers(user: string): Promise<Map<string, number>> {
    const all = await this.guard(() => this.redis.hgetall(REDIS_KEYS.readMarkers(keyOf(user))));
    return new Map(Object.entries(all).map(([groupKey, seq]) => [groupKey, Number(seq)]));
  }

  async lastSeqs(groups: string[]): Promise<number[]> {
    if (groups.length === 0) return [];
    const seqs = await this.guard(() => this.redis.mget(groups.map((name) => REDIS_KEYS.seq(keyOf(name)))));
    return seqs.map((seq) => Number(seq ?? 0));
  }
}
