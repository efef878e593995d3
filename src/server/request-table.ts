/**
 * The one request table: for each request type, the states it may arrive
 * in (copied from protocol.md's table), what it costs before it runs, and
 * its handler, typed on the state it needs. The session runner checks the
 * states first (a request refused for its state costs nothing), then the
 * cost, then runs the handler through `dispatch`. Adding a request is one
 * row and one handler; a request type without a row does not compile.
 */
import { ProtocolError } from '../protocol/errors.js';
import type { Request, RequestType } from '../protocol/messages.js';
import type { Handler, RequestSource, ServerContext, Step } from './context.js';
import { disableUser, enableUser, passwd, resetPassword } from './handlers/accounts.js';
import { login, register } from './handlers/auth.js';
import { history, say } from './handlers/chat.js';
import { block, blocked, conversations, dm, dmHistory, markReadAny } from './handlers/conversations.js';
import { deleteMessage } from './handlers/delete-message.js';
import { createGroup, join, leave, listGroups, who } from './handlers/groups.js';
import { deleteGroup, invite, kick, setRole, setTopic } from './handlers/moderation.js';
import { notice } from './handlers/notice.js';
import type {
  AuthSession, ChatSession, RequestLimit, RequestRule, SessionState, SignedInSession,
} from './session.js';

/** The request of type `T` (a request shape that several types share, such as invite/uninvite, included). */
export type RequestOf<T extends RequestType> = Request extends infer R ? R extends { type: infer K } ? T extends K ? R : never : never : never;

/** A session that is not closed: what `ping` and `bye` may arrive in. */
type OpenSession = Exclude<SessionState, { kind: 'closed' }>;

/** The states it may arrive in and its cost (RequestRule), and its handler. */
export interface RequestRow<T extends RequestType> extends RequestRule {
  /** Its handler; the state was checked against `states` (it is checked again, so that no caller can skip it). */
  handle(request: RequestOf<T>, state: SessionState, context: ServerContext, source: RequestSource): Promise<Step> | Step;
}

export type RequestTable = { readonly [T in RequestType]: RequestRow<T> };

function wrongState(request: Request, state: SessionState): ProtocolError {
  return new ProtocolError('wrong_state', `'${request.type}' is not allowed in state ${state.kind}`, { id: request.id });
}

/** A row whose handler gets the state narrowed to `S` by `narrow` (a state outside `states` is `wrong_state`). */
function row<S extends SessionState>(states: readonly S['kind'][], narrow: (state: SessionState) => state is S) {
  return <T extends RequestType>(limit: RequestLimit, handler: Handler<RequestOf<T>, S>): RequestRow<T> => ({
    states,
    limit,
    handle(request, state, context, source) {
      if (!narrow(state)) throw wrongState(request, state);
      return handler(request, state, context, source);
    },
  });
}

const inAuth = row<AuthSession>(['auth'], (state): state is AuthSession => state.kind === 'auth');
const signedIn = row<SignedInSession>(['group_select', 'chat'], (state): state is SignedInSession => state.kind === 'group_select' || state.kind === 'chat');
const inChat = row<ChatSession>(['chat'], (state): state is ChatSession => state.kind === 'chat');
const open = row<OpenSession>(['auth', 'group_select', 'chat'], (state): state is OpenSession => state.kind !== 'closed');

export const REQUESTS: RequestTable = {
  register: inAuth('none', register),
  login: inAuth('none', login),
  list_groups: signedIn('queries', listGroups),
  create_group: signedIn('none', createGroup),
  join: signedIn('queries', join),
  say: inChat('messages', say),
  who: inChat('queries', who),
  history: inChat('queries', history),
  leave: inChat('none', leave),
  dm: signedIn('messages', dm),
  ping: open('none', () => ({ reply: { type: 'pong' } })),
  bye: open('none', () => ({ state: { kind: 'closed' }, close: true })),
  passwd: signedIn('none', passwd),
  disable_user: signedIn('none', disableUser),
  enable_user: signedIn('none', enableUser),
  reset_password: signedIn('none', resetPassword),
  // Moderation (December additions); a topic goes to every member, so it costs a message token.
  set_topic: signedIn('messages', setTopic),
  invite: signedIn('none', invite),
  uninvite: signedIn('none', invite),
  kick: signedIn('none', kick),
  ban: signedIn('none', kick),
  unban: signedIn('none', kick),
  set_role: signedIn('none', setRole),
  delete_group: signedIn('none', deleteGroup),
  mark_read: signedIn('none', markReadAny),
  // January addition: it goes to everyone signed in, so it costs a message token, as `say`.
  notice: signedIn('messages', notice),
  // January addition: a removal goes to every member of the group, so it costs a message token, as `set_topic`.
  delete_message: signedIn('messages', deleteMessage),
  // Conversations (January additions); `dm` above costs a message token, as `say`.
  conversations: signedIn('queries', conversations),
  dm_history: signedIn('queries', dmHistory),
  block: signedIn('none', block),
  unblock: signedIn('none', block),
  blocked: signedIn('queries', blocked),
};

/** The row of `request`'s type. (Each key's row takes that key's request: the table's type says so.) */
export function rowOf(request: Request): RequestRow<RequestType> {
  return REQUESTS[request.type];
}

export function isAllowed(request: Request, state: SessionState): boolean {
  return rowOf(request).states.includes(state.kind);
}

/** Runs `request`'s handler; a request not allowed in `state` changes nothing, whoever calls. */
export async function dispatch(request: Request, state: SessionState, context: ServerContext, source: RequestSource): Promise<Step> {
  const requestRow = rowOf(request);
  if (!requestRow.states.includes(state.kind)) throw wrongState(request, state);
  return requestRow.handle(request, state, context, source);
}
