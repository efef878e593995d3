/**
 * Removing a message in the SQLite store (sqlite-schema.ts: `messages`
 * gains `deleted_by` and `deleted_ts` at schema version 6, `direct_messages`
 * at 8). The row is updated in place with SQLite's `secure_delete` on for
 * that statement, so the bytes of the old text (in the row's page and any
 * overflow pages) are overwritten with zeros, not left in free space. The
 * WAL's older copies of the page are overwritten as the WAL is reused, and
 * gone when the server closes (the last connection checkpoints and removes
 * the WAL).
 */
import type { Statement } from 'better-sqlite3';
import { DELETED_TEXT, type MessageDeletion, type StoredDirectMessage, type StoredMessage } from '../protocol/messages.js';
import { nameKey as keyOf } from '../protocol/names.js';
import { conversationId } from './conversation-store.js';
import type { DeletionOutcome, MessageDeletionStore } from './message-deletions.js';
import { DIRECT_COLUMNS, type DirectRow, toDirect } from './sqlite-conversations.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { SqliteGroups } from './sqlite-groups.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from './sqlite-schema.js';

/** The update of one row: text, deleted_by, deleted_ts, then the row's key (group or conversation, seq). */
type Overwrite = Statement<[string, string, number, string, number]>;

export class SqliteMessageDeletions implements MessageDeletionStore {
  private readonly statements;

  /** `groups`: its pending appends are committed first (a seq just handed out is found). */
  constructor(private readonly database: SqliteDatabase, private readonly groups: Pick<SqliteGroups, 'flush'>) {
    const { db } = database;
    const overwrite = (table: string, key: string): Overwrite =>
      db.prepare(`UPDATE ${table} SET text = ?, deleted_by = ?, deleted_ts = ? WHERE ${key} = ? AND seq = ? AND deleted_by IS NULL`);
    this.statements = {
      find: db.prepare<[string, number], MessageRow>(`SELECT ${MESSAGE_COLUMNS} WHERE m.group_key = ? AND m.seq = ?`),
      overwrite: overwrite('messages', 'group_key'),
      findDirect: db.prepare<[string, number], DirectRow>(`SELECT ${DIRECT_COLUMNS} WHERE conversation = ? AND seq = ?`),
      overwriteDirect: overwrite('direct_messages', 'conversation'),
    };
  }

  async findMessage(group: string, seq: number): Promise<StoredMessage | undefined> {
    this.database.ensureOpen();
    this.groups.flush();
    const row = this.statements.find.get(keyOf(group), seq);
    return row === undefined ? undefined : toMessage(row);
  }

  async deleteMessage(group: string, seq: number, deletion: MessageDeletion): Promise<DeletionOutcome<StoredMessage>> {
    this.database.ensureOpen();
    this.groups.flush();
    const key = keyOf(group);
    const removed = this.database.writing(() => this.overwrite(this.statements.overwrite, key, seq, deletion));
    const row = this.statements.find.get(key, seq);
    return row === undefined ? { kind: 'missing' } : { kind: removed ? 'deleted' : 'already', message: toMessage(row) };
  }

  async findDirectMessage(user: string, peer: string, seq: number): Promise<StoredDirectMessage | undefined> {
    this.database.ensureOpen();
    const row = this.statements.findDirect.get(conversationId(keyOf(user), keyOf(peer)), seq);
    return row === undefined ? undefined : toDirect(row);
  }

  async deleteDirectMessage(user: string, peer: string, seq: number, deletion: MessageDeletion): Promise<DeletionOutcome<StoredDirectMessage>> {
    const id = conversationId(keyOf(user), keyOf(peer));
    const removed = this.database.writing(() => this.overwrite(this.statements.overwriteDirect, id, seq, deletion));
    const row = this.statements.findDirect.get(id, seq);
    return row === undefined ? { kind: 'missing' } : { kind: removed ? 'deleted' : 'already', message: toDirect(row) };
  }

  /** The update, with the freed bytes zeroed (secure_delete only for this statement: retention's bulk deletes stay cheap). */
  private overwrite(statement: Overwrite, key: string, seq: number, deletion: MessageDeletion): boolean {
    const { db } = this.database;
    db.pragma('secure_delete = ON');
    try {
      return statement.run(DELETED_TEXT, deletion.by, deletion.ts, key, seq).changes === 1;
    } finally {
      db.pragma('secure_delete = OFF');
    }
  }
}
