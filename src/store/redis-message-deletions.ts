/**
 * Removing a message in the Redis store: a group's sorted set
 * (`ts:msgs:<group key>`) and a conversation's (`ts:dm-msgs:<id>`) hold each
 * message as JSON at its seq; one Lua script, atomic on the Redis server,
 * takes the member at that seq out and puts the removed message in its place
 * (its other fields as they were, text DELETED_TEXT, `deleted` {by, ts}). The
 * member holding the original text is gone from the data set; Redis's
 * append-only file keeps the command that wrote it until Redis rewrites the
 * file (docs/scaling.md). A deleted group's or conversation's set is gone,
 * so nothing is found there.
 */
import type { Redis, Result } from 'ioredis';
import { DELETED_TEXT, type MessageDeletion, type StoredDirectMessage, type StoredMessage } from '../protocol/messages.js';
import { nameKey as keyOf } from '../protocol/names.js';
import type { RedisGuard } from '../redis/connection.js';
import { REDIS_KEYS } from '../redis/keys.js';
import { readStoredDirect, readStoredMessage } from '../redis/stored-message.js';
import { conversationId } from './conversation-store.js';
import type { DeletionOutcome, MessageDeletionStore } from './message-deletions.js';

/**
 * KEYS: the sorted set of messages; ARGV: seq, by, ts, the removed text.
 * {'deleted'|'already', the message's JSON now}, or false when there is no message at that seq.
 */
const DELETE_MESSAGE_SCRIPT = `
local found = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then return false end
local message = cjson.decode(found[1])
if type(message.deleted) == 'table' then return {'already', found[1]} end
message.text = ARGV[4]
message.deleted = {by = ARGV[2], ts = tonumber(ARGV[3])}
local removed = cjson.encode(message)
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[1], removed)
return {'deleted', removed}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderDeleteMessage(messagesKey: string, seq: string, by: string, ts: string, text: string): Result<unknown, Context>;
  }
}

export class RedisMessageDeletions implements MessageDeletionStore {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {
    redis.defineCommand('termsenderDeleteMessage', { numberOfKeys: 1, lua: DELETE_MESSAGE_SCRIPT });
  }

  async findMessage(group: string, seq: number): Promise<StoredMessage | undefined> {
    return this.find(REDIS_KEYS.messages(keyOf(group)), seq, readStoredMessage);
  }

  async deleteMessage(group: string, seq: number, deletion: MessageDeletion): Promise<DeletionOutcome<StoredMessage>> {
    return this.remove(REDIS_KEYS.messages(keyOf(group)), seq, deletion, readStoredMessage);
  }

  async findDirectMessage(user: string, peer: string, seq: number): Promise<StoredDirectMessage | undefined> {
    return this.find(REDIS_KEYS.directMessages(conversationId(keyOf(user), keyOf(peer))), seq, readStoredDirect);
  }

  async deleteDirectMessage(user: string, peer: string, seq: number, deletion: MessageDeletion): Promise<DeletionOutcome<StoredDirectMessage>> {
    return this.remove(REDIS_KEYS.directMessages(conversationId(keyOf(user), keyOf(peer))), seq, deletion, readStoredDirect);
  }

  private async find<M>(key: string, seq: number, read: (json: string) => M): Promise<M | undefined> {
    const [json] = await this.guard(() => this.redis.zrangebyscore(key, seq, seq));
    return json === undefined ? undefined : read(json);
  }

  private async remove<M>(key: string, seq: number, deletion: MessageDeletion, read: (json: string) => M): Promise<DeletionOutcome<M>> {
    const reply = await this.guard(() => this.redis.termsenderDeleteMessage(key, String(seq), deletion.by, String(deletion.ts), DELETED_TEXT));
    if (!Array.isArray(reply)) return { kind: 'missing' };
    const [kind, json] = reply;
    if ((kind !== 'deleted' && kind !== 'already') || typeof json !== 'string') throw new Error('unexpected reply from the delete-message script');
    return { kind, message: read(json) };
  }
}
