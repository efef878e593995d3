/** CHAT: `say` and `history` (`dm` is in conversations.ts). */
import { ProtocolError } from '../../protocol/errors.js';
import { HISTORY_DEFAULT_LIMIT } from '../../protocol/limits.js';
import type { HistoryReply, HistoryRequest, SayRequest } from '../../protocol/messages.js';
import type { Handler, ServerContext, Step } from '../context.js';
import { fit } from '../fit.js';
import { findAccess, noSuchGroup } from '../group-access.js';
import { ADMIN_COMMAND, CLOSED_REASON, shutOut } from '../lost-access.js';
import { openGroup } from '../open-groups.js';
import type { ChatSession, OpenGroup } from '../session.js';

/** The group deleted under its members (by the admin command; on SQLite the server was not told): `no_such_group`, then every member here gets `group_deleted`. */
function deletedUnder(group: string): Step {
  const { code, message } = noSuchGroup(group);
  return { reply: { type: 'error', code, message }, groupEvent: { kind: 'deleted', group, by: ADMIN_COMMAND } };
}

/**
 * In a private group the caller's access is read again at each `say` and
 * `history` in it (the admin command may have taken the role that opened it):
 * closed now, the request is `no_such_group` and the caller is taken out of
 * that group as an uninvited member is. Undefined while it may stay.
 */
async function lostAccess(session: ChatSession, open: OpenGroup, context: ServerContext): Promise<Step | undefined> {
  if (open.private !== true) return undefined;
  const access = await findAccess(context, open.group, session.user);
  if (typeof access !== 'string') return undefined;
  if (access === 'missing') return deletedUnder(open.group);
  const { code, message } = noSuchGroup(open.group);
  return { reply: { type: 'error', code, message }, groupEvent: await shutOut(context, open.group, session.user, ADMIN_COMMAND, CLOSED_REASON) };
}

/** A group deleted under the sender (by the admin command) is `no_such_group`, and every member here gets `group_deleted`. */
export const say: Handler<SayRequest, ChatSession> = async (request, session, context, source) => {
  const open = openGroup(session, request.group);
  const lost = await lostAccess(session, open, context);
  if (lost !== undefined) return lost;
  let stored;
  try {
    stored = await context.store.groups.appendMessage({ group: open.group, from: session.user, text: request.text, ts: Date.now(), origin: source.origin });
  } catch (error) {
    if (!(error instanceof ProtocolError && error.code === 'no_such_group')) throw error;
    return deletedUnder(open.group);
  }
  return {
    broadcast: { type: 'msg', ...stored },
    ...(request.id === undefined ? {} : { reply: { type: 'ack', seq: stored.seq, ts: stored.ts } }),
  };
};

export const history: Handler<HistoryRequest, ChatSession> = async (request, session, context) => {
  const open = openGroup(session, request.group);
  const lost = await lostAccess(session, open, context);
  if (lost !== undefined) return lost;
  const page = await context.store.groups.messagesBefore(open.group, request.before, request.limit ?? HISTORY_DEFAULT_LIMIT);
  // Paging goes backwards, so a cut keeps the newest messages.
  const build = (messages: typeof page.messages, cut: boolean): HistoryReply => ({
    type: 'history', group: open.group, messages, more: page.more || cut,
  });
  return { reply: fit(context, page.messages, 'tail', build).message };
};
