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

export interface AuthSession { kind: 'auth'; failures: number }
export interface GroupSelectSession { kind: 'group_select'; user: string }
/** `joinedAtSeq`: the group's last seq when the join's history was read. */
export interface ChatSession { kind: 'chat'; user: string; group: string; joinedAtSeq: number }
export interface ClosedSession { kind: 'closed' }

export type SessionState = AuthSession | GroupSelectSession | ChatSession | ClosedSession;
export type SessionKind = SessionState['kind'];
/** The states in which a user is signed in. */
export type SignedInSession = GroupSelectSession | ChatSession;

/** Which request may arrive in which state, copied from protocol.md's table. */
export const ALLOWED: Readonly<Record<RequestType, readonly SessionKind[]>> = {
  register: ['auth'],
  login: ['auth'],
  list_groups: ['group_select', 'chat'],
  create_group: ['group_select', 'chat'],
  join: ['group_select', 'chat'],
  say: ['chat'],
  who: ['chat'],
  history: ['chat'],
  leave: ['chat'],
  dm: ['group_select', 'chat'],
  ping: ['auth', 'group_select', 'chat'],
  bye: ['auth', 'group_select', 'chat'],
};

export function isAllowed(type: RequestType, state: SessionState): boolean {
  return ALLOWED[type].includes(state.kind);
}

export const INITIAL_SESSION: AuthSession = Object.freeze({ kind: 'auth', failures: 0 });
