/**
 * What the server needs from durable storage. The SQLite store fills it by
 * default; a Redis store fills it for cluster mode. No chat logic lives behind
 * this interface: it stores and finds, nothing else. Names are unique without
 * regard to case; every method takes a name in any case and returns it as
 * first written.
 */
import type { AccountRole, StoredMessage } from '../protocol/messages.js';
import type { NameKey } from '../protocol/names.js';
import type { MessageDeletionStore } from './message-deletions.js';
import type { BlockStore, ConversationStore } from './conversation-store.js';
import type { ModerationStore } from './moderation-store.js';
import type { ReadMarkerStore } from './read-markers.js';
import type { ResumeTokenStore } from './resume-tokens.js';

/** Why and when an account was disabled. */
export interface Disabled {
  /** Empty when none was given. */
  reason: string;
  at: number;
}

export interface UserRecord {
  /** The name as first written. */
  name: string;
  /** Self-describing password hash (algorithm, parameters, salt, hash). */
  passwordHash: string;
  role: AccountRole;
  /** Present while the account is disabled. */
  disabled?: Disabled;
}

/** An account as the admin command lists it (no password hash). */
export interface UserSummary {
  name: string;
  role: AccountRole;
  /** Unknown (undefined) for accounts made before it was kept (Redis). */
  createdAt?: number;
  lastLogin?: number;
  disabled?: Disabled;
}

export interface GroupRecord {
  /** The name as first written. */
  name: string;
  /** Highest seq stored in the group; 0 when it has none. */
  lastSeq: number;
}

/** What `createOwnedGroup` did; `server_full`/`owner_full` name the cap that stopped it. */
export type CreateGroupOutcome =
  | { kind: 'created'; group: GroupRecord }
  | { kind: 'exists' }
  | { kind: 'server_full' }
  | { kind: 'owner_full'; owned: number };

/** Caps checked, together with the name, in one atomic step of `createOwnedGroup`. */
export interface GroupCaps {
  /** Groups the server may hold. */
  maxGroups: number;
  /** Groups one owner may have. */
  maxOwned: number;
}

/** A group as the admin command lists it. */
export interface GroupReport {
  name: string;
  /** Display name of the account that created it; undefined for groups made before owners were kept. */
  owner?: string;
  private: boolean;
  /** Messages stored. */
  messages: number;
  /** Time of its newest message; undefined when it has none. */
  lastActivity?: number;
}

export interface MessagePage {
  /** Oldest first. */
  messages: StoredMessage[];
  /** True when more messages lie beyond the page in the direction read. */
  more: boolean;
}

/** What retention keeps (see src/server/retention.ts); 0 on either axis: no limit there. */
export interface RetentionPolicy {
  /** Messages whose `ts` is older than this many ms before `now` go. */
  maxAgeMs: number;
  /** Only the newest this many messages of each group stay. */
  maxMessages: number;
}

export interface NewMessage {
  group: string;
  from: string;
  text: string;
  ts: number;
  /** Who sent it: `node:connection` in a cluster (the store announces it with the message, so the sender is not echoed); empty on a node alone. */
  origin: string;
}

/** Accounts: names, password hashes, roles, disabled state, last login. */
export interface AccountStore {
  /** Creates the user; undefined when the name is taken (in any case). */
  createUser(name: string, passwordHash: string): Promise<UserRecord | undefined>;
  findUser(name: string): Promise<UserRecord | undefined>;
  /** The name keys of the admins among `names` (one read for them all: `who`'s and `joined`'s `roles`). */
  adminsAmong(names: readonly string[]): Promise<Set<NameKey>>;
  /** Every account, sorted by name key. */
  listUsers(): Promise<UserSummary[]>;
  /** The setters below return false when there is no such user. Setting the password ends the account's resume tokens. */
  setPasswordHash(name: string, passwordHash: string): Promise<boolean>;
  setRole(name: string, role: AccountRole): Promise<boolean>;
  /** `undefined` enables the account again; disabling ends its resume tokens. */
  setDisabled(name: string, disabled: Disabled | undefined): Promise<boolean>;
  /** Remembers a successful login (shown by the admin command). */
  recordLogin(name: string, at: number): Promise<void>;
}

/** Groups and their messages: creation, lookup, the seq counter and history. */
export interface GroupStore {
  /** Creates the group without an owner; undefined when the name is taken (in any case). */
  createGroup(name: string): Promise<GroupRecord | undefined>;
  /**
   * Creates the group owned by `owner` (stored as its name key), unless the
   * name is taken or a cap is reached; checked and done atomically, so
   * concurrent creations (on any node) never pass a cap. `private` (default
   * false) is set in the same step, so the group is never seen public.
   */
  createOwnedGroup(name: string, owner: string, caps: GroupCaps, options?: { private?: boolean }): Promise<CreateGroupOutcome>;
  /** Groups that exist and whose owner is `owner` (in any case). */
  countOwnedGroups(owner: string): Promise<number>;
  findGroup(name: string): Promise<GroupRecord | undefined>;
  /** Every group's name as first written, sorted without regard to case. */
  listGroups(): Promise<string[]>;
  countGroups(): Promise<number>;
  /** Every group with its owner, message count and last activity, sorted by name key (admin command). */
  groupReports(): Promise<GroupReport[]>;

  /**
   * Stores a message with the group's next seq (from 1, no gaps, no repeats).
   * Resolves once the message is durable; the group must exist. A store
   * shared by several nodes also announces the message to all of them, in
   * seq order (see ClusterLink).
   */
  appendMessage(message: NewMessage): Promise<StoredMessage>;
  /**
   * Messages with seq > since, oldest first, at most `limit`; `more` when there are later ones.
   * With `maxBytes`, a store may stop early (with `more`) once the texts and senders read
   * add up to more than that: what follows would not fit in one reply anyway.
   */
  messagesSince(group: string, since: number, limit: number, maxBytes?: number): Promise<MessagePage>;
  /**
   * The `limit` newest messages with seq < before (all seqs when before is
   * undefined), oldest first; `more` when there are older ones.
   */
  messagesBefore(group: string, before: number | undefined, limit: number): Promise<MessagePage>;
}

/** Retention: what of a group's history is kept, and pruning the rest. */
export interface RetentionStore {
  /**
   * The oldest seq the group keeps (retention deletes older ones): 1 until
   * retention deletes anything; the group's last seq + 1 when it keeps no
   * message. Undefined when there is no such group.
   */
  firstSeq(group: string): Promise<number | undefined>;
  /**
   * Deletes at most `batch` of the group's oldest messages that
   * `policy` no longer keeps, as of `now` (ms since the epoch); returns how
   * many went. Only ever a prefix of the group's history (the kept messages
   * stay contiguous in seq), never the newest `maxMessages`; the group's last
   * seq stays, so seqs never restart. Safe to run from several nodes at once.
   */
  pruneMessages(group: string, policy: RetentionPolicy, now: number, batch: number): Promise<number>;
}

/** Whether the store can serve, for `/healthz`. */
export interface StoreHealth {
  /** Why the store cannot serve now; undefined while it can. */
  problem?: string;
  /** How long a ping took to be answered, in seconds, when the store pinged (Redis) and got an answer. */
  pingSeconds?: number;
}

/**
 * The store, by concern: each concern is one object, implemented once per
 * backend (sqlite-*.ts, redis-*.ts). Moderation (owner, topic, private,
 * moderators, invitations, bans, deletion) is in moderation-store.ts, read
 * markers in read-markers.ts.
 */
export interface Store {
  /** Which backend: the embedded SQLite file or the shared Redis. */
  readonly kind: 'sqlite' | 'redis';
  readonly accounts: AccountStore;
  readonly groups: GroupStore;
  readonly moderation: ModerationStore;
  readonly markers: ReadMarkerStore;
  readonly retention: RetentionStore;
  /** Removing a message (message-deletions.ts). */
  readonly deletions: MessageDeletionStore;
  /** Direct messages (January additions; conversation-store.ts), with their retention. */
  readonly conversations: ConversationStore;
  /** Who each account blocks (conversation-store.ts). */
  readonly blocks: BlockStore;
  /** Resume tokens (resume-tokens.ts). */
  readonly resumeTokens: ResumeTokenStore;
  /** Whether the store's connection is up now (always for the embedded store). */
  readonly connected: boolean;
  /** Whether the store answers now: a recorded failure or a lost file (SQLite), a ping within `timeoutMs` (Redis). */
  health(timeoutMs: number): Promise<StoreHealth>;
  /**
   * A number that moves when another process (the admin command, on the
   * store directly) may have changed accounts or groups behind this server:
   * SQLite's `data_version` (moves at each commit of another connection to
   * the file, a checkpoint included); Redis's `ts:admin-changes`, which
   * `setRole` bumps (deletions announce themselves). Read each second by
   * server/store-changes.ts.
   */
  changeMark(): Promise<number>;
  /** Finishes pending writes and releases the store. */
  close(): Promise<void>;
}
