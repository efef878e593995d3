import { ProtocolError } from '../protocol/errors.js';
import { nameKey } from '../protocol/names.js';

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

/** The request table (states, cost and handler of each request type), by its older name. */
export { REQUESTS as ALLOWED } from './request-table.js';

/** The user a state is signed in as; undefined before sign-in and after close. */
export function signedInUser(state: SessionState): string | undefined {
  return state.kind === 'group_select' || state.kind === 'chat' ? state.user : undefined;
}

/** The groups a state is in, the current one last (none outside CHAT). */
export function openGroups(state: SessionState): OpenGroup[] {
  if (state.kind !== 'chat') return [];
  const current: OpenGroup = { group: state.group, joinedAtSeq: state.joinedAtSeq, ...(state.private === true ? { private: true } : {}) };
  return [...(state.others ?? []), current];
}

/** The state of `user` in `groups` (the last one current); GROUP_SELECT when there are none. */
export function inGroups(user: string, groups: readonly OpenGroup[]): ChatSession | GroupSelectSession {
  const current = groups.at(-1);
  if (current === undefined) return { kind: 'group_select', user };
  const others = groups.slice(0, -1);
  return { kind: 'chat', user, ...current, ...(others.length > 0 ? { others } : {}) };
}

/** The session's group named `group` (any case), or its current group when `group` is absent; `not_in_group` when it is not in it. */
export function openGroup(session: ChatSession, group: string | undefined): OpenGroup {
  if (group === undefined) return openGroups(session).at(-1)!;
  const key = nameKey(group);
  const found = openGroups(session).find((open) => nameKey(open.group) === key);
  if (found === undefined) throw new ProtocolError('not_in_group', `you are not in '${group}'`);
  return found;
}

/** The session without `group`: the most recently joined group left becomes current; none left, GROUP_SELECT. */
export function withoutGroup(session: ChatSession, group: string): ChatSession | GroupSelectSession {
  const key = nameKey(group);
  return inGroups(session.user, openGroups(session).filter((open) => nameKey(open.group) !== key));
}

/**
 * A handler's next state, read against a state that changed while it ran (a
 * kick or deletion removed a group meanwhile): the groups it carried over
 * from `read` that `now` is no longer in are dropped; a group it added (or,
 * with `joined`, the one it joined) stays.
 */
export function rebase(next: SessionState, read: SessionState, now: SessionState, joined?: string): SessionState {
  if (next.kind !== 'chat' || now === read) return next;
  const keys = (state: SessionState): Set<string> => new Set(openGroups(state).map((open) => nameKey(open.group)));
  const wasIn = keys(read);
  const isIn = keys(now);
  const joinedKey = joined === undefined ? undefined : nameKey(joined);
  const kept = openGroups(next).filter(({ group }) => {
    const key = nameKey(group);
    return key === joinedKey || !wasIn.has(key) || isIn.has(key);
  });
  return inGroups(next.user, kept);
}

export const INITIAL_SESSION: AuthSession = Object.freeze({ kind: 'auth' });
