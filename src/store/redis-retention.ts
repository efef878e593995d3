/**
 * Retention for the Redis store. Each batch is one Lua script, atomic on the
 * Redis server: read at most `batch` of the group's oldest messages, find how
 * far from the oldest the policy no longer keeps them, remove that prefix.
 * Several nodes running it at once is safe: each batch sees the state the
 * previous one left, and removing a prefix twice removes it once. The seq
 * counter (`ts:seq:GROUP`) is never touched, so seqs never restart.
 */
import type { Redis, Result } from 'ioredis';
import { nameKey as keyOf, type NameKey } from '../protocol/names.js';
import type { RedisGuard } from '../redis/connection.js';
import { REDIS_KEYS } from '../redis/keys.js';
import type { RetentionPolicy, RetentionStore } from './store.js';

/**
 * The prune script, reading the last seq with `readLastSeq` (Lua, from KEYS[2]). KEYS: messages, seq
 * counter. ARGV: max messages (0: none), age cutoff in ms since the epoch (0: none), batch.
 * Also used for conversations (redis-conversations.ts), whose last seq is a hash field.
 */
export const pruneScript = (readLastSeq: string): string => `
local last = tonumber(${readLastSeq} or '0')
local maxMessages = tonumber(ARGV[1])
local ageCut = tonumber(ARGV[2])
local countCut = 0
if maxMessages > 0 then countCut = last - maxMessages end
local rows = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1, 'WITHSCORES')
local upTo = nil
for i = 1, #rows, 2 do
  local seq = tonumber(rows[i + 1])
  if seq > countCut then
    if ageCut <= 0 then break end
    local ok, message = pcall(cjson.decode, rows[i])
    if not ok or type(message) ~= 'table' or type(message.ts) ~= 'number' or message.ts >= ageCut then break end
  end
  upTo = seq
end
if upTo == nil then return 0 end
return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', upTo)
`;

/** KEYS: groups hash, messages, seq counter. ARGV: group key. The oldest kept seq, the last seq + 1 when none, nil when no group. */
const FIRST_SEQ_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return false end
local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if first[2] then return tonumber(first[2]) end
return tonumber(redis.call('GET', KEYS[3]) or '0') + 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderPrune(messagesKey: string, seqKey: string, maxMessages: string, ageCut: string, batch: string): Result<unknown, Context>;
    termsenderFirstSeq(groupsKey: string, messagesKey: string, seqKey: string, groupKey: NameKey): Result<unknown, Context>;
  }
}

export class RedisRetention implements RetentionStore {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {
    redis.defineCommand('termsenderPrune', { numberOfKeys: 2, lua: pruneScript(`redis.call('GET', KEYS[2])`) });
    redis.defineCommand('termsenderFirstSeq', { numberOfKeys: 3, lua: FIRST_SEQ_SCRIPT });
  }

  async firstSeq(group: string): Promise<number | undefined> {
    const groupKey = keyOf(group);
    const seq = await this.guard(() => this.redis.termsenderFirstSeq(REDIS_KEYS.groups, REDIS_KEYS.messages(groupKey), REDIS_KEYS.seq(groupKey), groupKey));
    return seq === null ? undefined : Number(seq);
  }

  async pruneMessages(group: string, policy: RetentionPolicy, now: number, batch: number): Promise<number> {
    const groupKey = keyOf(group);
    const ageCut = policy.maxAgeMs > 0 ? Math.max(1, now - policy.maxAgeMs) : 0;
    const removed = await this.guard(() => this.redis.termsenderPrune(REDIS_KEYS.messages(groupKey), REDIS_KEYS.seq(groupKey),
      String(policy.maxMessages), String(ageCut), String(batch)));
    return Number(removed);
  }
}
