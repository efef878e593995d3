/**
 * Removing a message in the SQLite store (schema version 6, sqlite-schema.ts:
 * `messages` gains `deleted_by` and `deleted_ts`). The row is updated in place with
 * SQLite's `secure_delete` on for that statement, so the bytes of the old
 * text (in the row's page and any overflow pages) are overwritten with
 * zeros, not left in free space. The WAL's older copies of the page are
 * overwritten as the WAL is reused, and gone when the server closes (the
 * last connection checkpoints and removes the WAL).
 */
import { DELETED_TEXT, type MessageDeletion, type StoredMessage } from '../protocol/messages.js';
import { nameKey as keyOf } from '../protocol/names.js';
import type { DeletionOutcome, MessageDeletionStore } from './message-deletions.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { SqliteGroups } from './sqlite-groups.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from './sqlite-schema.js';

export class SqliteMessageDeletions implements MessageDeletionStore {
  private readonly statements;

  /** `groups`: its pending appends are committed first (a seq just handed out is found). */
  constructor(private readonly database: SqliteDatabase, private readonly groups: Pick<SqliteGroups, 'flush'>) {
    const { db } = database;
    this.statements = {
      find: db.prepare<[string, number], MessageRow>(`SELECT ${MESSAGE_COLUMNS} WHERE m.group_key = ? AND m.seq = ?`),
      overwrite: db.prepare<[string, string, number, string, number]>(
        'UPDATE messages SET text = ?, deleted_by = ?, deleted_ts = ? WHERE group_key = ? AND seq = ? AND deleted_by IS NULL'),
    };
  }

  async findMessage(group: string, seq: number): Promise<StoredMessage | undefined> {
    this.database.ensureOpen();
    this.groups.flush();
    const row = this.statements.find.get(keyOf(group), seq);
    return row === undefined ? undefined : toMessage(row);
  }

  async deleteMessage(group: string, seq: number, deletion: MessageDeletion): Promise<DeletionOutcome> {
    this.database.ensureOpen();
    this.groups.flush();
    const key = keyOf(group);
    const removed = this.database.writing(() => this.overwrite(key, seq, deletion));
    const row = this.statements.find.get(key, seq);
    if (row === undefined) return { kind: 'missing' };
    return { kind: removed ? 'deleted' : 'already', message: toMessage(row) };
  }

  /** The update, with the freed bytes zeroed (secure_delete only for this statement: retention's bulk deletes stay cheap). */
  private overwrite(groupKey: string, seq: number, deletion: MessageDeletion): boolean {
    const { db } = this.database;
    db.pragma('secure_delete = ON');
    try {
      return this.statements.overwrite.run(DELETED_TEXT, deletion.by, deletion.ts, groupKey, seq).changes === 1;
    } finally {
      db.pragma('secure_delete = OFF');
    }
  }
}
