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
}

export class PendingJoins {
  private readonly joins = new Map<HubMember, PendingJoin>();

  /** Keeps live frames of the group for `member` until `take` or the returned release. */
  hold(member: HubMember, groupKey: NameKey): () => void {
    const joining: PendingJoin = { groupKey, frames: [] };
    this.joins.set(member, joining);
    return () => {
      if (this.joins.get(member) === joining) this.joins.delete(member);
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

  /** The joins of the group under way (of `only` these connections when given) are undone after their reply, with `notice`. */
  revoke(groupKey: NameKey, notice: GroupNotice, only?: ReadonlyMap<HubMember, unknown>): void {
    for (const [member, joining] of this.joins) if (joining.groupKey === groupKey && (only === undefined || only.has(member))) joining.revoked = notice;
  }
}
