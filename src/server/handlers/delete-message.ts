/**
 * `delete_message` (January addition). In a group: by the message's author,
 * the group's owner or moderators, or an admin. Checks, in this order: the
 * group is open to the caller (else `no_such_group`, as every group request),
 * the message is there (else `no_such_message`: never given, or gone with
 * retention), the caller may remove it (else `not_allowed`): its author
 * always, as the contract says, banned or not; a ban takes a moderator's
 * power (`mayModerate`). The store writes the tombstone over the
 * text; every member, on every node, gets `message_deleted` through the
 * Step's group event. A message removed before is `ok` again, with nothing
 * sent and its first removal kept (a retry after a lost reply succeeds).
 * In a conversation (`user`): by its author only; both sides' connections,
 * on every node, get `message_deleted` with the other side as `user`.
 */
import type { AccountMessage } from '../../cluster/account-message.js';
import { ProtocolError } from '../../protocol/errors.js';
import type { DeleteDirectMessageRequest, DeleteGroupMessageRequest, DeleteMessageRequest } from '../../protocol/messages.js';
import { nameKey } from '../../protocol/names.js';
import type { Handler, ServerContext, Step } from '../context.js';
import { accessGroup, mayModerate } from '../group-access.js';
import type { SignedInSession } from '../session.js';
import { existingAccount } from './conversations.js';

function noSuchMessage(seq: number, where: string): ProtocolError {
  return new ProtocolError('no_such_message', `no message ${seq} in ${where}`);
}

async function deleteGroupMessage(request: DeleteGroupMessageRequest, session: SignedInSession, context: ServerContext): Promise<Step> {
  const access = await accessGroup(context, request.group, session.user);
  const group = access.settings.name;
  const found = await context.store.deletions.findMessage(group, request.seq);
  if (found === undefined) throw noSuchMessage(request.seq, `'${group}'`);
  if (nameKey(found.from) !== nameKey(session.user) && !mayModerate(access)) {
    throw new ProtocolError('not_allowed', `only its author, the group's owner and moderators may remove a message`);
  }
  if (found.deleted !== undefined) return { reply: { type: 'ok' } };
  const outcome = await context.store.deletions.deleteMessage(group, request.seq, { by: session.user, ts: Date.now() });
  if (outcome.kind === 'missing') throw noSuchMessage(request.seq, `'${group}'`);
  if (outcome.kind === 'already') return { reply: { type: 'ok' } };
  context.logger.info('message deleted', { group, seq: request.seq, by: session.user });
  return { reply: { type: 'ok' }, groupEvent: { kind: 'message_deleted', group, seq: request.seq, by: session.user } };
}

/** `message_deleted` for each side of the conversation of `author` and `peer`, naming the other side (one, writing to oneself). */
function toBothSides(author: string, peer: string, seq: number): AccountMessage[] {
  const told = (user: string, other: string): AccountMessage => ({ user, message: { type: 'message_deleted', user: other, seq, by: author } });
  return nameKey(author) === nameKey(peer) ? [told(author, author)] : [told(author, peer), told(peer, author)];
}

async function deleteDirectMessage(request: DeleteDirectMessageRequest, session: SignedInSession, context: ServerContext): Promise<Step> {
  const peer = await existingAccount(context, request.user);
  const where = `your conversation with '${peer}'`;
  const found = await context.store.deletions.findDirectMessage(session.user, peer, request.seq);
  if (found === undefined) throw noSuchMessage(request.seq, where);
  if (nameKey(found.from) !== nameKey(session.user)) throw new ProtocolError('not_allowed', 'only its author may remove a direct message');
  if (found.deleted !== undefined) return { reply: { type: 'ok' } };
  const outcome = await context.store.deletions.deleteDirectMessage(session.user, peer, request.seq, { by: session.user, ts: Date.now() });
  if (outcome.kind === 'missing') throw noSuchMessage(request.seq, where);
  if (outcome.kind === 'already') return { reply: { type: 'ok' } };
  context.logger.info('direct message deleted', { seq: request.seq, by: session.user });
  return { reply: { type: 'ok' }, accountMessages: toBothSides(session.user, peer, request.seq) };
}

export const deleteMessage: Handler<DeleteMessageRequest, SignedInSession> = (request, session, context) =>
  'group' in request ? deleteGroupMessage(request, session, context) : deleteDirectMessage(request, session, context);
