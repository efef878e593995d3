/**
 * GROUP_SELECT and CHAT (January additions): `dm` (stored in the conversation
 * of its two accounts before it is acknowledged), `conversations`,
 * `dm_history`, `block`/`unblock`/`blocked`, and `mark_read` with `user`.
 * Delivery of a stored `dm` is the hub's (direct-delivery.ts): every
 * connection of both sides on every node, the sending connection excepted.
 */
import { ProtocolError } from '../../protocol/errors.js';
import { CONVERSATIONS_PAGE, HISTORY_DEFAULT_LIMIT, MAX_BLOCKED_USERS, SINCE_MAX_MESSAGES } from '../../protocol/limits.js';
import type {
  BlockedReply, BlockedRequest, BlockRequest, ConversationsReply, ConversationsRequest, ConversationSummary, DmHistoryReply,
  DmHistoryRequest, DmRequest, MarkConversationReadRequest, MarkReadRequest, StoredDirectMessage,
} from '../../protocol/messages.js';
import { afterCursor } from '../../protocol/name-order.js';
import { nameKey } from '../../protocol/names.js';
import type { Handler, ServerContext } from '../context.js';
import { fit } from '../fit.js';
import type { SignedInSession } from '../session.js';
import { markRead } from './read-markers.js';

/** The account's display name; `no_such_user` when there is none. A disabled account exists: it gets its messages when enabled again. */
export async function existingAccount(context: ServerContext, user: string): Promise<string> {
  const found = await context.store.accounts.findUser(user);
  if (found === undefined) throw new ProtocolError('no_such_user', `no user '${user}'`);
  return found.name;
}

/** Stored (with the conversation's next seq), then delivered; a recipient who blocks the sender: `blocked`, nothing stored. */
export const dm: Handler<DmRequest, SignedInSession> = async (request, session, context) => {
  const to = await existingAccount(context, request.to);
  const outcome = await context.store.conversations.appendDirect({ from: session.user, to, text: request.text, ts: Date.now() });
  if (outcome.kind === 'blocked') throw new ProtocolError('blocked', `'${to}' does not accept your messages`);
  const { message } = outcome;
  return {
    direct: { type: 'dm', ...message },
    ...(request.id === undefined ? {} : { reply: { type: 'ack', seq: message.seq, ts: message.ts } }),
  };
};

/** A page of CONVERSATIONS_PAGE at most, by the other side's name key, after `after`; cut to fit max_frame; `more` when later ones exist. */
export const conversations: Handler<ConversationsRequest, SignedInSession> = async (request, session, context) => {
  const page = await context.store.conversations.listConversations(session.user, request.after, CONVERSATIONS_PAGE);
  const entries: ConversationSummary[] = page.conversations.map((entry) => ({
    user: entry.user, last_seq: entry.lastSeq, last_ts: entry.lastTs, unread: entry.unread,
  }));
  const build = (subset: ConversationSummary[], cut: boolean): ConversationsReply => ({
    type: 'conversations', conversations: subset, ...(page.more || cut ? { more: true } : {}),
  });
  return { reply: fit(context, entries, 'head', build).message };
};

/**
 * `before` (or neither): the newest `limit` below it, cut to fit keeping the
 * newest. `since`: the messages after it, at most `limit` when given, else
 * SINCE_MAX_MESSAGES, cut to fit keeping the oldest. Messages retention
 * removed are simply not there: the first page starts at the oldest kept.
 */
export const dmHistory: Handler<DmHistoryRequest, SignedInSession> = async (request, session, context) => {
  const peer = await existingAccount(context, request.user);
  const { conversations: store } = context.store;
  const forward = request.since !== undefined;
  const page = request.since !== undefined
    ? await store.messagesSince(session.user, peer, request.since, request.limit ?? SINCE_MAX_MESSAGES)
    : await store.messagesBefore(session.user, peer, request.before, request.limit ?? HISTORY_DEFAULT_LIMIT);
  const build = (messages: StoredDirectMessage[], cut: boolean): DmHistoryReply => ({ type: 'dm_history', user: peer, messages, more: page.more || cut });
  return { reply: fit(context, page.messages, forward ? 'head' : 'tail', build).message };
};

export const block: Handler<BlockRequest, SignedInSession> = async (request, session, context) => {
  const target = await existingAccount(context, request.user);
  const { blocks } = context.store;
  if (request.type === 'unblock') {
    await blocks.unblock(session.user, target);
    return { reply: { type: 'ok' } };
  }
  if (nameKey(target) === nameKey(session.user)) throw new ProtocolError('bad_message', 'you cannot block yourself');
  const blocked = await blocks.blockedUsers(session.user);
  if (blocked.length >= MAX_BLOCKED_USERS && !blocked.some((name) => nameKey(name) === nameKey(target))) {
    throw new ProtocolError('limit_reached', `an account may block at most ${MAX_BLOCKED_USERS} users`);
  }
  await blocks.block(session.user, target);
  return { reply: { type: 'ok' } };
};

/** The caller's own list only, by name key, after `after`; cut to fit with `more`. */
export const blocked: Handler<BlockedRequest, SignedInSession> = async (request, session, context) => {
  const all = await context.store.blocks.blockedUsers(session.user);
  const users = afterCursor(all, request.after, (name) => name);
  const build = (subset: string[], cut: boolean): BlockedReply => ({ type: 'blocked', users: subset, ...(cut ? { more: true } : {}) });
  return { reply: fit(context, users, 'head', build).message };
};

/** Forward only, clamped to the conversation's last seq (a conversation with no message keeps its marker at 0). */
const markConversationRead: Handler<MarkConversationReadRequest, SignedInSession> = async (request, session, context) => {
  const peer = await existingAccount(context, request.user);
  await context.store.conversations.markRead(session.user, peer, request.seq);
  return { reply: { type: 'ok' } };
};

/** `mark_read` with `group` (read-markers.ts) or with `user` (a conversation); its `ok` only when the request has an `id` (protocol.md). */
export const markReadAny: Handler<MarkReadRequest | MarkConversationReadRequest, SignedInSession> = async (request, session, context, source) => {
  const step = await ('user' in request ? markConversationRead(request, session, context, source) : markRead(request, session, context, source));
  return request.id === undefined ? { ...step, reply: undefined } : step;
};
