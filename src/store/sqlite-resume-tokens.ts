/** Resume tokens in the SQLite store: the `resume_tokens` table (see resume-tokens.ts). */
import { nameKey, type NameKey, storedNameKey } from '../protocol/names.js';
import type { ResumeTokenStore } from './resume-tokens.js';
import type { SqliteDatabase } from './sqlite-database.js';

/**
 * Made at every open when missing (an addition that needs no schema step:
 * older code never reads it). No index beyond the key: a login by token
 * writes one b-tree twice (take, save); ending an account's tokens and
 * dropping the expired ones scan the table, which holds the tokens of the
 * last hour only (a few per account), and happen seldom.
 */
export const RESUME_TOKENS_TABLE = `
  CREATE TABLE IF NOT EXISTS resume_tokens (
    token_hash TEXT PRIMARY KEY, user_key TEXT NOT NULL, expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/** Ends every token of an account (sqlite-users.ts: its password set, or it disabled). */
export const REVOKE_RESUME_TOKENS = 'DELETE FROM resume_tokens WHERE user_key = ?';

export class SqliteResumeTokens implements ResumeTokenStore {
  private readonly statements;

  constructor(private readonly database: SqliteDatabase) {
    const { db } = database;
    this.statements = {
      insert: db.prepare<[string, string, number]>('INSERT OR REPLACE INTO resume_tokens (token_hash, user_key, expires_at) VALUES (?, ?, ?)'),
      expire: db.prepare<[number]>('DELETE FROM resume_tokens WHERE expires_at <= ?'),
      take: db.prepare<[string, number], { user_key: string }>('DELETE FROM resume_tokens WHERE token_hash = ? AND expires_at > ? RETURNING user_key'),
      extend: db.prepare<[number, string]>('UPDATE resume_tokens SET expires_at = ? WHERE token_hash = ?'),
    };
  }

  async save(user: string, tokenHash: string, expiresAt: number): Promise<void> {
    this.database.writing(() => this.statements.insert.run(tokenHash, nameKey(user), expiresAt));
  }

  async take(tokenHash: string, now: number): Promise<NameKey | undefined> {
    const row = this.database.writing(() => this.statements.take.get(tokenHash, now));
    return row === undefined ? undefined : storedNameKey(row.user_key);
  }

  /** Also drops the tokens that have expired (the server calls it every quarter of a token's lifetime), so the table holds only live ones. */
  async extend(tokenHashes: string[], expiresAt: number): Promise<void> {
    const { extend, expire } = this.statements;
    this.database.writing(() => this.database.db.transaction(() => {
      expire.run(Date.now());
      for (const hash of tokenHashes) extend.run(expiresAt, hash);
    })());
  }
}
