/**
 * The groups of a CHAT session (January additions: a connection is in one
 * or more groups, the one joined or re-joined last is current): reading
 * them, finding the one a request names, and the state after one leaves.
 */
import { ProtocolError } from '../protocol/errors.js';
import { nameKey } from '../protocol/names.js';
import type { ChatSession, GroupSelectSession, OpenGroup, SessionState } from './session.js';

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
