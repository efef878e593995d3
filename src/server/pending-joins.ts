/**
 * Joins under way: from the moment a join reads its group's history until
 * its reply is out, the group's live frames are kept for it (handed over
 * after the reply, those it lacks), and a kick, ban or deletion meanwhile
 * is noted, to be applied right after the reply.
 */
import type { GroupNotice } from '../protocol/messages.js';
import type { HubMember } from './hub-member.js';
import type { NameKey } from '../protocol/names.js';

/** A join under way: live messages for the group are kept until the reply is out. */
export interface PendingJoin {
  groupKey: NameKey;
  frames: Array<{ frame: Buffer; seq: number }>;
  /** Kicked, banned or deleted while the join was under way: applied right after the join's reply. */
  revoked?: GroupNotice;
  /** A re-join of a group the connection is in: the seq it held before (its live messages are held meanwhile). */
  seenBefore?: number;
}

export class PendingJoins {
  private readonly joins = new Map<HubMember, PendingJoin>();

  /** Keeps live frames of the group for `member` until `take` or the returned release (which returns the join when it was still under way). */
  hold(member: HubMember, groupKey: NameKey, seenBefore?: number): () => PendingJoin | undefined {
    const joining: PendingJoin = { groupKey, frames: [], ...(seenBefore === undefined ? {} : { seenBefore }) };
    this.joins.set(member, joining);
    return () => {
      if (this.joins.get(member) !== joining) return undefined;
      this.joins.delete(member);
      return joining;
    };
  }

  /** Ends `member`'s join, if one was under way, and returns it. */
  take(member: HubMember): PendingJoin | undefined {
    const joining = this.joins.get(member);
    this.joins.delete(member);
    return joining;
  }

  /** A frame of the group (`seq` 0 for anything but a message), for every join under way but `sender`'s. */
  keep(groupKey: NameKey, frame: Buffer, seq: number, sender?: HubMember): void {
    for (const [member, joining] of this.joins) {
      if (joining.groupKey === groupKey && member !== sender) joining.frames.push({ frame, seq });
    }
  }

  /**
   * The joins of the group under way are undone after their reply, with
   * `notice`: every one (`only` absent: the group was deleted), or those of
   * `only` these connections (a user's: none when it has no connection here).
   */
  revoke(groupKey: NameKey, notice: GroupNotice, only?: ReadonlyMap<HubMember, unknown>): void {
    for (const [member, joining] of this.joins) if (joining.groupKey === groupKey && (only === undefined || only.has(member))) joining.revoked = notice;
  }
}
