/**
 * Removing a message in the Redis store: the group's sorted set
 * (`ts:msgs:<group key>`, score seq) holds each message as JSON; one Lua
 * script, atomic on the Redis server, takes the member at that seq out and
 * puts the removed message in its place (same seq, sender and time, text
 * DELETED_TEXT, `deleted` {by, ts}). The member holding the original text is
 * gone from the data set; Redis's append-only file keeps the command that
 * wrote it until Redis rewrites the file (docs/scaling.md).
 */
import type { Redis, Result } from 'ioredis';
import { DELETED_TEXT, type MessageDeletion, type StoredMessage } from '../protocol/messages.js';
import { nameKey as keyOf, type NameKey } from '../protocol/names.js';
import type { RedisGuard } from '../redis/connection.js';
import { REDIS_KEYS } from '../redis/keys.js';
import { readStoredMessage } from '../redis/stored-message.js';
import type { DeletionOutcome, MessageDeletionStore } from './message-deletions.js';

/**
 * KEYS: groups, the group's messages; ARGV: group key, seq, by, ts, the removed text.
 * {'deleted'|'already', the message's JSON now}, or false when the group or the seq is not there.
 */
const DELETE_MESSAGE_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return false end
local found = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[2], ARGV[2])
if #found == 0 then return false end
local message = cjson.decode(found[1])
if type(message.deleted) == 'table' then return {'already', found[1]} end
local removed = cjson.encode({group = message.group, seq = message.seq, from = message.from, text = ARGV[5], ts = message.ts,
  deleted = {by = ARGV[3], ts = tonumber(ARGV[4])}})
redis.call('ZREMRANGEBYSCORE', KEYS[2], ARGV[2], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], removed)
return {'deleted', removed}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderDeleteMessage(groupsKey: string, messagesKey: string, groupKey: NameKey, seq: string, by: string, ts: string, text: string): Result<unknown, Context>;
  }
}

export class RedisMessageDeletions implements MessageDeletionStore {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {
    redis.defineCommand('termsenderDeleteMessage', { numberOfKeys: 2, lua: DELETE_MESSAGE_SCRIPT });
  }

  async findMessage(group: string, seq: number): Promise<StoredMessage | undefined> {
    const [json] = await this.guard(() => this.redis.zrangebyscore(REDIS_KEYS.messages(keyOf(group)), seq, seq));
    return json === undefined ? undefined : readStoredMessage(json);
  }

  async deleteMessage(group: string, seq: number, deletion: MessageDeletion): Promise<DeletionOutcome> {
    const key = keyOf(group);
    const reply = await this.guard(() => this.redis.termsenderDeleteMessage(REDIS_KEYS.groups, REDIS_KEYS.messages(key), key, String(seq),
      deletion.by, String(deletion.ts), DELETED_TEXT));
    if (!Array.isArray(reply)) return { kind: 'missing' };
    const [kind, json] = reply;
    if ((kind !== 'deleted' && kind !== 'already') || typeof json !== 'string') throw new Error('unexpected reply from the delete-message script');
    return { kind, message: readStoredMessage(json) };
  }
}
