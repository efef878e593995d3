/**
 * Read markers (December additions): `mark_read`, what `list_groups` adds to
 * each entry (`last_seq`, `unread`), and the join that starts a marker.
 * Markers live in the store, so every connection and node of an account sees
 * the same one.
 */
import { errorMessage, ProtocolError } from '../../protocol/errors.js';
import type { MarkReadRequest } from '../../protocol/messages.js';
import { nameKey } from '../../protocol/names.js';
import { unreadCount } from '../../store/read-markers.js';
import type { Handler, ServerContext } from '../context.js';
import { accessGroup, noSuchGroup } from '../group-access.js';
import type { SignedInSession } from '../session.js';

/**
 * Moves the caller's marker forward (never back). A seq beyond the group's
 * last seq is clamped to it. A group that does not exist, or that is private
 * and closed to the account, is `no_such_group` with the same message after
 * the same reads (accessGroup), so the reply tells an outsider nothing; a
 * group open to it that it never joined (no marker) is `no_such_group` too,
 * saying so.
 */
export const markRead: Handler<MarkReadRequest, SignedInSession> = async (request, session, context) => {
  const { settings } = await accessGroup(context, request.group, session.user);
  const group = await context.store.findGroup(settings.name);
  if (group === undefined) throw noSuchGroup(request.group); // deleted meanwhile
  if (!(await context.store.markRead(session.user, group.name, Math.min(request.seq, group.lastSeq)))) {
    throw new ProtocolError('no_such_group', `no group '${request.group}' that you joined`);
  }
  return { reply: { type: 'ok' } };
};

/** What `list_groups` adds to the entry of each group in `names`: two store queries for the whole list. */
export async function readStates(context: ServerContext, user: string, names: string[]): Promise<Array<{ last_seq: number; unread: number | null }>> {
  const [lastSeqs, markers] = await Promise.all([context.store.lastSeqs(names), context.store.readMarkers(user)]);
  return names.map((name, index) => {
    const lastSeq = lastSeqs[index] ?? 0;
    const marker = markers.get(nameKey(name));
    return { last_seq: lastSeq, unread: marker === undefined ? null : unreadCount(lastSeq, marker) };
  });
}

/**
 * The account joined the group: its marker starts at `lastSeq` (what the
 * join showed counts as read) unless it has one. Best effort: a store that
 * cannot write now must not stop the join.
 */
export async function recordJoin(context: ServerContext, user: string, group: string, lastSeq: number): Promise<void> {
  try {
    await context.store.recordJoin(user, group, lastSeq);
  } catch (error) {
    context.logger.warn('could not record the join for read markers', { user, group, reason: errorMessage(error) });
  }
}
