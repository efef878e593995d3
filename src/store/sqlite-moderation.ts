/**
 * The moderation part of the SQLite store (schema version 4): each group's
 * topic and private flag (columns of `groups`; its owner is `groups.owner`
 * since version 2), and the moderators, invitations and bans of each group
 * in their own tables.
 */
import type Database from 'better-sqlite3';
import { nameKey as keyOf, type NameKey, storedNameKey } from '../protocol/names.js';
import type { GroupBan, GroupSettings, GroupStanding, ModerationStore } from './moderation-store.js';
import type { SqliteDatabase, Writer } from './sqlite-database.js';
import type { SqliteGroups } from './sqlite-groups.js';

/** Schema step 4 (inside the caller's migration transaction); harmless on a file that has it. */
export function migrateModeration(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(groups)').all().map((column) => column.name);
  if (!columns.includes('topic')) db.exec("ALTER TABLE groups ADD COLUMN topic TEXT NOT NULL DEFAULT ''");
  if (!columns.includes('private')) db.exec('ALTER TABLE groups ADD COLUMN private INTEGER NOT NULL DEFAULT 0');
  db.exec(`
    CREATE TABLE IF NOT EXISTS group_moderators (group_key TEXT NOT NULL, user_key TEXT NOT NULL, PRIMARY KEY (group_key, user_key)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS group_invites (group_key TEXT NOT NULL, user_key TEXT NOT NULL, PRIMARY KEY (group_key, user_key)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS group_bans (
      group_key TEXT NOT NULL, user_key TEXT NOT NULL, reason TEXT NOT NULL, banned_by TEXT NOT NULL, banned_at INTEGER NOT NULL,
      PRIMARY KEY (group_key, user_key)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS group_moderators_by_user ON group_moderators (user_key);
    CREATE INDEX IF NOT EXISTS group_invites_by_user ON group_invites (user_key);
  `);
}

interface SettingsRow { name: string; owner: string | null; topic: string; private: number }

function settingsOf(row: SettingsRow): GroupSettings {
  return { name: row.name, ...(row.owner === null ? {} : { ownerKey: storedNameKey(row.owner) }), topic: row.topic, private: row.private === 1 };
}

const SETTINGS_FIELDS = 'name, owner, topic, private FROM groups';

export class SqliteModeration implements ModerationStore {
  private readonly statements;
  private readonly db: Database.Database;
  private readonly writing: Writer;

  /** `groups`: its pending appends are committed before a deletion, and the deleted group's seq counter dropped. */
  constructor(private readonly database: SqliteDatabase, private readonly groups: Pick<SqliteGroups, 'flush' | 'forget'>) {
    const { db } = database;
    this.db = db;
    this.writing = database.writing;
    this.statements = {
      // Always one row (NULLs for a missing group), so that a missing group and a private one cost the same to read (an outsider cannot time them apart).
      settings: db.prepare<[string], SettingsRow | { name: null }>(
        'SELECT g.name, g.owner, g.topic, g.private FROM (SELECT ? AS name_key) wanted LEFT JOIN groups g ON g.name_key = wanted.name_key'),
      allSettings: db.prepare<[], SettingsRow>(`SELECT ${SETTINGS_FIELDS} ORDER BY name_key`),
      openTo: db.prepare<[string, string], { group_key: string }>(`
        SELECT group_key FROM group_moderators WHERE user_key = ? UNION SELECT group_key FROM group_invites WHERE user_key = ?`),
      isModerator: db.prepare<[string, string], { found: number }>('SELECT 1 AS found FROM group_moderators WHERE group_key = ? AND user_key = ?'),
      moderatorsAmong: db.prepare<[string, string], { user_key: string }>(
        'SELECT user_key FROM group_moderators WHERE group_key = ? AND user_key IN (SELECT value FROM json_each(?))'),
      isInvited: db.prepare<[string, string], { found: number }>('SELECT 1 AS found FROM group_invites WHERE group_key = ? AND user_key = ?'),
      ban: db.prepare<[string, string], { reason: string; banned_by: string; banned_at: number }>(
        'SELECT reason, banned_by, banned_at FROM group_bans WHERE group_key = ? AND user_key = ?'),
      exists: db.prepare<[string], { found: number }>('SELECT 1 AS found FROM groups WHERE name_key = ?'),
      setTopic: db.prepare<[string, string]>('UPDATE groups SET topic = ? WHERE name_key = ?'),
      addModerator: db.prepare<[string, string]>('INSERT OR IGNORE INTO group_moderators VALUES (?, ?)'),
      removeModerator: db.prepare<[string, string]>('DELETE FROM group_moderators WHERE group_key = ? AND user_key = ?'),
      addInvite: db.prepare<[string, string]>('INSERT OR IGNORE INTO group_invites VALUES (?, ?)'),
      removeInvite: db.prepare<[string, string]>('DELETE FROM group_invites WHERE group_key = ? AND user_key = ?'),
      putBan: db.prepare<[string, string, string, string, number]>('INSERT OR REPLACE INTO group_bans VALUES (?, ?, ?, ?, ?)'),
      removeBan: db.prepare<[string, string]>('DELETE FROM group_bans WHERE group_key = ? AND user_key = ?'),
      groupName: db.prepare<[string], { name: string }>('SELECT name FROM groups WHERE name_key = ?'),
      deletions: ['messages', 'group_moderators', 'group_invites', 'group_bans', 'read_markers'].map((table) => db.prepare<[string]>(`DELETE FROM ${table} WHERE group_key = ?`)),
      deleteGroup: db.prepare<[string]>('DELETE FROM groups WHERE name_key = ?'),
    };
  }

  async groupSettings(group: string): Promise<GroupSettings | undefined> {
    this.database.ensureOpen();
    const row = this.statements.settings.get(keyOf(group));
    return row === undefined || row.name === null ? undefined : settingsOf(row);
  }

  async listGroupSettings(): Promise<GroupSettings[]> {
    this.database.ensureOpen();
    return this.statements.allSettings.all().map(settingsOf);
  }

  async privateGroupsOpenTo(user: string): Promise<Set<NameKey>> {
    this.database.ensureOpen();
    const key = keyOf(user);
    return new Set(this.statements.openTo.all(key, key).map((row) => storedNameKey(row.group_key)));
  }

  async standing(group: string, user: string): Promise<GroupStanding> {
    this.database.ensureOpen();
    const keys: [string, string] = [keyOf(group), keyOf(user)];
    const ban = this.statements.ban.get(...keys);
    return {
      moderator: this.statements.isModerator.get(...keys) !== undefined,
      invited: this.statements.isInvited.get(...keys) !== undefined,
      ...(ban === undefined ? {} : { ban: { reason: ban.reason, by: ban.banned_by, at: ban.banned_at } }),
    };
  }

  async moderatorsAmong(group: string, users: readonly string[]): Promise<Set<NameKey>> {
    this.database.ensureOpen();
    if (users.length === 0) return new Set();
    return new Set(this.statements.moderatorsAmong.all(keyOf(group), JSON.stringify(users.map(keyOf))).map((row) => storedNameKey(row.user_key)));
  }

  async setTopic(group: string, topic: string): Promise<boolean> {
    return this.writing(() => this.statements.setTopic.run(topic, keyOf(group)).changes === 1);
  }

  async setModerator(group: string, user: string, moderator: boolean): Promise<boolean> {
    return this.ifGroup(group, (groupKey) => (moderator ? this.statements.addModerator : this.statements.removeModerator).run(groupKey, keyOf(user)));
  }

  async setInvited(group: string, user: string, invited: boolean): Promise<boolean> {
    return this.ifGroup(group, (groupKey) => (invited ? this.statements.addInvite : this.statements.removeInvite).run(groupKey, keyOf(user)));
  }

  async setBan(group: string, user: string, ban: GroupBan | undefined): Promise<boolean> {
    return this.ifGroup(group, (groupKey) => (ban === undefined
      ? this.statements.removeBan.run(groupKey, keyOf(user))
      : this.statements.putBan.run(groupKey, keyOf(user), ban.reason, ban.by, ban.at)));
  }

  /**
   * The group, its messages, its moderation rows and its read markers, in one transaction; its name as first written, or undefined when there was none.
   * Commits what is pending first, so no append of the group lands after its deletion.
   */
  async deleteGroup(group: string, _by: string): Promise<string | undefined> {
    this.database.ensureOpen();
    this.groups.flush();
    const groupKey = keyOf(group);
    const name = this.writing(() => this.db.transaction(() => {
      const row = this.statements.groupName.get(groupKey);
      if (row === undefined) return undefined;
      for (const deletion of this.statements.deletions) deletion.run(groupKey);
      this.statements.deleteGroup.run(groupKey);
      return row.name;
    }).immediate());
    this.groups.forget(groupKey);
    return name;
  }

  /** Runs `change` when the group exists, in one immediate transaction (another process, the admin command, may delete it). */
  private ifGroup(group: string, change: (groupKey: NameKey) => unknown): boolean {
    const groupKey = keyOf(group);
    return this.writing(() => this.db.transaction(() => {
      if (this.statements.exists.get(groupKey) === undefined) return false;
      change(groupKey);
      return true;
    }).immediate());
  }
}
