/**
 * `termsender-admin backup FILE`: a consistent copy of the SQLite database,
 * also while a server writes to it. SQLite's online backup (better-sqlite3's
 * `db.backup()`) copies the pages of one read snapshot, which this
 * connection holds open for the whole copy, so the copy is the database as
 * it was at one instant, whatever the server commits meanwhile (a file copy
 * of a live WAL database may not even open). Then the copy is opened and its
 * counts compared with the snapshot's; only then does it take FILE's name.
 */
import { chmodSync, closeSync, existsSync, openSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage } from '../protocol/errors.js';
import { DATABASE_FILE } from '../store/sqlite.js';
import { AdminFailure, type AdminOutput } from './admin-actions.js';

/** What a backup holds, counted in the snapshot it copied and again in the copy. */
export interface BackupCounts {
  users: number;
  groups: number;
  messages: number;
}

function counts(db: Database.Database): BackupCounts {
  const count = (table: string): number => (db.prepare(`SELECT COUNT(*) AS count FROM ${table}`).get() as { count: number }).count;
  return { users: count('users'), groups: count('groups'), messages: count('messages') };
}

function describe(copied: BackupCounts): string {
  return `${copied.users} users, ${copied.groups} groups, ${copied.messages} messages`;
}

/** Copies `dataDir`'s database to `file` (mode 0600), refusing to replace an existing `file` unless `force`. */
export async function backupDatabase(dataDir: string, file: string, force: boolean): Promise<AdminOutput> {
  if (existsSync(file) && !force) throw new AdminFailure(`${file} exists; give --force to replace it`);
  const source = new Database(path.join(dataDir, DATABASE_FILE), { fileMustExist: true });
  const partial = `${file}.partial-${process.pid}`;
  const started = Date.now();
  try {
    source.pragma('busy_timeout = 5000');
    // Owner-only from the start: the copy holds password hashes.
    closeSync(openSync(partial, 'wx', 0o600));
    // One read transaction around the counts and the copy: both see the same snapshot.
    source.exec('BEGIN');
    const expected = counts(source);
    await source.backup(partial);
    source.exec('COMMIT');
    const copy = new Database(partial, { fileMustExist: true });
    let found: BackupCounts;
    try {
      // One self-contained file (the copy came in WAL mode, the source's); a server opening it turns WAL on again.
      copy.pragma('journal_mode = DELETE');
      found = counts(copy);
    } finally {
      copy.close();
    }
    if (describe(found) !== describe(expected)) throw new AdminFailure(`the copy does not match: it holds ${describe(found)}, the database held ${describe(expected)}`);
    chmodSync(partial, 0o600);
    renameSync(partial, file);
    const seconds = (Date.now() - started) / 1000;
    return {
      lines: [`backup of ${path.join(dataDir, DATABASE_FILE)} in ${file}: ${describe(found)}, checked (${seconds.toFixed(1)} s)`],
      json: { file, ...found, seconds },
    };
  } catch (error) {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(leftover, { force: true });
    if (error instanceof AdminFailure) throw error;
    throw new AdminFailure(`backup to ${file} failed: ${errorMessage(error)}`, { cause: error });
  } finally {
    if (source.inTransaction) source.exec('ROLLBACK');
    source.close();
  }
}
