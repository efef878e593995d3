/**
 * Retention for the SQLite store: deletes a group's oldest messages in small
 * batches, each one short statement (a read of at most `batch` rows along the
 * primary key, then one ranged DELETE), so no write holds the file for long.
 * Only a prefix of the group's history goes: the kept messages stay
 * contiguous in seq, and `groups.last_seq` is never touched. The first
 * batch that deletes anything starts the WAL checkpointer (sqlite-checkpointer.ts).
 */
import { nameKey as keyOf, type NameKey } from '../protocol/names.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { SqliteGroups } from './sqlite-groups.js';
import type { RetentionPolicy, RetentionStore } from './store.js';

interface SeqRow { seq: number; ts: number }

export class SqliteRetention implements RetentionStore {
  private readonly statements;
  /** Started by the first batch that deletes anything. */
  private checkpointer: SqliteCheckpointer | undefined;

  /** `groups`: its pending appends are committed before the first seq is read. */
  constructor(private readonly database: SqliteDatabase, private readonly groups: Pick<SqliteGroups, 'flush'>) {
    const { db } = database;
    this.statements = {
      lastSeq: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM groups WHERE name_key = ?'),
      oldest: db.prepare<[string, number], SeqRow>('SELECT seq, ts FROM messages WHERE group_key = ? ORDER BY seq LIMIT ?'),
      firstSeq: db.prepare<[string], { seq: number | null }>('SELECT MIN(seq) AS seq FROM messages WHERE group_key = ?'),
      removeUpTo: db.prepare<[string, number]>('DELETE FROM messages WHERE group_key = ? AND seq <= ?'),
    };
  }

  /** The oldest kept seq, last_seq + 1 when none; undefined when there is no such group. */
  async firstSeq(group: string): Promise<number | undefined> {
    this.database.ensureOpen();
    this.groups.flush();
    const groupKey = keyOf(group);
    const row = this.statements.lastSeq.get(groupKey);
    if (row === undefined) return undefined;
    return this.statements.firstSeq.get(groupKey)?.seq ?? row.last_seq + 1;
  }

  /** See RetentionStore.pruneMessages. The oldest rows go while each is beyond the count or the age limit. */
  async pruneMessages(group: string, policy: RetentionPolicy, now: number, batch: number): Promise<number> {
    const removed = this.database.writing(() => this.prune(keyOf(group), policy, now, batch));
    if (removed > 0) (this.checkpointer ??= SqliteCheckpointer.start(this.database.db, this.database.file.path)).request();
    return removed;
  }

  /** Stops the checkpointer, if it ever started. */
  async close(): Promise<void> {
    await this.checkpointer?.close();
  }

  private prune(groupKey: NameKey, policy: RetentionPolicy, now: number, batch: number): number {
    const group = this.statements.lastSeq.get(groupKey);
    if (group === undefined) return 0;
    const end = pruneEnd(this.statements.oldest.iterate(groupKey, batch), group.last_seq, policy, now);
    return end === undefined ? 0 : this.statements.removeUpTo.run(groupKey, end).changes;
  }
}

/**
 * The seq up to which the oldest `rows` (ascending) go: each is beyond the
 * count limit or older than the age limit; undefined when none goes. Seqs are
 * contiguous up to `lastSeq`, so the newest maxMessages are exactly those above
 * `lastSeq - maxMessages`. Also used for conversations (sqlite-conversations.ts).
 */
export function pruneEnd(rows: Iterable<SeqRow>, lastSeq: number, policy: RetentionPolicy, now: number): number | undefined {
  const countCut = policy.maxMessages > 0 ? lastSeq - policy.maxMessages : 0;
  const ageCut = policy.maxAgeMs > 0 ? now - policy.maxAgeMs : Number.NEGATIVE_INFINITY;
  let end: number | undefined;
  for (const row of rows) {
    if (row.seq > countCut && row.ts >= ageCut) break;
    end = row.seq;
  }
  return end;
}
