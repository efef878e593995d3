/**
 * The per-connection state machine of protocol.md:
 *
 *     AUTH --auth_ok--> GROUP_SELECT --joined--> CHAT
 *                        ^   |                    |
 *                        |   +----<--left---------+
 *     (any state) --bye / error that closes--> CLOSED
 *
 * A field exists only in the states where it holds.
 */
import type { RequestType } from '../protocol/messages.js';

export interface AuthSession { kind: 'auth' }
export interface GroupSelectSession { kind: 'group_select'; user: string }
/**
 * `joinedAtSeq`: the group's last seq when the join's history was read.
 * `private`: the group is private, so `say` and `history` read the caller's
 * access again (the admin command may have taken the role that opened it).
 */
export interface ChatSession { kind: 'chat'; user: string; group: string; joinedAtSeq: number; private?: true }
export interface ClosedSession { kind: 'closed' }

export type SessionState = AuthSession | GroupSelectSession | ChatSession | ClosedSession;
export type SessionKind = SessionState['kind'];
/** The states in which a user is signed in. */
export type SignedInSession = GroupSelectSession | ChatSession;

/**
 * What a request costs before it runs, once it is allowed: `messages` takes a
 * token of the connection's `rateLimit` bucket or is refused (`rate_limited`);
 * `queries` (requests that read much) waits for a token of `queryRate`.
 */
export type RequestLimit = 'none' | 'messages' | 'queries';

export interface RequestRule {
  /** The states it may arrive in, copied from protocol.md's table. */
  states: readonly SessionKind[];
  limit: RequestLimit;
}

/**
 * Which request may arrive in which state, and what it costs. The session
 * runner checks the states first: a request refused for its state costs nothing.
 */
export const ALLOWED: Readonly<Record<RequestType, RequestRule>> = {
  register: { states: ['auth'], limit: 'none' },
  login: { states: ['auth'], limit: 'none' },
  list_groups: { states: ['group_select', 'chat'], limit: 'queries' },
  create_group: { states: ['group_select', 'chat'], limit: 'none' },
  join: { states: ['group_select', 'chat'], limit: 'queries' },
  say: { states: ['chat'], limit: 'messages' },
  who: { states: ['chat'], limit: 'queries' },
  history: { states: ['chat'], limit: 'queries' },
  leave: { states: ['chat'], limit: 'none' },
  dm: { states: ['group_select', 'chat'], limit: 'messages' },
  ping: { states: ['auth', 'group_select', 'chat'], limit: 'none' },
  bye: { states: ['auth', 'group_select', 'chat'], limit: 'none' },
  passwd: { states: ['group_select', 'chat'], limit: 'none' },
  disable_user: { states: ['group_select', 'chat'], limit: 'none' },
  enable_user: { states: ['group_select', 'chat'], limit: 'none' },
  reset_password: { states: ['group_select', 'chat'], limit: 'none' },
  // Moderation (December additions); a topic goes to every member, so it costs a message token.
  set_topic: { states: ['group_select', 'chat'], limit: 'messages' },
  invite: { states: ['group_select', 'chat'], limit: 'none' },
  uninvite: { states: ['group_select', 'chat'], limit: 'none' },
  kick: { states: ['group_select', 'chat'], limit: 'none' },
  ban: { states: ['group_select', 'chat'], limit: 'none' },
  unban: { states: ['group_select', 'chat'], limit: 'none' },
  set_role: { states: ['group_select', 'chat'], limit: 'none' },
  delete_group: { states: ['group_select', 'chat'], limit: 'none' },
  mark_read: { states: ['group_select', 'chat'], limit: 'none' },
};

export function isAllowed(type: RequestType, state: SessionState): boolean {
  return ALLOWED[type].states.includes(state.kind);
}

export const INITIAL_SESSION: AuthSession = Object.freeze({ kind: 'auth' });
