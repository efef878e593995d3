/** The SQLite store's schema and its migration from files made by older code. */
import type Database from 'better-sqlite3';
import type { StoredMessage } from '../protocol/messages.js';
import { migrateConversations } from './sqlite-conversations.js';
import { migrateModeration } from './sqlite-moderation.js';
import { deletionOf } from './sqlite-removal.js';
import { migrateReadMarkers } from './sqlite-read-markers.js';
import { RESUME_TOKENS_TABLE } from './sqlite-resume-tokens.js';
import { migrateUsers } from './sqlite-users.js';

/**
 * 2: `groups.owner`, the name key of the account that created the group (NULL for groups made before it).
 * 3: `users.role`, `users.disabled_reason`/`disabled_at` (NULL: enabled), `users.last_login` (see sqlite-users.ts).
 * 4: `groups.topic`/`private`, tables `group_moderators`, `group_invites`, `group_bans` (see sqlite-moderation.ts).
 * 5: `read_markers` (see sqlite-read-markers.ts).
 * 6: `messages.deleted_by`/`deleted_ts` (NULL: not removed; see sqlite-message-deletions.ts).
 * 7: `conversations`, `conversation_sides`, `direct_messages`, `blocks` (see sqlite-conversations.ts).
 * 8: `direct_messages.deleted_by`/`deleted_ts`, as 6 for groups (see sqlite-message-deletions.ts).
 * Unversioned: `resume_tokens` (sqlite-resume-tokens.ts), made when missing; older code never reads it.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    name_key TEXT PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS groups (
    name_key TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0, owner TEXT
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS messages (
    group_key TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL,
    PRIMARY KEY (group_key, seq)
  ) WITHOUT ROWID;
  ${RESUME_TOKENS_TABLE}
`;

/** The names of the table's columns. */
function columnsOf(db: Database.Database, table: 'groups' | 'messages' | 'direct_messages'): string[] {
  return db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all().map((column) => column.name);
}

/** Who removed a message and when (NULL: not removed; sqlite-message-deletions.ts), unless the table has them. */
function addDeletionColumns(db: Database.Database, table: 'messages' | 'direct_messages'): void {
  const columns = columnsOf(db, table);
  if (!columns.includes('deleted_by')) db.exec(`ALTER TABLE ${table} ADD COLUMN deleted_by TEXT`);
  if (!columns.includes('deleted_ts')) db.exec(`ALTER TABLE ${table} ADD COLUMN deleted_ts INTEGER`);
}

/**
 * The steps from one schema version to the next, in order; each brings a file
 * of the version before it up to its own (and does nothing to a fresh file
 * that SCHEMA already made so). A new version is a new step at the end.
 */
const MIGRATIONS: ReadonlyArray<{ version: number; apply: (db: Database.Database) => void }> = [
  {
    version: 2,
    apply: (db) => {
      if (!columnsOf(db, 'groups').includes('owner')) db.exec('ALTER TABLE groups ADD COLUMN owner TEXT');
      db.exec('CREATE INDEX IF NOT EXISTS groups_by_owner ON groups (owner)');
    },
  },
  { version: 3, apply: migrateUsers },
  { version: 4, apply: migrateModeration },
  { version: 5, apply: migrateReadMarkers },
  { version: 6, apply: (db) => addDeletionColumns(db, 'messages') },
  { version: 7, apply: migrateConversations },
  { version: 8, apply: (db) => addDeletionColumns(db, 'direct_messages') },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings a file made by older code up to SCHEMA_VERSION, in one transaction:
 * every step above the file's `user_version`, in order.
 */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec(SCHEMA);
    const from = Number(db.pragma('user_version', { simple: true }));
    for (const step of MIGRATIONS) if (step.version > from) step.apply(db);
    if (from < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

/** What the message queries select, then `WHERE` on `m` (messages) and `g` (its group): a MessageRow. */
export const MESSAGE_COLUMNS = 'g.name AS group_name, m.seq, m.sender, m.text, m.ts, m.deleted_by, m.deleted_ts FROM messages m JOIN groups g ON g.name_key = m.group_key';

/** A stored message as the message queries select it (`deleted_by` NULL: not removed). */
export interface MessageRow { group_name: string; seq: number; sender: string; text: string; ts: number; deleted_by: string | null; deleted_ts: number | null }

export function toMessage(row: MessageRow): StoredMessage {
  return { group: row.group_name, seq: row.seq, from: row.sender, text: row.text, ts: row.ts, ...deletionOf(row) };
}
