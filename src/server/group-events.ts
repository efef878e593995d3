/** What a group event (topic, kick, deletion, role, a removed message) does to one node's connections in the group; the hub finds them. */
import type { GroupEvent } from '../cluster/group-event.js';
import { assertNever } from '../protocol/errors.js';
import type { FrameEncoder } from '../protocol/frame.js';
import type { GroupNotice } from '../protocol/messages.js';
import type { HubMember } from './hub-member.js';
import type { NameKey } from '../protocol/names.js';

export interface GroupConnections {
  /** This node's connections in the group (of one user when `userKey` is given), as a copy: removals change the hub's tables. */
  members(userKey?: NameKey): HubMember[];
  /** Keeps a frame for the joins of the group under way (sent after their reply). */
  holdForJoins(frame: Buffer): void;
  /** The joins of the group under way (of one user when `userKey` is given) are undone right after their reply, with `notice`. */
  revokeJoins(notice: GroupNotice, userKey?: NameKey): void;
}

export function applyGroupEvent(event: GroupEvent, here: GroupConnections, encoder: FrameEncoder, userKey: (name: string) => NameKey): void {
  switch (event.kind) {
    case 'topic': {
      const frame = encoder.encode({ type: 'topic', group: event.group, topic: event.topic, by: event.by });
      for (const member of here.members()) member.sendFrame(frame);
      // A join under way may have read the topic before the change.
      here.holdForJoins(frame);
      return;
    }
    case 'kicked': {
      const notice: GroupNotice = {
        type: 'kicked', group: event.group, by: event.by, ...(event.reason === undefined ? {} : { reason: event.reason }), banned: event.banned,
      };
      for (const member of here.members(userKey(event.user))) member.removeFromGroup(event.group, notice);
      here.revokeJoins(notice, userKey(event.user));
      return;
    }
    case 'role': {
      const frame = encoder.encode({ type: 'role', group: event.group, user: event.user, role: event.role, by: event.by });
      for (const member of here.members()) member.sendFrame(frame);
      // A join under way may have read the role before the change.
      here.holdForJoins(frame);
      return;
    }
    case 'message_deleted': {
      const frame = encoder.encode({ type: 'message_deleted', group: event.group, seq: event.seq, by: event.by });
      for (const member of here.members()) member.sendFrame(frame);
      // A join under way may have read the message before its removal.
      here.holdForJoins(frame);
      return;
    }
    case 'deleted': {
      const notice: GroupNotice = { type: 'group_deleted', group: event.group, by: event.by };
      for (const member of here.members()) member.removeFromGroup(event.group, notice);
      here.revokeJoins(notice);
      return;
    }
    default: assertNever(event);
  }
}
