/** The removal columns that `messages` (schema 6) and `direct_messages` (schema 8) share, read back (sqlite-message-deletions.ts writes them). */
import type { MessageDeletion } from '../protocol/messages.js';

/** A removed message's `deleted`, from its row's `deleted_by` and `deleted_ts` (NULL: not removed). */
export function deletionOf(row: { deleted_by: string | null; deleted_ts: number | null }): { deleted?: MessageDeletion } {
  return row.deleted_by === null ? {} : { deleted: { by: row.deleted_by, ts: row.deleted_ts ?? 0 } };
}
