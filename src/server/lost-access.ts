/**
 * A user shut out of a private group (uninvited, or no longer an admin) or
 * banned: its read marker goes (no `activity`, `last_seq` or `unread` for the
 * group; a later join starts it again), and its live connections in the
 * group, on every node, get `kicked` and are back in GROUP_SELECT.
 */
import { errorMessage } from '../protocol/errors.js';
import type { GroupEvent } from '../cluster/group-event.js';
import type { ServerContext } from './context.js';

/** Reason given to a member of a private group removed by `uninvite`. */
export const UNINVITED_REASON = 'no longer invited';
/** Reason given to a member of a private group that is no longer open to it (an admin made `user` by the admin command). */
export const CLOSED_REASON = 'this private group is no longer open to you';
/** `by` of what the admin command did (it has no account). */
export const ADMIN_COMMAND = 'admin';

/** Best effort: the ban or shut-out is done whatever happens here, and activity also stops on the group event. */
export async function dropMarker(context: Pick<ServerContext, 'store' | 'logger'>, user: string, group: string): Promise<void> {
  try {
    await context.store.dropMarker(user, group);
  } catch (error) {
    context.logger.warn('could not drop the read marker', { user, group, reason: errorMessage(error) });
  }
}

/** Drops the user's marker of the group; returns the event that takes its connections out (for a Step, or `hub.groupEvent`). */
export async function shutOut(context: Pick<ServerContext, 'store' | 'logger'>, group: string, user: string, by: string, reason: string): Promise<GroupEvent> {
  await dropMarker(context, user, group);
  return { kind: 'kicked', group, user, by, reason, banned: false, shutOut: true };
}
