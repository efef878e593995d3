/** The Redis key layout and event channel shared by the Redis store and the cluster link. */
import type { NameKey } from '../protocol/names.js';
export const REDIS_KEYS = {
  /** Hash: user key → JSON {name, hash, created} (`created` since the December additions). */
  users: 'ts:users',
  /** Hash: user key → `admin` (no entry: `user`). */
  userRoles: 'ts:user-roles',
  /** Hash: user key → JSON {reason, at} while the account is disabled. */
  userDisabled: 'ts:user-disabled',
  /** Hash: user key → time of its last successful login (ms). */
  userLogins: 'ts:user-last-login',
  /** Hash: group key → display name. */
  groups: 'ts:groups',
  /** Hash: group key → the name key of its owner (the account that created it). */
  groupOwners: 'ts:group-owners',
  /** Hash: user key → how many groups it owns. */
  ownedCounts: 'ts:owned-counts',
  /** String counter: the group's last seq. */
  seq: (groupKey: NameKey) => `ts:seq:${groupKey}`,
  /** Sorted set: score seq, member the stored message as JSON (a removed one written over in place: store/redis-message-deletions.ts). */
  messages: (groupKey: NameKey) => `ts:msgs:${groupKey}`,
  /** Sorted set: member `node|user`, score the time it expires unless refreshed. */
  members: (groupKey: NameKey) => `ts:members:${groupKey}`,
  /** Sorted set: member `node|user`, score expiry. */
  /** Hash: group key → its topic (no entry: none). */
  groupTopics: 'ts:group-topics',
  /** Set: keys of the private groups. */
  privateGroups: 'ts:private-groups',
  /** Set: user keys of the group's moderators. */
  moderators: (groupKey: NameKey) => `ts:mods:${groupKey}`,
  /** Set: user keys invited to the group. */
  invites: (groupKey: NameKey) => `ts:invites:${groupKey}`,
  /** Hash: user key → JSON {reason, by, at} of its ban from the group. */
  bans: (groupKey: NameKey) => `ts:bans:${groupKey}`,
  /** Hash: group key → the account's read marker in that group (a seq); an entry exists from its first join on. */
  readMarkers: (userKey: NameKey) => `ts:read:${userKey}`,
  /** Prefix of `readMarkers` (the group deletion script builds the keys of the group's readers). */
  readMarkersPrefix: 'ts:read:',
  /** Set: user keys that have a marker in the group (kept with the markers, so that a deletion finds them). */
  readers: (groupKey: NameKey) => `ts:readers:${groupKey}`,
  /** String: a random id written once when the data set is first used; gone or changed means Redis lost its data (redis-data-marker.ts). */
  dataMarker: 'ts:data-marker',
  /** String counter: bumped by each role change, so that nodes check who may stay in private groups (the Store's `changeMark`). */
  adminChanges: 'ts:admin-changes',
  /** String: `userKey|epoch`, the account a resume token signs in (key: the token's SHA-256, hex); expires with the token. */
  resumeToken: (tokenHash: string) => `ts:resume:${tokenHash}`,
  /** Hash: user key → its resume-token epoch; bumped to end every token of the account (no entry: 0). */
  resumeEpochs: 'ts:resume-epochs',
  /** Set: the id of every conversation (`<user key>:<user key>`, the two keys in order; January additions, redis-conversations.ts). */
  conversations: 'ts:conversations',
  /** Hash: `last_seq`, `last_ts`, and per side `name:<user key>` (its display name) and `read:<user key>` (its read marker; absent: 0). */
  conversation: (id: string) => `ts:dm:${id}`,
  /** Sorted set: score seq, member the stored direct message as JSON {from, to, seq, text, ts}. */
  directMessages: (id: string) => `ts:dm-msgs:${id}`,
  /** Sorted set, every score 0 (so ordered by member): the user keys the account has a conversation with. */
  conversationList: (userKey: NameKey) => `ts:dm-list:${userKey}`,
  /** Hash: user key → display name of each account that `userKey` blocks. */
  blocks: (userKey: NameKey) => `ts:blocks:${userKey}`,
  /** Pub/sub channel of every cluster event. */
  events: 'ts:events',
} as const;

/** Event kinds on the channel: first character of the payload. */
export const EVENT_MESSAGE = 'm';
export const EVENT_PRESENCE = 'p';
export const EVENT_DIRECT = 'd';
/** An account was disabled: every node closes its connections. */
export const EVENT_ACCOUNT_CLOSED = 'x';
/** A group event (topic, kick, deletion): JSON {origin, body}; the store announces deletions itself. */
export const EVENT_GROUP = 'g';
/** An admin's notice (January addition): JSON {origin, body}; every node sends it to its signed-in connections. */
export const EVENT_NOTICE = 'n';
/** A message for every connection of one account (January addition: a conversation's `message_deleted`): JSON {origin, body: AccountMessage}. */
export const EVENT_ACCOUNT_MESSAGE = 'a';
