/**
 * Conversations in the SQLite store (schema version 7): `conversations` (one
 * row per pair of accounts: its last seq and time), `conversation_sides` (one
 * row per account and peer: the peer's display name and the account's read
 * marker; the account's list of conversations is a range of its primary key),
 * `direct_messages`, and `blocks` (sqlite-blocks.ts). A direct message is one transaction (block
 * check, seq, message, sender's marker, both sides' rows), committed before
 * `appendDirect` resolves: WAL with synchronous NORMAL keeps it across a
 * crash of the process, as the groups' batched appends.
 */
import type Database from 'better-sqlite3';
import type { StoredDirectMessage } from '../protocol/messages.js';
import { nameKey as keyOf, type NameKey, storedNameKey } from '../protocol/names.js';
import {
  type ConversationPage, type ConversationStore, conversationId, type DirectOutcome, type DirectPage,
  type NewDirectMessage, unreadAfter,
} from './conversation-store.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { pruneEnd } from './sqlite-retention.js';
import { deletionOf } from './sqlite-removal.js';
import type { RetentionPolicy } from './store.js';

/** The schema version that added conversations (after 6, message deletion). */
export const CONVERSATIONS_VERSION = 7;

/** The migration step to version 7: the tables (a fresh file gets them the same way). */
export function migrateConversations(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, last_ts INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS conversation_sides (
    user_key TEXT NOT NULL, peer_key TEXT NOT NULL, peer_name TEXT NOT NULL, conversation TEXT NOT NULL, read_seq INTEGER NOT NULL,
    PRIMARY KEY (user_key, peer_key)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS direct_messages (
    conversation TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL, recipient TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL,
    PRIMARY KEY (conversation, seq)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS blocks (
    user_key TEXT NOT NULL, blocked_key TEXT NOT NULL, blocked_name TEXT NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (user_key, blocked_key)
  ) WITHOUT ROWID`);
}

/** What the direct-message queries select, then `WHERE`: a DirectRow (its removal columns: schema 8). */
export const DIRECT_COLUMNS = 'sender, recipient, seq, text, ts, deleted_by, deleted_ts FROM direct_messages';
export interface DirectRow { sender: string; recipient: string; seq: number; text: string; ts: number; deleted_by: string | null; deleted_ts: number | null }
interface SideRow { peer_name: string; last_seq: number; last_ts: number; read_seq: number; first_seq: number | null }

export const toDirect = (row: DirectRow): StoredDirectMessage => ({ from: row.sender, to: row.recipient, seq: row.seq, text: row.text, ts: row.ts, ...deletionOf(row) });

export class SqliteConversations implements ConversationStore {
  private readonly statements;
  private readonly appendOne: (message: NewDirectMessage) => DirectOutcome;

  constructor(private readonly database: SqliteDatabase) {
    const { db } = database;
    this.statements = {
      isBlocked: db.prepare<[string, string], { at: number }>('SELECT at FROM blocks WHERE user_key = ? AND blocked_key = ?'),
      nextSeq: db.prepare<[string, number], { last_seq: number }>(`INSERT INTO conversations (id, last_seq, last_ts) VALUES (?, 1, ?)
        ON CONFLICT (id) DO UPDATE SET last_seq = last_seq + 1, last_ts = excluded.last_ts RETURNING last_seq`),
      insertMessage: db.prepare<[string, number, string, string, string, number]>(
        'INSERT INTO direct_messages (conversation, seq, sender, recipient, text, ts) VALUES (?, ?, ?, ?, ?, ?)'),
      // The sender's side: made, or its marker moved to the new message; the recipient's: made with marker 0.
      senderSide: db.prepare<[string, string, string, string, number]>(`INSERT INTO conversation_sides (user_key, peer_key, peer_name, conversation, read_seq)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_key, peer_key) DO UPDATE SET read_seq = MAX(read_seq, excluded.read_seq)`),
      recipientSide: db.prepare<[string, string, string, string]>(`INSERT OR IGNORE INTO conversation_sides (user_key, peer_key, peer_name, conversation, read_seq)
        VALUES (?, ?, ?, ?, 0)`),
      page: db.prepare<[string, string, number], SideRow>(`SELECT s.peer_name, c.last_seq, c.last_ts, s.read_seq,
        (SELECT MIN(seq) FROM direct_messages WHERE conversation = s.conversation) AS first_seq
        FROM conversation_sides s JOIN conversations c ON c.id = s.conversation
        WHERE s.user_key = ? AND s.peer_key > ? ORDER BY s.peer_key LIMIT ?`),
      since: db.prepare<[string, number, number], DirectRow>(`SELECT ${DIRECT_COLUMNS} WHERE conversation = ? AND seq > ? ORDER BY seq LIMIT ?`),
      before: db.prepare<[string, number, number], DirectRow>(`SELECT ${DIRECT_COLUMNS} WHERE conversation = ? AND seq < ? ORDER BY seq DESC LIMIT ?`),
      forward: db.prepare<[number, string, string, string]>(`UPDATE conversation_sides SET read_seq = MAX(read_seq,
        MIN(?, (SELECT last_seq FROM conversations WHERE id = ?))) WHERE user_key = ? AND peer_key = ?`),
      lastSeq: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM conversations WHERE id = ?'),
      counts: db.prepare<[], { user_key: string; count: number }>('SELECT user_key, COUNT(*) AS count FROM conversation_sides GROUP BY user_key'),
      ids: db.prepare<[], { id: string }>('SELECT id FROM conversations ORDER BY id'),
      oldest: db.prepare<[string, number], { seq: number; ts: number }>('SELECT seq, ts FROM direct_messages WHERE conversation = ? ORDER BY seq LIMIT ?'),
      removeUpTo: db.prepare<[string, number]>('DELETE FROM direct_messages WHERE conversation = ? AND seq <= ?'),
    };
    const s = this.statements;
    this.appendOne = db.transaction((message: NewDirectMessage): DirectOutcome => {
      const fromKey = keyOf(message.from);
      const toKey = keyOf(message.to);
      if (s.isBlocked.get(toKey, fromKey) !== undefined) return { kind: 'blocked' };
      const id = conversationId(fromKey, toKey);
      const seq = s.nextSeq.get(id, message.ts)!.last_seq;
      s.insertMessage.run(id, seq, message.from, message.to, message.text, message.ts);
      s.senderSide.run(fromKey, toKey, message.to, id, seq);
      if (toKey !== fromKey) s.recipientSide.run(toKey, fromKey, message.from, id);
      return { kind: 'stored', message: { from: message.from, to: message.to, seq, text: message.text, ts: message.ts } };
    });
  }

  async appendDirect(message: NewDirectMessage): Promise<DirectOutcome> {
    const outcome = this.database.writing(() => this.appendOne(message));
    // Committed into a file nobody will open again: not acknowledged (as the groups' appends).
    if (this.database.file.gone) throw this.database.fileLost();
    this.database.succeeded();
    return outcome;
  }

  async listConversations(user: string, after: string | undefined, limit: number): Promise<ConversationPage> {
    this.database.ensureOpen();
    const rows = this.statements.page.all(keyOf(user), after === undefined ? '' : keyOf(after), limit + 1);
    return {
      conversations: rows.slice(0, limit).map((row) => ({
        user: row.peer_name, lastSeq: row.last_seq, lastTs: row.last_ts,
        unread: unreadAfter(row.last_seq, row.read_seq, row.first_seq ?? row.last_seq + 1),
      })),
      more: rows.length > limit,
    };
  }

  async messagesSince(user: string, peer: string, since: number, limit: number): Promise<DirectPage> {
    this.database.ensureOpen();
    const rows = this.statements.since.all(conversationId(keyOf(user), keyOf(peer)), since, limit + 1);
    return { messages: rows.slice(0, limit).map(toDirect), more: rows.length > limit };
  }

  async messagesBefore(user: string, peer: string, before: number | undefined, limit: number): Promise<DirectPage> {
    this.database.ensureOpen();
    const rows = this.statements.before.all(conversationId(keyOf(user), keyOf(peer)), before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    return { messages: rows.slice(0, limit).reverse().map(toDirect), more: rows.length > limit };
  }

  async markRead(user: string, peer: string, seq: number): Promise<void> {
    const userKey = keyOf(user);
    const peerKey = keyOf(peer);
    this.database.writing(() => this.statements.forward.run(seq, conversationId(userKey, peerKey), userKey, peerKey));
  }

  async lastSeq(user: string, peer: string): Promise<number> {
    this.database.ensureOpen();
    return this.statements.lastSeq.get(conversationId(keyOf(user), keyOf(peer)))?.last_seq ?? 0;
  }

  async conversationCounts(): Promise<Map<NameKey, number>> {
    this.database.ensureOpen();
    return new Map(this.statements.counts.all().map((row) => [storedNameKey(row.user_key), row.count]));
  }

  async conversationIds(): Promise<string[]> {
    this.database.ensureOpen();
    return this.statements.ids.all().map((row) => row.id);
  }

  /** As SqliteRetention's prune (`pruneEnd`): a prefix of the conversation goes; last_seq stays. */
  async pruneConversation(id: string, policy: RetentionPolicy, now: number, batch: number): Promise<number> {
    return this.database.writing(() => {
      const lastSeq = this.statements.lastSeq.get(id)?.last_seq;
      if (lastSeq === undefined) return 0;
      const end = pruneEnd(this.statements.oldest.iterate(id, batch), lastSeq, policy, now);
      return end === undefined ? 0 : this.statements.removeUpTo.run(id, end).changes;
    });
  }
}
