/**
 * Resume tokens in the Redis store (see resume-tokens.ts): one key per token
 * hash holding `userKey|epoch`, expiring with the token, and a per-account
 * epoch (`ts:resume-epochs`) that ending the account's tokens bumps, inside
 * redis-accounts.ts's password script and disabling transaction, so a
 * token saved under an older epoch no longer signs in.
 */
import type { Redis, Result } from 'ioredis';
import { nameKey, type NameKey, storedNameKey } from '../protocol/names.js';
import type { RedisGuard } from '../redis/connection.js';
import { REDIS_KEYS } from '../redis/keys.js';
import type { ResumeTokenStore } from './resume-tokens.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderSaveResumeToken(tokenKey: string, epochsKey: string, userKey: NameKey, ttlMs: number): Result<unknown, Context>;
    termsenderTakeResumeToken(tokenKey: string, epochsKey: string): Result<string | null, Context>;
  }
}

/** The token under the account's epoch now, expiring in ARGV[2] ms. */
const SAVE_SCRIPT = `
local epoch = redis.call('HGET', KEYS[2], ARGV[1]) or '0'
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. epoch, 'PX', ARGV[2])
return 1
`;

/** Deletes the token; its account when its epoch is still the account's. */
const TAKE_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
redis.call('DEL', KEYS[1])
local bar = string.find(value, '|', 1, true)
if not bar then return false end
local user = string.sub(value, 1, bar - 1)
if (redis.call('HGET', KEYS[2], user) or '0') ~= string.sub(value, bar + 1) then return false end
return user
`;

export class RedisResumeTokens implements ResumeTokenStore {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {
    redis.defineCommand('termsenderSaveResumeToken', { numberOfKeys: 2, lua: SAVE_SCRIPT });
    redis.defineCommand('termsenderTakeResumeToken', { numberOfKeys: 2, lua: TAKE_SCRIPT });
  }

  /** Expiry by Redis's clock: the key lives `expiresAt - now` ms. */
  async save(user: string, tokenHash: string, expiresAt: number): Promise<void> {
    const ttlMs = Math.max(1, Math.round(expiresAt - Date.now()));
    await this.guard(() => this.redis.termsenderSaveResumeToken(REDIS_KEYS.resumeToken(tokenHash), REDIS_KEYS.resumeEpochs, nameKey(user), ttlMs));
  }

  /** `now` is not used: an expired key is gone already. */
  async take(tokenHash: string): Promise<NameKey | undefined> {
    const user = await this.guard(() => this.redis.termsenderTakeResumeToken(REDIS_KEYS.resumeToken(tokenHash), REDIS_KEYS.resumeEpochs));
    return user === null ? undefined : storedNameKey(user);
  }

  async extend(tokenHashes: string[], expiresAt: number): Promise<void> {
    if (tokenHashes.length === 0) return;
    const ttlMs = Math.max(1, Math.round(expiresAt - Date.now()));
    const batch = this.redis.pipeline();
    for (const hash of tokenHashes) batch.pexpire(REDIS_KEYS.resumeToken(hash), ttlMs);
    await this.guard(() => batch.exec());
  }
}
