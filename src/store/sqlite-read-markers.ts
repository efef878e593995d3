/**
 * Read markers in the SQLite store: the `read_markers` table (schema
 * version 5) and the statements on it.
 */
import type Database from 'better-sqlite3';
import { nameKey as keyOf, type NameKey, storedNameKey } from '../protocol/names.js';
import type { ReadMarkerStore } from './read-markers.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { SqliteGroups } from './sqlite-groups.js';

/** The schema version that added `read_markers`. */
export const READ_MARKERS_VERSION = 5;

/**
 * An ordered migration step: a file older than version 5 gets the table
 * (inside the caller's migration transaction, before it sets user_version).
 */
export function migrateReadMarkers(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= READ_MARKERS_VERSION) return;
  db.exec(`CREATE TABLE IF NOT EXISTS read_markers (
    user_key TEXT NOT NULL, group_key TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (user_key, group_key)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS read_markers_by_group ON read_markers (group_key)`);
}

export class SqliteReadMarkers implements ReadMarkerStore {
  private readonly statements;

  /** `groups`: the seqs handed out but not committed yet count too (see `lastSeqs`). */
  constructor(private readonly database: SqliteDatabase, private readonly groups: Pick<SqliteGroups, 'handedOut'>) {
    const { db } = database;
    this.statements = {
      // Only for a group that exists and does not ban the account (a join that raced a deletion or a ban).
      insert: db.prepare<[{ user: string; group: string; seq: number }]>(`INSERT OR IGNORE INTO read_markers (user_key, group_key, seq)
        SELECT @user, @group, @seq WHERE EXISTS (SELECT 1 FROM groups WHERE name_key = @group)
        AND NOT EXISTS (SELECT 1 FROM group_bans WHERE group_key = @group AND user_key = @user)`),
      drop: db.prepare<[string, string]>('DELETE FROM read_markers WHERE user_key = ? AND group_key = ?'),
      forward: db.prepare<[number, string, string]>('UPDATE read_markers SET seq = MAX(seq, ?) WHERE user_key = ? AND group_key = ?'),
      one: db.prepare<[string, string], { seq: number }>('SELECT seq FROM read_markers WHERE user_key = ? AND group_key = ?'),
      all: db.prepare<[string], { group_key: string; seq: number }>('SELECT group_key, seq FROM read_markers WHERE user_key = ?'),
      lastSeqs: db.prepare<[], { name_key: string; last_seq: number }>('SELECT name_key, last_seq FROM groups'),
    };
  }

  async recordJoin(user: string, group: string, seq: number): Promise<number> {
    const userKey = keyOf(user);
    const groupKey = keyOf(group);
    this.database.writing(() => this.statements.insert.run({ user: userKey, group: groupKey, seq }));
    return this.statements.one.get(userKey, groupKey)?.seq ?? seq;
  }

  /** An UPDATE counts the row it matched even when MAX leaves the seq as it was. */
  async markRead(user: string, group: string, seq: number): Promise<boolean> {
    return this.database.writing(() => this.statements.forward.run(seq, keyOf(user), keyOf(group)).changes === 1);
  }

  async dropMarker(user: string, group: string): Promise<void> {
    this.database.writing(() => this.statements.drop.run(keyOf(user), keyOf(group)));
  }

  async readMarker(user: string, group: string): Promise<number | undefined> {
    this.database.ensureOpen();
    return this.statements.one.get(keyOf(user), keyOf(group))?.seq;
  }

  async readMarkers(user: string): Promise<Map<NameKey, number>> {
    this.database.ensureOpen();
    return new Map(this.statements.all.all(keyOf(user)).map((row) => [storedNameKey(row.group_key), row.seq]));
  }

  /** Counts seqs handed out, including appends about to commit in this turn (as `findGroup` does). */
  async lastSeqs(groups: string[]): Promise<number[]> {
    this.database.ensureOpen();
    const committed = new Map(this.statements.lastSeqs.all().map((row) => [row.name_key, row.last_seq]));
    return groups.map((name) => {
      const key = keyOf(name);
      return this.groups.handedOut(key) ?? committed.get(key) ?? 0;
    });
  }
}
