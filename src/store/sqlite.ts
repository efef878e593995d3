/**
 * The embedded store: SQLite through better-sqlite3, in WAL mode. One
 * database, shared by one object per concern (store.ts):
 * sqlite-users.ts, sqlite-groups.ts (appends batched per event-loop turn),
 * sqlite-moderation.ts, sqlite-read-markers.ts, sqlite-retention.ts,
 * sqlite-message-deletions.ts, sqlite-conversations.ts, sqlite-blocks.ts,
 * sqlite-resume-tokens.ts.
 *
 * `synchronous = NORMAL` keeps every commit across a crash of the process
 * (kill -9); a power loss may lose the last commits. `synchronous: 'full'`
 * closes that gap at the cost of an fsync per batch.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteBlocks } from './sqlite-blocks.js';
import { SqliteConversations } from './sqlite-conversations.js';
import { SqliteDatabase } from './sqlite-database.js';
import { DatabaseFile } from './sqlite-file.js';
import { SqliteGroups } from './sqlite-groups.js';
import { SqliteMessageDeletions } from './sqlite-message-deletions.js';
import { SqliteModeration } from './sqlite-moderation.js';
import { SqliteReadMarkers } from './sqlite-read-markers.js';
import { SqliteResumeTokens } from './sqlite-resume-tokens.js';
import { SqliteRetention } from './sqlite-retention.js';
import { migrate } from './sqlite-schema.js';
import { SqliteUsers } from './sqlite-users.js';
import type { Store, StoreHealth } from './store.js';

export interface SqliteStoreOptions {
  synchronous?: 'normal' | 'full';
  /** Told, once per episode, when storing fails for a reason beneath the store (see sqlite-file.ts). */
  onFailure?: (reason: string) => void;
  /** Told how long each batch commit took, in seconds (metrics). */
  onCommit?: (seconds: number) => void;
}

/** The database's file name inside the data folder. */
export const DATABASE_FILE = 'termsender.db';

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  /** An embedded file has no connection to lose. */
  readonly connected = true;
  readonly accounts: SqliteUsers;
  readonly groups: SqliteGroups;
  readonly moderation: SqliteModeration;
  readonly markers: SqliteReadMarkers;
  readonly retention: SqliteRetention;
  readonly deletions: SqliteMessageDeletions;
  readonly conversations: SqliteConversations;
  readonly blocks: SqliteBlocks;
  readonly resumeTokens: SqliteResumeTokens;

  private constructor(private readonly database: SqliteDatabase, onCommit?: (seconds: number) => void) {
    migrate(database.db);
    this.accounts = new SqliteUsers(database);
    this.groups = new SqliteGroups(database, onCommit);
    this.moderation = new SqliteModeration(database, this.groups);
    this.markers = new SqliteReadMarkers(database, this.groups);
    this.retention = new SqliteRetention(database, this.groups);
    this.deletions = new SqliteMessageDeletions(database, this.groups);
    this.conversations = new SqliteConversations(database);
    this.blocks = new SqliteBlocks(database);
    this.resumeTokens = new SqliteResumeTokens(database);
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
    return new SqliteStore(new SqliteDatabase(db, new DatabaseFile(file), options.onFailure ?? (() => undefined)), options.onCommit);
  }

  /** A recorded storage failure or a lost file; no ping (the file is local). */
  async health(): Promise<StoreHealth> {
    const problem = this.database.failure;
    return problem === undefined ? {} : { problem };
  }

  /** SQLite's `data_version`: moves at each commit of another connection to the file. */
  async changeMark(): Promise<number> {
    this.database.ensureOpen();
    return Number(this.database.db.pragma('data_version', { simple: true }));
  }

  async close(): Promise<void> {
    if (this.database.isClosed) return;
    this.groups.flush();
    this.database.markClosed();
    await this.retention.close();
    this.database.release();
  }
}
