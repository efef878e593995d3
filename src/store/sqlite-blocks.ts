/** Block lists in the SQLite store: the `blocks` table (schema version 7, made by sqlite-conversations.ts's step). */
import { nameKey as keyOf } from '../protocol/names.js';
import type { BlockStore } from './conversation-store.js';
import type { SqliteDatabase } from './sqlite-database.js';

export class SqliteBlocks implements BlockStore {
  private readonly statements;

  constructor(private readonly database: SqliteDatabase) {
    const { db } = database;
    this.statements = {
      block: db.prepare<[string, string, string, number]>('INSERT OR IGNORE INTO blocks (user_key, blocked_key, blocked_name, at) VALUES (?, ?, ?, ?)'),
      unblock: db.prepare<[string, string]>('DELETE FROM blocks WHERE user_key = ? AND blocked_key = ?'),
      blocked: db.prepare<[string], { blocked_name: string }>('SELECT blocked_name FROM blocks WHERE user_key = ? ORDER BY blocked_key'),
    };
  }

  async block(user: string, blocked: string): Promise<boolean> {
    return this.database.writing(() => this.statements.block.run(keyOf(user), keyOf(blocked), blocked, Date.now()).changes === 1);
  }

  async unblock(user: string, blocked: string): Promise<boolean> {
    return this.database.writing(() => this.statements.unblock.run(keyOf(user), keyOf(blocked)).changes === 1);
  }

  async blockedUsers(user: string): Promise<string[]> {
    this.database.ensureOpen();
    return this.statements.blocked.all(keyOf(user)).map((row) => row.blocked_name);
  }
}
