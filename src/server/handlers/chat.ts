/** CHAT: `say` and `history`; GROUP_SELECT and CHAT: `dm`. */
import { ProtocolError } from '../../protocol/errors.js';
import { HISTORY_DEFAULT_LIMIT } from '../../protocol/limits.js';
import type { DmRequest, HistoryReply, HistoryRequest, SayRequest } from '../../protocol/messages.js';
import type { Handler } from '../context.js';
import { fit } from '../fit.js';
import type { ChatSession, SignedInSession } from '../session.js';

/**
 * A group deleted under the sender (by the admin command, which cannot tell
 * live members) is `no_such_group`, and the sender is back in GROUP_SELECT.
 */
export const say: Handler<SayRequest, ChatSession> = async (request, session, context, source) => {
  let stored;
  try {
    stored = await context.store.groups.appendMessage({ group: session.group, from: session.user, text: request.text, ts: Date.now(), origin: source.origin });
  } catch (error) {
    if (!(error instanceof ProtocolError && error.code === 'no_such_group')) throw error;
    return { state: { kind: 'group_select', user: session.user }, reply: { type: 'error', code: error.code, message: error.message } };
  }
  return {
    broadcast: { type: 'msg', ...stored },
    ...(request.id === undefined ? {} : { reply: { type: 'ack', seq: stored.seq, ts: stored.ts } }),
  };
};

export const history: Handler<HistoryRequest, ChatSession> = async (request, session, context) => {
  const page = await context.store.groups.messagesBefore(session.group, request.before, request.limit ?? HISTORY_DEFAULT_LIMIT);
  // Paging goes backwards, so a cut keeps the newest messages.
  const build = (messages: typeof page.messages, cut: boolean): HistoryReply => ({
    type: 'history', group: session.group, messages, more: page.more || cut,
  });
  return { reply: fit(context, page.messages, 'tail', build).message };
};

export const dm: Handler<DmRequest, SignedInSession> = async (request, session, context) => {
  let to = await context.hub.onlineName(request.to);
  if (to === undefined) {
    const known = await context.store.accounts.findUser(request.to);
    if (known === undefined) throw new ProtocolError('no_such_user', `no user '${request.to}'`);
    to = await context.hub.onlineName(request.to);
    if (to === undefined) throw new ProtocolError('offline', `'${known.name}' is not online`);
  }
  const ts = Date.now();
  return {
    direct: { type: 'dm', from: session.user, to, text: request.text, ts },
    ...(request.id === undefined ? {} : { reply: { type: 'ack', ts } }),
  };
};
