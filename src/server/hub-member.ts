/** What the hub, and the modules it hands connections to, need of a connection. */
import type { ProtocolError } from '../protocol/errors.js';
import type { GroupNotice } from '../protocol/messages.js';

export interface HubMember {
  /** Unique on this node; with the node id, names the sender of a message cluster-wide. */
  readonly connectionId: number;
  sendFrame(frame: Buffer): void;
  /** Sends one `error`; closes when the code is fatal. */
  fail(error: ProtocolError): void;
  /** When the connection is in `group`: sends `notice` and moves to GROUP_SELECT (kicked, banned, group deleted). */
  removeFromGroup(group: string, notice: GroupNotice): void;
}
