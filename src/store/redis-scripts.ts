/** The Lua scripts of the Redis store (redis.ts), each atomic on the Redis server. */
import { REDIS_REPLY_TIMEOUT_MS } from '../redis/connection.js';

/**
 * An append that reaches Redis later than this after it was sent (Redis hung
 * and resumed) stores nothing and answers 'late': by then the request was
 * answered `unavailable` (REDIS_REPLY_TIMEOUT_MS, 1 s later), so a say that
 * was refused is never stored. Needs the nodes' and Redis's clocks within 1 s.
 */
export const APPEND_DEADLINE_MS = REDIS_REPLY_TIMEOUT_MS - 1_000;

/** Next seq, store, announce on the event channel; nothing when the deadline (ARGV[8], ms) has passed. */
export const APPEND_SCRIPT = `
local now = redis.call('TIME')
if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(ARGV[8]) then return 'late' end
local name = redis.call('HGET', KEYS[3], ARGV[1])
if not name then return false end
local seq = redis.call('INCR', KEYS[1])
local message = cjson.encode({group = name, seq = seq, from = ARGV[2], text = ARGV[3], ts = tonumber(ARGV[4])})
redis.call('ZADD', KEYS[2], seq, message)
redis.call('PUBLISH', ARGV[6], ARGV[7] .. ARGV[5] .. '\\n' .. message)
return message
`;

/** Name free, server cap, owner cap, then create and count: atomic on the Redis server, so no node passes a cap. */
export const CREATE_OWNED_GROUP_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'exists' end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return 'server_full' end
local owned = tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0')
if owned >= tonumber(ARGV[5]) then return 'owner_full:' .. owned end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
if ARGV[6] == '1' then redis.call('SADD', KEYS[4], ARGV[1]) end
return 'created'
`;

/** Replaces the hash inside the user's JSON, only when the user exists, and ends its resume tokens (KEYS[2]: their epochs) in the same step. */
export const SET_PASSWORD_SCRIPT = `
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return 0 end
local record = cjson.decode(json)
record.hash = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return 1
`;
