/**
 * Conversations in Redis (January additions). Keys (redis/keys.ts,
 * docs/scaling.md): per conversation a hash `ts:dm:<id>` (last seq and time,
 * each side's display name and read marker) and a sorted set of its messages
 * `ts:dm-msgs:<id>`; per account the sorted set of its peers
 * `ts:dm-list:<user>` (every score 0: paging by name key is ZRANGEBYLEX) and
 * its block list `ts:blocks:<user>` (redis-blocks.ts); the set of every conversation
 * `ts:conversations` (retention, the admin command). Each change is one Lua
 * script, atomic on the Redis server: a direct message checks the block list,
 * takes the next seq, stores the message, moves the sender's marker and lists
 * the conversation for both sides in one step.
 */
import type { Redis, Result } from 'ioredis';
import { ProtocolError } from '../protocol/errors.js';
import { nameKey as keyOf, type NameKey, storedNameKey } from '../protocol/names.js';
import type { RedisGuard } from '../redis/connection.js';
import { REDIS_KEYS } from '../redis/keys.js';
import { readStoredDirect } from '../redis/stored-message.js';
import {
  type ConversationPage, type ConversationStore, conversationId, type DirectOutcome, type DirectPage,
  type NewDirectMessage, unreadAfter,
} from './conversation-store.js';
import { pruneScript } from './redis-retention.js';
import { APPEND_DEADLINE_MS } from './redis-scripts.js';
import type { RetentionPolicy } from './store.js';

/**
 * KEYS: the recipient's blocks, the conversation hash, its messages, the sender's list, the recipient's list, all conversations.
 * ARGV: sender key, recipient key, from, to, text, ts, deadline (ms; as the group append's), conversation id.
 */
const APPEND_DIRECT_SCRIPT = `
local now = redis.call('TIME')
if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(ARGV[7]) then return 'late' end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'blocked' end
local seq = redis.call('HINCRBY', KEYS[2], 'last_seq', 1)
redis.call('HSET', KEYS[2], 'last_ts', ARGV[6], 'name:' .. ARGV[1], ARGV[3], 'name:' .. ARGV[2], ARGV[4], 'read:' .. ARGV[1], seq)
local message = cjson.encode({from = ARGV[3], to = ARGV[4], seq = seq, text = ARGV[5], ts = tonumber(ARGV[6])})
redis.call('ZADD', KEYS[3], seq, message)
redis.call('ZADD', KEYS[4], 0, ARGV[2])
redis.call('ZADD', KEYS[5], 0, ARGV[1])
redis.call('SADD', KEYS[6], ARGV[8])
return message
`;

/** KEYS: the conversation hash. ARGV: user key, seq. Forward only, clamped to the last seq; nothing made for a conversation without messages. */
const MARK_READ_SCRIPT = `
local last = tonumber(redis.call('HGET', KEYS[1], 'last_seq') or '0')
local seq = math.min(tonumber(ARGV[2]), last)
local field = 'read:' .. ARGV[1]
if seq > tonumber(redis.call('HGET', KEYS[1], field) or '0') then redis.call('HSET', KEYS[1], field, seq) end
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderAppendDirect(blocksKey: string, conversationKey: string, messagesKey: string, senderList: string, recipientList: string,
      allKey: string, fromKey: NameKey, toKey: NameKey, from: string, to: string, text: string, ts: string, deadline: string, id: string): Result<unknown, Context>;
    termsenderMarkConversationRead(conversationKey: string, userKey: NameKey, seq: string): Result<unknown, Context>;
    termsenderPruneConversation(messagesKey: string, conversationKey: string, maxMessages: string, ageCut: string, batch: string): Result<unknown, Context>;
  }
}

export class RedisConversations implements ConversationStore {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {
    redis.defineCommand('termsenderAppendDirect', { numberOfKeys: 6, lua: APPEND_DIRECT_SCRIPT });
    redis.defineCommand('termsenderMarkConversationRead', { numberOfKeys: 1, lua: MARK_READ_SCRIPT });
    redis.defineCommand('termsenderPruneConversation', { numberOfKeys: 2, lua: pruneScript(`redis.call('HGET', KEYS[2], 'last_seq')`) });
  }

  async appendDirect(message: NewDirectMessage): Promise<DirectOutcome> {
    const fromKey = keyOf(message.from);
    const toKey = keyOf(message.to);
    const id = conversationId(fromKey, toKey);
    const reply = await this.guard(() => this.redis.termsenderAppendDirect(REDIS_KEYS.blocks(toKey), REDIS_KEYS.conversation(id),
      REDIS_KEYS.directMessages(id), REDIS_KEYS.conversationList(fromKey), REDIS_KEYS.conversationList(toKey), REDIS_KEYS.conversations,
      fromKey, toKey, message.from, message.to, message.text, String(message.ts), String(Date.now() + APPEND_DEADLINE_MS), id));
    if (reply === 'late') throw new ProtocolError('unavailable', 'the shared store answered too late: the message was not stored; try again');
    if (reply === 'blocked') return { kind: 'blocked' };
    if (typeof reply !== 'string') throw new Error('unexpected reply from the direct-message script');
    return { kind: 'stored', message: readStoredDirect(reply) };
  }

  /** The page of peers, then one pipeline for their conversations (a read: a message landing between the two shows in the next one). */
  async listConversations(user: string, after: string | undefined, limit: number): Promise<ConversationPage> {
    const userKey = keyOf(user);
    const peers = await this.guard(() => this.redis.zrangebylex(REDIS_KEYS.conversationList(userKey), after === undefined ? '-' : `(${keyOf(after)}`, '+', 'LIMIT', 0, limit + 1));
    const shown = peers.slice(0, limit).map(storedNameKey);
    const pipeline = this.redis.pipeline();
    for (const peer of shown) {
      const id = conversationId(userKey, peer);
      pipeline.hmget(REDIS_KEYS.conversation(id), `name:${peer}`, 'last_seq', 'last_ts', `read:${userKey}`).zrange(REDIS_KEYS.directMessages(id), 0, 0, 'WITHSCORES');
    }
    const results = shown.length === 0 ? [] : (await this.guard(() => pipeline.exec())) ?? [];
    return {
      conversations: shown.map((peer, i) => {
        const [name, lastSeq, lastTs, marker] = (results[2 * i]?.[1] ?? []) as Array<string | null>;
        const first = (results[2 * i + 1]?.[1] ?? []) as string[];
        const last = Number(lastSeq ?? 0);
        return { user: name ?? peer, lastSeq: last, lastTs: Number(lastTs ?? 0), unread: unreadAfter(last, Number(marker ?? 0), first[1] === undefined ? last + 1 : Number(first[1])) };
      }),
      more: peers.length > limit,
    };
  }

  async messagesSince(user: string, peer: string, since: number, limit: number): Promise<DirectPage> {
    const key = REDIS_KEYS.directMessages(conversationId(keyOf(user), keyOf(peer)));
    const rows = await this.guard(() => this.redis.zrangebyscore(key, `(${since}`, '+inf', 'LIMIT', 0, limit + 1));
    return { messages: rows.slice(0, limit).map(readStoredDirect), more: rows.length > limit };
  }

  async messagesBefore(user: string, peer: string, before: number | undefined, limit: number): Promise<DirectPage> {
    const key = REDIS_KEYS.directMessages(conversationId(keyOf(user), keyOf(peer)));
    const rows = await this.guard(() => this.redis.zrevrangebyscore(key, before === undefined ? '+inf' : `(${before}`, '-inf', 'LIMIT', 0, limit + 1));
    return { messages: rows.slice(0, limit).reverse().map(readStoredDirect), more: rows.length > limit };
  }

  async markRead(user: string, peer: string, seq: number): Promise<void> {
    const userKey = keyOf(user);
    await this.guard(() => this.redis.termsenderMarkConversationRead(REDIS_KEYS.conversation(conversationId(userKey, keyOf(peer))), userKey, String(seq)));
  }

  async lastSeq(user: string, peer: string): Promise<number> {
    return Number((await this.guard(() => this.redis.hget(REDIS_KEYS.conversation(conversationId(keyOf(user), keyOf(peer))), 'last_seq'))) ?? 0);
  }

  /** From the set of conversations: each id names its two sides (once for one's own). */
  async conversationCounts(): Promise<Map<NameKey, number>> {
    const counts = new Map<NameKey, number>();
    for (const id of await this.conversationIds()) {
      for (const side of new Set(id.split(':'))) counts.set(storedNameKey(side), (counts.get(storedNameKey(side)) ?? 0) + 1);
    }
    return counts;
  }

  async conversationIds(): Promise<string[]> {
    return (await this.guard(() => this.redis.smembers(REDIS_KEYS.conversations))).sort();
  }

  async pruneConversation(id: string, policy: RetentionPolicy, now: number, batch: number): Promise<number> {
    const ageCut = policy.maxAgeMs > 0 ? Math.max(1, now - policy.maxAgeMs) : 0;
    return Number(await this.guard(() => this.redis.termsenderPruneConversation(REDIS_KEYS.directMessages(id), REDIS_KEYS.conversation(id),
      String(policy.maxMessages), String(ageCut), String(batch))));
  }
}
