/**
 * The embedded store: SQLite through better-sqlite3, in WAL mode.
 *
 * Appends get their seq at once (contiguous, in call order) but are committed
 * in batches: every append of one event-loop turn goes into one transaction,
 * and their promises resolve only after it commits. `synchronous = NORMAL`
 * keeps every commit across a crash of the process (kill -9); a power loss may
 * lose the last commits. `synchronous: 'full'` closes that gap at the cost of
 * an fsync per batch.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ProtocolError } from '../protocol/errors.js';
import type { AccountRole, StoredMessage } from '../protocol/messages.js';
import { nameKey as keyOf } from '../protocol/names.js';
import { DatabaseFile, isStorageFailure } from './sqlite-file.js';
import type { GroupBan, GroupSettings, GroupStanding } from './moderation-store.js';
import { SqliteModeration } from './sqlite-moderation.js';
import { SqliteReadMarkers } from './sqlite-read-markers.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import { SqliteRetention } from './sqlite-retention.js';
import { type MessageRow, migrate, toMessage } from './sqlite-schema.js';
import { groupReports, SqliteUsers } from './sqlite-users.js';
import type {
  CreateGroupOutcome, Disabled, GroupCaps, GroupRecord, GroupReport, MessagePage, NewMessage, RetentionPolicy, Store, UserRecord, UserSummary,
} from './store.js';

export interface SqliteStoreOptions {
  synchronous?: 'normal' | 'full';
  /** Told, once per episode, when storing fails for a reason beneath the store (see sqlite-file.ts). */
  onFailure?: (reason: string) => void;
  /** Told how long each batch commit took, in seconds (metrics). */
  onCommit?: (seconds: number) => void;
}

interface PendingAppend {
  key: string;
  message: StoredMessage;
  resolve: (message: StoredMessage) => void;
  reject: (error: unknown) => void;
}

interface GroupRow { name: string; last_seq: number }

/** The database's file name inside the data folder. */
export const DATABASE_FILE = 'termsender.db';

export class SqliteStore implements Store {
  /** Group key → highest seq handed out (committed or in the pending batch). */
  private readonly assigned = new Map<string, { name: string; seq: number }>();
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  /** Transactions committed by appends (for tests and the benchmark). */
  readonly stats = { transactions: 0, messages: 0 };

  private readonly statements;
  private readonly users: SqliteUsers;
  private readonly moderation: SqliteModeration;
  private readonly markers: SqliteReadMarkers;
  private readonly retention: SqliteRetention;
  /** Started by the first retention batch. */
  private checkpointer: SqliteCheckpointer | undefined;
  /** Stores one batch of appends in one transaction; made once (better-sqlite3 builds a wrapper per `transaction` call). */
  private readonly commitBatch: (batch: PendingAppend[], lastSeqs: Map<string, number>, orphans: Set<PendingAppend>) => void;

  /** Set for good once the database file is gone: every write is refused from then on. */
  private lost: ProtocolError | undefined;
  /** A storage failure was reported and nothing has succeeded since. */
  private failing = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly file: DatabaseFile,
    private readonly onFailure: (reason: string) => void,
    private readonly onCommit: (seconds: number) => void = () => undefined,
  ) {
    migrate(db);
    const messageColumns = 'g.name AS group_name, m.seq, m.sender, m.text, m.ts FROM messages m JOIN groups g ON g.name_key = m.group_key';
    this.statements = {
      insertGroup: db.prepare<[string, string, number]>('INSERT OR IGNORE INTO groups (name_key, name, created_at) VALUES (?, ?, ?)'),
      findGroup: db.prepare<[string], GroupRow>('SELECT name, last_seq FROM groups WHERE name_key = ?'),
      listGroups: db.prepare<[], { name: string }>('SELECT name FROM groups ORDER BY name_key'),
      countGroups: db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM groups'),
      insertOwnedGroup: db.prepare<[string, string, number, string, number]>('INSERT INTO groups (name_key, name, created_at, owner, private) VALUES (?, ?, ?, ?, ?)'),
      countOwned: db.prepare<[string], { count: number }>('SELECT COUNT(*) AS count FROM groups WHERE owner = ?'),
      // Only into a group that still exists: the admin command may delete one while the server runs.
      insertMessage: db.prepare<[string, number, string, string, number, string]>(
        'INSERT INTO messages SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM groups WHERE name_key = ?)'),

      setLastSeq: db.prepare<[number, string]>('UPDATE groups SET last_seq = ? WHERE name_key = ?'),
      since: db.prepare<[string, number, number], MessageRow>(`SELECT ${messageColumns} WHERE m.group_key = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`),
      before: db.prepare<[string, number, number], MessageRow>(`SELECT ${messageColumns} WHERE m.group_key = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`),
    };
    this.users = new SqliteUsers(db, (write) => this.writing(write));
    this.moderation = new SqliteModeration(db, (write) => this.writing(write));
    this.markers = new SqliteReadMarkers(db, (write) => this.writing(write));
    this.retention = new SqliteRetention(db);
    const { insertMessage, setLastSeq } = this.statements;
    this.commitBatch = db.transaction((batch: PendingAppend[], lastSeqs: Map<string, number>, orphans: Set<PendingAppend>) => {
      for (const append of batch) {
        const { key, message } = append;
        if (insertMessage.run(key, message.seq, message.from, message.text, message.ts, key).changes === 0) orphans.add(append);
        else lastSeqs.set(key, message.seq);
      }
      for (const [key, seq] of lastSeqs) setLastSeq.run(seq, key);
    });
  }

  static open(dataDir: string, options: SqliteStoreOptions = {}): SqliteStore {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, DATABASE_FILE);
    // Created owner-only before SQLite opens it (it holds password hashes);
    // SQLite gives the -wal and -shm files the same mode. An existing file keeps its mode.
    closeSync(openSync(file, 'a', 0o600));
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    return new SqliteStore(db, new DatabaseFile(file), options.onFailure ?? (() => undefined), options.onCommit);
  }

  // Writes go through `writing` inside SqliteUsers.
  async createUser(name: string, passwordHash: string): Promise<UserRecord | undefined> { return this.users.create(name, passwordHash); }

  async findUser(name: string): Promise<UserRecord | undefined> {
    this.ensureOpen();
    return this.users.find(name);
  }

  async listUsers(): Promise<UserSummary[]> {
    this.ensureOpen();
    return this.users.list();
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> { return this.users.setPasswordHash(name, passwordHash); }

  async setRole(name: string, role: AccountRole): Promise<boolean> { return this.users.setRole(name, role); }

  async setDisabled(name: string, disabled: Disabled | undefined): Promise<boolean> { return this.users.setDisabled(name, disabled); }

  async recordLogin(name: string, at: number): Promise<void> { this.users.recordLogin(name, at); }

  async createGroup(name: string): Promise<GroupRecord | undefined> {
    const inserted = this.writing(() => this.statements.insertGroup.run(keyOf(name), name, Date.now()).changes === 1);
    return inserted ? { name, lastSeq: 0 } : undefined;
  }

  async createOwnedGroup(name: string, owner: string, caps: GroupCaps, options: { private?: boolean } = {}): Promise<CreateGroupOutcome> {
    this.ensureOpen();
    this.flush(); // nothing pending may land in a group of the same name deleted meanwhile
    // Synchronous from check to insert: nothing else runs in between.
    if (this.statements.findGroup.get(keyOf(name)) !== undefined) return { kind: 'exists' };
    if ((this.statements.countGroups.get()?.count ?? 0) >= caps.maxGroups) return { kind: 'server_full' };
    const owned = this.statements.countOwned.get(keyOf(owner))?.count ?? 0;
    if (owned >= caps.maxOwned) return { kind: 'owner_full', owned };
    this.writing(() => this.statements.insertOwnedGroup.run(keyOf(name), name, Date.now(), keyOf(owner), options.private === true ? 1 : 0));
    this.assigned.delete(keyOf(name));
    return { kind: 'created', group: { name, lastSeq: 0 } };
  }

  async countOwnedGroups(owner: string): Promise<number> {
    this.ensureOpen();
    return this.statements.countOwned.get(keyOf(owner))?.count ?? 0;
  }

  /**
   * `lastSeq` counts seqs handed out, including appends about to commit in
   * this turn. The row is looked up each time: the admin command may have deleted the group.
   */
  async findGroup(name: string): Promise<GroupRecord | undefined> {
    this.ensureOpen();
    if (this.statements.findGroup.get(keyOf(name)) === undefined) {
      this.assigned.delete(keyOf(name));
      return undefined;
    }
    const counter = this.counter(keyOf(name));
    return counter === undefined ? undefined : { name: counter.name, lastSeq: counter.seq };
  }

  async countGroups(): Promise<number> {
    this.ensureOpen();
    return this.statements.countGroups.get()?.count ?? 0;
  }

  async groupReports(): Promise<GroupReport[]> {
    this.ensureOpen();
    this.flush();
    return groupReports(this.db);
  }

  async listGroups(): Promise<string[]> {
    this.ensureOpen();
    return this.statements.listGroups.all().map((row) => row.name);
  }

  // Read markers: writes go through `writing` inside SqliteReadMarkers.
  async recordJoin(user: string, group: string, seq: number): Promise<number> { return this.markers.recordJoin(user, group, seq); }

  async markRead(user: string, group: string, seq: number): Promise<boolean> { return this.markers.markRead(user, group, seq); }

  async dropMarker(user: string, group: string): Promise<void> { this.markers.dropMarker(user, group); }

  async readMarker(user: string, group: string): Promise<number | undefined> {
    this.ensureOpen();
    return this.markers.readMarker(user, group);
  }

  async readMarkers(user: string): Promise<Map<string, number>> {
    this.ensureOpen();
    return this.markers.readMarkers(user);
  }

  /** Counts seqs handed out, including appends about to commit in this turn (as `findGroup` does). */
  async lastSeqs(groups: string[]): Promise<number[]> {
    this.ensureOpen();
    const committed = this.markers.committedLastSeqs();
    return groups.map((name) => {
      const key = keyOf(name);
      return this.assigned.get(key)?.seq ?? committed.get(key) ?? 0;
    });
  }

  appendMessage(message: NewMessage): Promise<StoredMessage> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.lost !== undefined) return Promise.reject(this.lost);
    const key = keyOf(message.group);
    const counter = this.counter(key);
    if (counter === undefined) return Promise.reject(new ProtocolError('no_such_group', `no group '${message.group}'`));
    counter.seq += 1;
    const stored: StoredMessage = { group: counter.name, seq: counter.seq, from: message.from, text: message.text, ts: message.ts };
    return new Promise((resolve, reject) => {
      this.pending.push({ key, message: stored, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async messagesSince(group: string, since: number, limit: number, maxBytes = Number.POSITIVE_INFINITY): Promise<MessagePage> {
    this.ensureOpen();
    this.flush();
    const messages: StoredMessage[] = [];
    // UTF-16 lengths: never more than the UTF-8 bytes, so an early stop is always past what fits.
    let bytes = 0;
    for (const row of this.statements.since.iterate(keyOf(group), since, limit + 1)) {
      if (messages.length === limit || bytes > maxBytes) return { messages, more: true };
      messages.push(toMessage(row));
      bytes += row.text.length + row.sender.length;
    }
    return { messages, more: false };
  }

  async messagesBefore(group: string, before: number | undefined, limit: number): Promise<MessagePage> {
    this.ensureOpen();
    this.flush();
    const rows = this.statements.before.all(keyOf(group), before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    return { messages: rows.slice(0, limit).reverse().map(toMessage), more: rows.length > limit };
  }

  // Moderation (sqlite-moderation.ts); its writes go through `writing` there.
  async groupSettings(group: string): Promise<GroupSettings | undefined> { this.ensureOpen(); return this.moderation.groupSettings(group); }

  async listGroupSettings(): Promise<GroupSettings[]> { this.ensureOpen(); return this.moderation.listGroupSettings(); }

  async privateGroupsOpenTo(user: string): Promise<Set<string>> { this.ensureOpen(); return this.moderation.privateGroupsOpenTo(user); }

  async standing(group: string, user: string): Promise<GroupStanding> { this.ensureOpen(); return this.moderation.standing(group, user); }

  async setTopic(group: string, topic: string): Promise<boolean> { return this.moderation.setTopic(group, topic); }

  async setModerator(group: string, user: string, moderator: boolean): Promise<boolean> { return this.moderation.setModerator(group, user, moderator); }

  async setInvited(group: string, user: string, invited: boolean): Promise<boolean> { return this.moderation.setInvited(group, user, invited); }

  async setBan(group: string, user: string, ban: GroupBan | undefined): Promise<boolean> { return this.moderation.setBan(group, user, ban); }

  /** Commits what is pending first, so no append of the group lands after its deletion. */
  async deleteGroup(group: string, _by: string): Promise<string | undefined> {
    this.ensureOpen();
    this.flush();
    const name = this.moderation.deleteGroup(group);
    this.assigned.delete(keyOf(group));
    return name;
  }

  async firstSeq(group: string): Promise<number | undefined> {
    this.ensureOpen();
    this.flush();
    return this.retention.firstSeq(keyOf(group));
  }

  async pruneMessages(group: string, policy: RetentionPolicy, now: number, batch: number): Promise<number> {
    const removed = this.writing(() => this.retention.prune(keyOf(group), policy, now, batch));
    if (removed > 0) (this.checkpointer ??= SqliteCheckpointer.start(this.db, this.file.path)).request();
    return removed;
  }

  async changeMark(): Promise<number> {
    this.ensureOpen();
    return Number(this.db.pragma('data_version', { simple: true }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await this.checkpointer?.close();
    this.db.close();
    this.file.close();
  }

  /** Why the store cannot store now, or undefined while it can. */
  get failure(): string | undefined {
    if (this.lost === undefined && !this.closed && this.file.gone) this.fileLost(); // one fstat
    return this.lost?.message ?? (this.failing ? 'storing failed; see the log' : undefined);
  }

  /** Commits every pending append in one transaction, then settles their promises. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const lastSeqs = new Map<string, number>();
    /** Appends to a group deleted meanwhile (by the admin command): refused, the rest stored. */
    const orphans = new Set<PendingAppend>();
    const started = performance.now();
    try {
      this.commitBatch(batch, lastSeqs, orphans);
    } catch (error) {
      // Nothing of the batch was stored: forget the handed-out seqs so none is skipped.
      for (const key of lastSeqs.keys()) this.assigned.delete(key);
      for (const { key } of batch) this.assigned.delete(key);
      const failure = this.storageFailure(error);
      for (const append of batch) append.reject(failure);
      return;
    }
    // Committed, but into a file that nobody will ever open again: not acknowledged.
    if (this.lost !== undefined || this.file.gone) {
      const lost = this.fileLost();
      for (const append of batch) append.reject(lost);
      return;
    }
    this.onCommit((performance.now() - started) / 1000);
    this.failing = false;
    this.stats.transactions += 1;
    this.stats.messages += batch.length - orphans.size;
    for (const append of batch) {
      if (!orphans.has(append)) {
        append.resolve(append.message);
        continue;
      }
      this.assigned.delete(append.key);
      append.reject(new ProtocolError('no_such_group', `group '${append.message.group}' was deleted`));
    }
  }

  private counter(key: string): { name: string; seq: number } | undefined {
    let counter = this.assigned.get(key);
    if (counter === undefined) {
      const row = this.statements.findGroup.get(key);
      if (row === undefined) return undefined;
      counter = { name: row.name, seq: row.last_seq };
      this.assigned.set(key, counter);
    }
    return counter;
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  /** A write may go ahead: the store is open and its file still there. */
  private ensureWritable(): void {
    this.ensureOpen();
    if (this.lost !== undefined || this.file.gone) throw this.fileLost();
  }

  private fileLost(): ProtocolError {
    if (this.lost === undefined) {
      const reason = `the database file ${this.file.path} was deleted or replaced while the server ran; nothing more is stored until it restarts`;
      this.lost = new ProtocolError('unavailable', 'the server cannot store anything right now; try again later');
      this.onFailure(reason);
    }
    return this.lost;
  }

  /** A failure beneath the store is `unavailable` (and logged once); anything else stays as it is (a bug). */
  private storageFailure(error: unknown): unknown {
    if (!isStorageFailure(error)) return error;
    if (!this.failing) {
      this.failing = true;
      this.onFailure(`storing failed: ${error.message} (${error.code})`);
    }
    return new ProtocolError('unavailable', 'the server cannot store anything right now; try again later', { cause: error });
  }

  /** Runs a write, with failures beneath the store turned into `unavailable`. */
  private writing<T>(write: () => T): T {
    this.ensureWritable();
    try {
      return write();
    } catch (error) {
      throw this.storageFailure(error);
    }
  }
}
