/** What the hub, and the modules it hands connections to, need of a connection. */
import type { ProtocolError } from '../protocol/errors.js';
import type { GroupNotice, PresenceMessage } from '../protocol/messages.js';

export interface HubMember {
  /** Unique on this node; with the node id, names the sender of a message cluster-wide. */
  readonly connectionId: number;
  sendFrame(frame: Buffer): void;
  /** Sends one `error`; closes when the code is fatal. */
  fail(error: ProtocolError): void;
  /** When the connection is in `group`: sends `notice` and moves to GROUP_SELECT (kicked, banned, group deleted). */
  removeFromGroup(group: string, notice: GroupNotice): void;
}

/** What a presence `leave` caused by a kick or ban adds (January additions): who, why when given, for good or not. */
export type Removal = Pick<PresenceMessage, 'by' | 'reason' | 'banned'>;

/** The Removal a group notice stands for: a kick or ban (an uninvite included) says who and why; a deletion nothing. */
export function removalOf(notice: GroupNotice): Removal | undefined {
  if (notice.type !== 'kicked') return undefined;
  return { by: notice.by, ...(notice.reason === undefined ? {} : { reason: notice.reason }), banned: notice.banned };
}
