/**
 * Groups and their messages in the SQLite store: the `groups` and `messages`
 * tables, each group's seq counter, and the batched appends.
 *
 * Appends get their seq at once (contiguous, in call order) but are committed
 * in batches: every append of one event-loop turn goes into one transaction,
 * and their promises resolve only after it commits. The other concerns that
 * must see every append first (deletion, retention, last seqs) call `flush`,
 * `forget` and `handedOut` here.
 */
import { ProtocolError } from '../protocol/errors.js';
import type { StoredMessage } from '../protocol/messages.js';
import { nameKey as keyOf, type NameKey } from '../protocol/names.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from './sqlite-schema.js';
import { groupReports } from './sqlite-users.js';
import type { CreateGroupOutcome, GroupCaps, GroupRecord, GroupReport, GroupStore, MessagePage, NewMessage } from './store.js';

interface PendingAppend {
  key: string;
  message: StoredMessage;
  resolve: (message: StoredMessage) => void;
  reject: (error: unknown) => void;
}

interface GroupRow { name: string; last_seq: number }

export class SqliteGroups implements GroupStore {
  /** Group key → highest seq handed out (committed or in the pending batch). */
  private readonly assigned = new Map<string, { name: string; seq: number }>();
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  /** Transactions committed by appends (for tests and the benchmark). */
  readonly stats = { transactions: 0, messages: 0 };

  private readonly statements;
  /** Stores one batch of appends in one transaction; made once (better-sqlite3 builds a wrapper per `transaction` call). */
  private readonly commitBatch: (batch: PendingAppend[], lastSeqs: Map<string, number>, orphans: Set<PendingAppend>) => void;

  constructor(private readonly database: SqliteDatabase, private readonly onCommit: (seconds: number) => void = () => undefined) {
    const { db } = database;
    this.statements = {
      insertGroup: db.prepare<[string, string, number]>('INSERT OR IGNORE INTO groups (name_key, name, created_at) VALUES (?, ?, ?)'),
      findGroup: db.prepare<[string], GroupRow>('SELECT name, last_seq FROM groups WHERE name_key = ?'),
      listGroups: db.prepare<[], { name: string }>('SELECT name FROM groups ORDER BY name_key'),
      countGroups: db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM groups'),
      insertOwnedGroup: db.prepare<[string, string, number, string, number]>('INSERT INTO groups (name_key, name, created_at, owner, private) VALUES (?, ?, ?, ?, ?)'),
      countOwned: db.prepare<[string], { count: number }>('SELECT COUNT(*) AS count FROM groups WHERE owner = ?'),
      // Only into a group that still exists: the admin command may delete one while the server runs.
      insertMessage: db.prepare<[string, number, string, string, number, string]>(
        'INSERT INTO messages (group_key, seq, sender, text, ts) SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM groups WHERE name_key = ?)'),

      setLastSeq: db.prepare<[number, string]>('UPDATE groups SET last_seq = ? WHERE name_key = ?'),
      since: db.prepare<[string, number, number], MessageRow>(`SELECT ${MESSAGE_COLUMNS} WHERE m.group_key = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`),
      before: db.prepare<[string, number, number], MessageRow>(`SELECT ${MESSAGE_COLUMNS} WHERE m.group_key = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`),
    };
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

  async createGroup(name: string): Promise<GroupRecord | undefined> {
    const inserted = this.database.writing(() => this.statements.insertGroup.run(keyOf(name), name, Date.now()).changes === 1);
    return inserted ? { name, lastSeq: 0 } : undefined;
  }

  async createOwnedGroup(name: string, owner: string, caps: GroupCaps, options: { private?: boolean } = {}): Promise<CreateGroupOutcome> {
    this.database.ensureOpen();
    this.flush(); // nothing pending may land in a group of the same name deleted meanwhile
    // Synchronous from check to insert: nothing else runs in between.
    if (this.statements.findGroup.get(keyOf(name)) !== undefined) return { kind: 'exists' };
    if ((this.statements.countGroups.get()?.count ?? 0) >= caps.maxGroups) return { kind: 'server_full' };
    const owned = this.statements.countOwned.get(keyOf(owner))?.count ?? 0;
    if (owned >= caps.maxOwned) return { kind: 'owner_full', owned };
    this.database.writing(() => this.statements.insertOwnedGroup.run(keyOf(name), name, Date.now(), keyOf(owner), options.private === true ? 1 : 0));
    this.assigned.delete(keyOf(name));
    return { kind: 'created', group: { name, lastSeq: 0 } };
  }

  async countOwnedGroups(owner: string): Promise<number> {
    this.database.ensureOpen();
    return this.statements.countOwned.get(keyOf(owner))?.count ?? 0;
  }

  /**
   * `lastSeq` counts seqs handed out, including appends about to commit in
   * this turn. The row is looked up each time: the admin command may have deleted the group.
   */
  async findGroup(name: string): Promise<GroupRecord | undefined> {
    this.database.ensureOpen();
    if (this.statements.findGroup.get(keyOf(name)) === undefined) {
      this.assigned.delete(keyOf(name));
      return undefined;
    }
    const counter = this.counter(keyOf(name));
    return counter === undefined ? undefined : { name: counter.name, lastSeq: counter.seq };
  }

  async countGroups(): Promise<number> {
    this.database.ensureOpen();
    return this.statements.countGroups.get()?.count ?? 0;
  }

  async groupReports(): Promise<GroupReport[]> {
    this.database.ensureOpen();
    this.flush();
    return groupReports(this.database.db);
  }

  async listGroups(): Promise<string[]> {
    this.database.ensureOpen();
    return this.statements.listGroups.all().map((row) => row.name);
  }

  appendMessage(message: NewMessage): Promise<StoredMessage> {
    if (this.database.isClosed) return Promise.reject(new Error('store is closed'));
    const lost = this.database.lostError;
    if (lost !== undefined) return Promise.reject(lost);
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
    this.database.ensureOpen();
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
    this.database.ensureOpen();
    this.flush();
    const rows = this.statements.before.all(keyOf(group), before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    return { messages: rows.slice(0, limit).reverse().map(toMessage), more: rows.length > limit };
  }

  /** The highest seq handed out in the group (committed or pending), when its counter is loaded. */
  handedOut(groupKey: NameKey): number | undefined {
    return this.assigned.get(groupKey)?.seq;
  }

  /** Drops the group's counter (the group was deleted: one made again under its name starts from its row). */
  forget(groupKey: NameKey): void {
    this.assigned.delete(groupKey);
  }

  /** Commits every pending append in one transaction, then settles their promises. */
  flush(): void {
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
      const failure = this.database.storageFailure(error);
      for (const append of batch) append.reject(failure);
      return;
    }
    // Committed, but into a file that nobody will ever open again: not acknowledged.
    if (this.database.lostError !== undefined || this.database.file.gone) {
      const lost = this.database.fileLost();
      for (const append of batch) append.reject(lost);
      return;
    }
    this.onCommit((performance.now() - started) / 1000);
    this.database.succeeded();
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
}
