/**
 * The accounts of the SQLite store (and the groups report of the admin command): the `users` table, its schema-3 columns (role,
 * disabled_reason/disabled_at, last_login) and the statements on it.
 */
import type Database from 'better-sqlite3';
import type { AccountRole } from '../protocol/messages.js';
import { nameKey as keyOf, type NameKey, storedNameKey } from '../protocol/names.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { REVOKE_RESUME_TOKENS } from './sqlite-resume-tokens.js';
import type { AccountStore, Disabled, GroupReport, UserRecord, UserSummary } from './store.js';

/** Columns schema version 3 added to `users`, with their definitions. */
const USER_COLUMNS_V3: ReadonlyArray<[string, string]> = [
  ['role', "TEXT NOT NULL DEFAULT 'user'"],
  ['disabled_reason', 'TEXT'],
  ['disabled_at', 'INTEGER'],
  ['last_login', 'INTEGER'],
];

/** Adds the schema-3 columns that `users` lacks (inside the caller's migration transaction). */
export function migrateUsers(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(users)').all().map((column) => column.name);
  for (const [name, definition] of USER_COLUMNS_V3) {
    if (!columns.includes(name)) db.exec(`ALTER TABLE users ADD COLUMN ${name} ${definition}`);
  }
}

interface UserRow {
  name: string;
  password_hash: string;
  role: string;
  disabled_reason: string | null;
  disabled_at: number | null;
  created_at: number;
  last_login: number | null;
}

function roleOf(value: string): AccountRole {
  return value === 'admin' ? 'admin' : 'user';
}

function disabledOf(row: UserRow): { disabled?: Disabled } {
  return row.disabled_at === null ? {} : { disabled: { reason: row.disabled_reason ?? '', at: row.disabled_at } };
}

const USER_FIELDS = 'name, password_hash, role, disabled_reason, disabled_at, created_at, last_login';

export class SqliteUsers implements AccountStore {
  private readonly statements;

  constructor(private readonly database: SqliteDatabase) {
    const { db } = database;
    this.statements = {
      insert: db.prepare<[string, string, string, number]>('INSERT OR IGNORE INTO users (name_key, name, password_hash, created_at) VALUES (?, ?, ?, ?)'),
      find: db.prepare<[string], UserRow>(`SELECT ${USER_FIELDS} FROM users WHERE name_key = ?`),
      adminsAmong: db.prepare<[string], { name_key: string }>("SELECT name_key FROM users WHERE name_key IN (SELECT value FROM json_each(?)) AND role = 'admin'"),
      list: db.prepare<[], UserRow>(`SELECT ${USER_FIELDS} FROM users ORDER BY name_key`),
      setHash: db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE name_key = ?'),
      setRole: db.prepare<[string, string]>('UPDATE users SET role = ? WHERE name_key = ?'),
      setDisabled: db.prepare<[string | null, number | null, string]>('UPDATE users SET disabled_reason = ?, disabled_at = ? WHERE name_key = ?'),
      setLastLogin: db.prepare<[number, string]>('UPDATE users SET last_login = ? WHERE name_key = ?'),
      revokeTokens: db.prepare<[string]>(REVOKE_RESUME_TOKENS),
    };
  }

  async createUser(name: string, passwordHash: string): Promise<UserRecord | undefined> {
    const inserted = this.database.writing(() => this.statements.insert.run(keyOf(name), name, passwordHash, Date.now()).changes === 1);
    return inserted ? { name, passwordHash, role: 'user' } : undefined;
  }

  async findUser(name: string): Promise<UserRecord | undefined> {
    this.database.ensureOpen();
    const row = this.statements.find.get(keyOf(name));
    return row === undefined ? undefined : { name: row.name, passwordHash: row.password_hash, role: roleOf(row.role), ...disabledOf(row) };
  }

  async adminsAmong(names: readonly string[]): Promise<Set<NameKey>> {
    this.database.ensureOpen();
    if (names.length === 0) return new Set();
    return new Set(this.statements.adminsAmong.all(JSON.stringify(names.map(keyOf))).map((row) => storedNameKey(row.name_key)));
  }

  async listUsers(): Promise<UserSummary[]> {
    this.database.ensureOpen();
    return this.statements.list.all().map((row) => ({
      name: row.name, role: roleOf(row.role), createdAt: row.created_at,
      ...(row.last_login === null ? {} : { lastLogin: row.last_login }), ...disabledOf(row),
    }));
  }

  /** Also ends the account's resume tokens. */
  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    const { setHash, revokeTokens } = this.statements;
    return this.database.writing(() => this.database.db.transaction(() => {
      revokeTokens.run(keyOf(name));
      return setHash.run(passwordHash, keyOf(name)).changes === 1;
    })());
  }

  async setRole(name: string, role: AccountRole): Promise<boolean> {
    return this.database.writing(() => this.statements.setRole.run(role, keyOf(name)).changes === 1);
  }

  /** Disabling also ends the account's resume tokens. */
  async setDisabled(name: string, disabled: Disabled | undefined): Promise<boolean> {
    const { setDisabled, revokeTokens } = this.statements;
    return this.database.writing(() => this.database.db.transaction(() => {
      if (disabled !== undefined) revokeTokens.run(keyOf(name));
      return setDisabled.run(disabled?.reason ?? null, disabled?.at ?? null, keyOf(name)).changes === 1;
    })());
  }

  async recordLogin(name: string, at: number): Promise<void> {
    this.database.writing(() => this.statements.setLastLogin.run(at, keyOf(name)));
  }
}

interface GroupReportRow { name: string; owner: string | null; private: number; messages: number; last_ts: number | null }

/** Every group with its owner's display name, message count and newest message's time (admin command; not a hot path). */
export function groupReports(db: Database.Database): GroupReport[] {
  const rows = db.prepare<[], GroupReportRow>(`
    SELECT g.name, COALESCE(u.name, g.owner) AS owner, g.private, COUNT(m.seq) AS messages, MAX(m.ts) AS last_ts
    FROM groups g LEFT JOIN users u ON u.name_key = g.owner LEFT JOIN messages m ON m.group_key = g.name_key
    GROUP BY g.name_key ORDER BY g.name_key`).all();
  return rows.map((row) => ({
    name: row.name, messages: row.messages, private: row.private === 1,
    ...(row.owner === null ? {} : { owner: row.owner }), ...(row.last_ts === null ? {} : { lastActivity: row.last_ts }),
  }));
}
