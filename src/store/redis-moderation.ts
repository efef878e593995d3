/**
 * The moderation part of the Redis store: topics (hash), private groups
 * (set), and per group its moderators and invitations (sets) and bans (hash
 * of JSON). Each change runs in a script that first checks that the group
 * exists, so a group deleted meanwhile leaves nothing behind; deletion is one
 * script that removes everything of the group (its readers' markers too) and announces it on the event
 * channel (whoever deletes: a node or the admin command).
 */
import type { Redis, Result } from 'ioredis';
import { nameKey as keyOf, type NameKey, storedNameKey } from '../protocol/names.js';
import type { RedisGuard } from '../redis/connection.js';
import { EVENT_GROUP, REDIS_KEYS } from '../redis/keys.js';
import type { GroupBan, GroupSettings, GroupStanding, ModerationStore } from './moderation-store.js';

/** Runs one command on KEYS[2] when the group ARGV[1] exists in KEYS[1]. */
const IF_GROUP_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call(ARGV[2], KEYS[2], unpack(ARGV, 3))
return 1
`;

/**
 * KEYS: groups, owners, owned counts, topics, private set, seq, messages, moderators, invites, bans, channel, readers.
 * ARGV: group key, event kind, by, prefix of the readers' marker hashes.
 */
const DELETE_GROUP_SCRIPT = `
local name = redis.call('HGET', KEYS[1], ARGV[1])
if not name then return false end
local owner = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if owner and redis.call('HINCRBY', KEYS[3], owner, -1) <= 0 then redis.call('HDEL', KEYS[3], owner) end
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[1])
redis.call('DEL', KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10])
for _, reader in ipairs(redis.call('SMEMBERS', KEYS[12])) do redis.call('HDEL', ARGV[4] .. reader, ARGV[1]) end
redis.call('DEL', KEYS[12])
redis.call('PUBLISH', KEYS[11], ARGV[2] .. cjson.encode({origin = 'store', body = {kind = 'deleted', group = name, by = ARGV[3]}}))
return name
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderIfGroup(groupsKey: string, targetKey: string, groupKey: NameKey, command: string, ...args: string[]): Result<unknown, Context>;
    termsenderDeleteGroup(...keysThenArgs: string[]): Result<unknown, Context>;
  }
}

function readBan(json: string | null): { ban?: GroupBan } {
  if (json === null) return {};
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === 'object' && value !== null && 'reason' in value && 'by' in value && 'at' in value) {
      const { reason, by, at } = value;
      if (typeof reason === 'string' && typeof by === 'string' && typeof at === 'number') return { ban: { reason, by, at } };
    }
  } catch {
    // not ours: still a ban, of unknown origin
  }
  return { ban: { reason: '', by: '', at: 0 } };
}

export class RedisModeration implements ModerationStore {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {
    redis.defineCommand('termsenderIfGroup', { numberOfKeys: 2, lua: IF_GROUP_SCRIPT });
    redis.defineCommand('termsenderDeleteGroup', { numberOfKeys: 12, lua: DELETE_GROUP_SCRIPT });
  }

  async groupSettings(group: string): Promise<GroupSettings | undefined> {
    const key = keyOf(group);
    const [name, owner, topic, isPrivate] = await this.guard(() => Promise.all([
      this.redis.hget(REDIS_KEYS.groups, key), this.redis.hget(REDIS_KEYS.groupOwners, key),
      this.redis.hget(REDIS_KEYS.groupTopics, key), this.redis.sismember(REDIS_KEYS.privateGroups, key),
    ]));
    if (name === null) return undefined;
    return { name, ...(owner === null ? {} : { ownerKey: storedNameKey(owner) }), topic: topic ?? '', private: isPrivate === 1 };
  }

  async listGroupSettings(): Promise<GroupSettings[]> {
    const [groups, owners, topics, privateKeys] = await this.guard(() => Promise.all([
      this.redis.hgetall(REDIS_KEYS.groups), this.redis.hgetall(REDIS_KEYS.groupOwners),
      this.redis.hgetall(REDIS_KEYS.groupTopics), this.redis.smembers(REDIS_KEYS.privateGroups),
    ]));
    const isPrivate = new Set(privateKeys);
    return Object.keys(groups).sort().map((key) => {
      const owner = owners[key];
      return { name: groups[key] ?? key, ...(owner === undefined ? {} : { ownerKey: storedNameKey(owner) }), topic: topics[key] ?? '', private: isPrivate.has(key) };
    });
  }

  async privateGroupsOpenTo(user: string): Promise<Set<NameKey>> {
    const userKey = keyOf(user);
    const privateKeys = (await this.guard(() => this.redis.smembers(REDIS_KEYS.privateGroups))).map(storedNameKey);
    if (privateKeys.length === 0) return new Set();
    const pipeline = this.redis.pipeline();
    for (const key of privateKeys) pipeline.sismember(REDIS_KEYS.moderators(key), userKey).sismember(REDIS_KEYS.invites(key), userKey);
    const results = (await this.guard(() => pipeline.exec())) ?? [];
    return new Set(privateKeys.filter((_, i) => results[2 * i]?.[1] === 1 || results[2 * i + 1]?.[1] === 1));
  }

  async standing(group: string, user: string): Promise<GroupStanding> {
    const key = keyOf(group);
    const userKey = keyOf(user);
    const [moderator, invited, ban] = await this.guard(() => Promise.all([
      this.redis.sismember(REDIS_KEYS.moderators(key), userKey), this.redis.sismember(REDIS_KEYS.invites(key), userKey),
      this.redis.hget(REDIS_KEYS.bans(key), userKey),
    ]));
    return { moderator: moderator === 1, invited: invited === 1, ...readBan(ban) };
  }

  async setTopic(group: string, topic: string): Promise<boolean> {
    const key = keyOf(group);
    return topic === '' ? this.ifGroup(key, REDIS_KEYS.groupTopics, 'HDEL', key) : this.ifGroup(key, REDIS_KEYS.groupTopics, 'HSET', key, topic);
  }

  async moderatorsAmong(group: string, users: readonly string[]): Promise<Set<NameKey>> {
    if (users.length === 0) return new Set();
    // A group's moderators are few: one SMEMBERS, filtered here (not one SISMEMBER per name of the page).
    const moderators = new Set(await this.guard(() => this.redis.smembers(REDIS_KEYS.moderators(keyOf(group)))));
    return new Set(users.map(keyOf).filter((key) => moderators.has(key)));
  }

  async setModerator(group: string, user: string, moderator: boolean): Promise<boolean> {
    const key = keyOf(group);
    return this.ifGroup(key, REDIS_KEYS.moderators(key), moderator ? 'SADD' : 'SREM', keyOf(user));
  }

  async setInvited(group: string, user: string, invited: boolean): Promise<boolean> {
    const key = keyOf(group);
    return this.ifGroup(key, REDIS_KEYS.invites(key), invited ? 'SADD' : 'SREM', keyOf(user));
  }

  async setBan(group: string, user: string, ban: GroupBan | undefined): Promise<boolean> {
    const key = keyOf(group);
    return ban === undefined
      ? this.ifGroup(key, REDIS_KEYS.bans(key), 'HDEL', keyOf(user))
      : this.ifGroup(key, REDIS_KEYS.bans(key), 'HSET', keyOf(user), JSON.stringify(ban));
  }

  async deleteGroup(group: string, by: string): Promise<string | undefined> {
    const key = keyOf(group);
    const name = await this.guard(() => this.redis.termsenderDeleteGroup(
      REDIS_KEYS.groups, REDIS_KEYS.groupOwners, REDIS_KEYS.ownedCounts, REDIS_KEYS.groupTopics, REDIS_KEYS.privateGroups,
      REDIS_KEYS.seq(key), REDIS_KEYS.messages(key), REDIS_KEYS.moderators(key), REDIS_KEYS.invites(key), REDIS_KEYS.bans(key), REDIS_KEYS.events,
      REDIS_KEYS.readers(key), key, EVENT_GROUP, by, REDIS_KEYS.readMarkersPrefix));
    return typeof name === 'string' ? name : undefined;
  }

  private async ifGroup(groupKey: NameKey, targetKey: string, command: string, ...args: string[]): Promise<boolean> {
    return Number(await this.guard(() => this.redis.termsenderIfGroup(REDIS_KEYS.groups, targetKey, groupKey, command, ...args))) === 1;
  }
}
