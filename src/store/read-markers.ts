/**
 * Per-account read markers (December additions): how far an account has read
 * in each group it has joined. A marker exists from the account's first join
 * on; it only moves forward. Both stores keep them with the same semantics.
 * Group and user names are taken in any case (stored under their name keys).
 */
import type { NameKey } from '../protocol/names.js';
export interface ReadMarkerStore {
  /**
   * The account joined the group: its marker starts at `seq` unless it has
   * one already (a later join leaves it where it is). Resolves with the marker.
   * No marker is made for a group that does not exist or that bans the account
   * (a join that raced a deletion or a ban leaves nothing behind).
   */
  recordJoin(user: string, group: string, seq: number): Promise<number>;
  /**
   * Moves the account's marker in the group forward to `seq` (never back).
   * False when the account never joined the group (it has no marker).
   */
  markRead(user: string, group: string, seq: number): Promise<boolean>;
  /**
   * Removes the account's marker in the group (ban, uninvite): it starts again
   * as at a first join. A group's deletion removes every marker of the group.
   */
  dropMarker(user: string, group: string): Promise<void>;
  /** The account's marker in the group; undefined when it never joined it. */
  readMarker(user: string, group: string): Promise<number | undefined>;
  /** Every marker of the account, by group name key (one query). */
  readMarkers(user: string): Promise<Map<NameKey, number>>;
  /** The groups' last seqs, in the order given (0 for a group that does not exist; one query). */
  lastSeqs(groups: string[]): Promise<number[]>;
}

/** Messages after `marker` up to `lastSeq` (never negative: a marker past a re-created group's seq counts nothing). */
export function unreadCount(lastSeq: number, marker: number): number {
  return Math.max(0, lastSeq - marker);
}
