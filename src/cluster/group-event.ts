/**
 * A moderation effect on a group's live members, carried to every node: a
 * new topic (to the group's members), a kick or ban (the user's connections
 * in the group move to GROUP_SELECT), a deletion (every member moves out),
 * a new role (`role`, January addition: to every member, the target included),
 * a removed message (`message_deleted`, January addition: to every member).
 */
import { isPlainObject } from '../protocol/frame.js';
import type { GroupRoleName } from '../protocol/messages.js';

export type GroupEvent =
  | { kind: 'topic'; group: string; topic: string; by: string }
  /** `shutOut`: an uninvite from a private group (the user no longer sees it; like `banned`, its read marker is gone). */
  | { kind: 'kicked'; group: string; user: string; by: string; reason?: string; banned: boolean; shutOut?: boolean }
  | { kind: 'deleted'; group: string; by: string }
  | { kind: 'role'; group: string; user: string; role: GroupRoleName; by: string }
  | { kind: 'message_deleted'; group: string; seq: number; by: string };

/** A group event as another node (or the Redis store) sent it; undefined when it is not one. */
export function parseGroupEvent(value: unknown): GroupEvent | undefined {
  if (!isPlainObject(value)) return undefined;
  const { kind, group, by } = value;
  if (typeof group !== 'string' || typeof by !== 'string') return undefined;
  switch (kind) {
    case 'topic':
      return typeof value['topic'] === 'string' ? { kind, group, by, topic: value['topic'] } : undefined;
    case 'kicked': {
      const { user, reason, banned, shutOut } = value;
      if (typeof user !== 'string' || typeof banned !== 'boolean') return undefined;
      return { kind, group, user, by, banned, ...(typeof reason === 'string' ? { reason } : {}), ...(shutOut === true ? { shutOut } : {}) };
    }
    case 'deleted':
      return { kind, group, by };
    case 'role': {
      const { user, role } = value;
      if (typeof user !== 'string' || (role !== 'moderator' && role !== 'member')) return undefined;
      return { kind, group, user, role, by };
    }
    case 'message_deleted': {
      const { seq } = value;
      return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1 ? { kind, group, seq, by } : undefined;
    }
    default:
      return undefined;
  }
}
