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
export interface AuthSession { kind: 'auth' }
export interface GroupSelectSession { kind: 'group_select'; user: string }
/**
 * One group a CHAT connection is in. `joinedAtSeq`: the group's last seq when
 * the join's history was read. `private`: the group is private, so `say` and
 * `history` in it read the caller's access again (the admin command may have
 * taken the role that opened it).
 */
export interface OpenGroup { group: string; joinedAtSeq: number; private?: true }
/**
 * In one or more groups (January additions). Its own OpenGroup fields are the
 * *current* group's (the one joined or re-joined last); `others`: the other
 * groups it is in, the most recently joined last (absent: none).
 */
export interface ChatSession extends OpenGroup { kind: 'chat'; user: string; others?: readonly OpenGroup[] }
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
  readonly states: readonly SessionKind[];
  readonly limit: RequestLimit;
}


/** The user a state is signed in as; undefined before sign-in and after close. */
export function signedInUser(state: SessionState): string | undefined {
  return state.kind === 'group_select' || state.kind === 'chat' ? state.user : undefined;
}

export const INITIAL_SESSION: AuthSession = Object.freeze({ kind: 'auth' });
