/**
 * `delete_message` (January addition). In a group: by the message's author,
 * the group's owner or moderators, or an admin. Checks, in this order: the
 * group is open to the caller (else `no_such_group`, as every group request),
 * the caller is not banned from it (a ban takes a moderator's power and an
 * author's alike: `not_allowed`), the message is there (else
 * `no_such_message`: never given, or gone with retention), the caller may
 * remove it (else `not_allowed`). The store writes the tombstone over the
 * text; every member, on every node, gets `message_deleted` through the
 * Step's group event. A message removed before is `ok` again, with nothing
 * sent and its first removal kept (a retry after a lost reply succeeds).
 */
import { ProtocolError } from '../../protocol/errors.js';
import type { DeleteGroupMessageRequest, DeleteMessageRequest } from '../../protocol/messages.js';
import { nameKey } from '../../protocol/names.js';
import type { Handler, ServerContext, Step } from '../context.js';
import { accessGroup, isBannedFrom, mayModerate } from '../group-access.js';
import type { SignedInSession } from '../session.js';

function noSuchMessage(seq: number, where: string): ProtocolError {
  return new ProtocolError('no_such_message', `no message ${seq} in ${where}`);
}

async function deleteGroupMessage(request: DeleteGroupMessageRequest, session: SignedInSession, context: ServerContext): Promise<Step> {
  const access = await accessGroup(context, request.group, session.user);
  const group = access.settings.name;
  if (isBannedFrom(access)) throw new ProtocolError('not_allowed', `you are banned from '${group}'`);
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

export const deleteMessage: Handler<DeleteMessageRequest, SignedInSession> = async (request, session, context) => {
  if ('group' in request) return deleteGroupMessage(request, session, context);
  // Conversations are not stored yet (issue 22 item 2): there is no direct message to remove.
  throw noSuchMessage(request.seq, `the conversation with '${request.user}' (direct messages are not stored on this server)`);
};
