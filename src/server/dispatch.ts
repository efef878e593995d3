/**
 * Routes a validated request to its handler. The session runner checked the
 * ALLOWED table before any limit or side effect; the check is restated here,
 * so that a request not allowed in the current state changes nothing
 * whoever calls.
 */
import { assertNever, ProtocolError } from '../protocol/errors.js';
import type { Request } from '../protocol/messages.js';
import type { RequestSource, ServerContext, Step } from './context.js';
import { disableUser, enableUser, passwd, resetPassword } from './handlers/accounts.js';
import { login, register } from './handlers/auth.js';
import { dm, history, say } from './handlers/chat.js';
import { createGroup, join, leave, listGroups, who } from './handlers/groups.js';
import { deleteGroup, invite, kick, setRole, setTopic } from './handlers/moderation.js';
import { markRead } from './handlers/read-markers.js';
import {
  type AuthSession, type ChatSession, isAllowed, type SessionState, type SignedInSession,
} from './session.js';

function wrongState(request: Request, state: SessionState): ProtocolError {
  return new ProtocolError('wrong_state', `'${request.type}' is not allowed in state ${state.kind}`, { id: request.id });
}

// The guards below restate what ALLOWED already ensured, so that each handler
// is typed on the state it needs without a cast.
function inAuth(request: Request, state: SessionState): AuthSession {
  if (state.kind !== 'auth') throw wrongState(request, state);
  return state;
}

function signedIn(request: Request, state: SessionState): SignedInSession {
  if (state.kind !== 'group_select' && state.kind !== 'chat') throw wrongState(request, state);
  return state;
}

function inChat(request: Request, state: SessionState): ChatSession {
  if (state.kind !== 'chat') throw wrongState(request, state);
  return state;
}

export async function dispatch(request: Request, state: SessionState, context: ServerContext, source: RequestSource): Promise<Step> {
  if (!isAllowed(request.type, state)) throw wrongState(request, state);
  switch (request.type) {
    case 'register': return register(request, inAuth(request, state), context, source);
    case 'login': return login(request, inAuth(request, state), context, source);
    case 'list_groups': return listGroups(request, signedIn(request, state), context, source);
    case 'create_group': return createGroup(request, signedIn(request, state), context, source);
    case 'join': return join(request, signedIn(request, state), context, source);
    case 'dm': return dm(request, signedIn(request, state), context, source);
    case 'say': return say(request, inChat(request, state), context, source);
    case 'who': return who(request, inChat(request, state), context, source);
    case 'history': return history(request, inChat(request, state), context, source);
    case 'leave': return leave(request, inChat(request, state), context, source);
    case 'passwd': return passwd(request, signedIn(request, state), context, source);
    case 'disable_user': return disableUser(request, signedIn(request, state), context, source);
    case 'enable_user': return enableUser(request, signedIn(request, state), context, source);
    case 'reset_password': return resetPassword(request, signedIn(request, state), context, source);
    case 'set_topic': return setTopic(request, signedIn(request, state), context, source);
    case 'invite':
    case 'uninvite': return invite(request, signedIn(request, state), context, source);
    case 'kick':
    case 'ban':
    case 'unban': return kick(request, signedIn(request, state), context, source);
    case 'set_role': return setRole(request, signedIn(request, state), context, source);
    case 'delete_group': return deleteGroup(request, signedIn(request, state), context, source);
    case 'mark_read': return markRead(request, signedIn(request, state), context, source);
    case 'ping': return { reply: { type: 'pong' } };
    case 'bye': return { state: { kind: 'closed' }, close: true };
    default: return assertNever(request);
  }
}
