/**
 * SQLite schemas exactly as older code wrote them, for the migration tests:
 * a test creates a file with one, fills it, and starts the real server on it.
 */

/** Version 2: groups with owners; accounts without roles. */
export const SCHEMA_V2 = `
  CREATE TABLE users (name_key TEXT PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE groups (name_key TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0, owner TEXT) WITHOUT ROWID;
  CREATE TABLE messages (group_key TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL,
    PRIMARY KEY (group_key, seq)) WITHOUT ROWID;
  CREATE INDEX groups_by_owner ON groups (owner);
  PRAGMA user_version = 2;
`;

/** Version 3: account roles, disabled accounts, last login (before moderation and read markers). */
export const SCHEMA_V3 = `
  CREATE TABLE users (name_key TEXT PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL,
    role TEXT NOT NULL DEFAULT 'user', disabled_reason TEXT, disabled_at INTEGER, last_login INTEGER) WITHOUT ROWID;
  CREATE TABLE groups (name_key TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0, owner TEXT) WITHOUT ROWID;
  CREATE TABLE messages (group_key TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL,
    PRIMARY KEY (group_key, seq)) WITHOUT ROWID;
  CREATE INDEX groups_by_owner ON groups (owner);
  PRAGMA user_version = 3;
`;
