/** Block lists in Redis: per account a hash `ts:blocks:<user key>`, blocked user key → display name (read by the direct-message script, redis-conversations.ts). */
import type { Redis } from 'ioredis';
import { nameKey as keyOf } from '../protocol/names.js';
import type { RedisGuard } from '../redis/connection.js';
import { REDIS_KEYS } from '../redis/keys.js';
import type { BlockStore } from './conversation-store.js';

export class RedisBlocks implements BlockStore {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {}

  async block(user: string, blocked: string): Promise<boolean> {
    return (await this.guard(() => this.redis.hsetnx(REDIS_KEYS.blocks(keyOf(user)), keyOf(blocked), blocked))) === 1;
  }

  async unblock(user: string, blocked: string): Promise<boolean> {
    return (await this.guard(() => this.redis.hdel(REDIS_KEYS.blocks(keyOf(user)), keyOf(blocked)))) === 1;
  }

  /** Display names, by name key. */
  async blockedUsers(user: string): Promise<string[]> {
    const all = await this.guard(() => this.redis.hgetall(REDIS_KEYS.blocks(keyOf(user))));
    return Object.keys(all).sort().map((key) => all[key]!);
  }
}
