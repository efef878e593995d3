/** GROUP_SELECT and CHAT: `list_groups`, `create_group`, `join`, `leave`, `who`. */
import { assertNever, ProtocolError } from '../../protocol/errors.js';
import { JOIN_HISTORY_MESSAGES, SINCE_MAX_MESSAGES } from '../../protocol/limits.js';
import type {
  CreateGroupRequest, GroupSummary, GroupsReply, JoinedReply, JoinRequest, LeaveRequest, ListGroupsRequest,
  MembersReply, ServerMessage, StoredMessage, WhoRequest,
} from '../../protocol/messages.js';
import type { Handler, ServerContext } from '../context.js';
import { fitList } from '../fit.js';
import type { ChatSession, SignedInSession } from '../session.js';

/** `build` applied to the most items that fit in one frame. */
function fit<T, M extends ServerMessage>(
  context: ServerContext, items: T[], keep: 'head' | 'tail', build: (subset: T[], cut: boolean) => M,
): M {
  const fitted = fitList(context.encoder, context.config.limits.maxFrame, items, keep, build);
  return build(fitted.items, fitted.cut);
}

export const listGroups: Handler<ListGroupsRequest, SignedInSession> = async (_request, _session, context) => {
  const names = await context.store.listGroups();
  const counts = await context.hub.memberCounts(names);
  const groups: GroupSummary[] = names.map((name, index) => ({ name, members: counts[index] ?? 0 }));
  const build = (subset: GroupSummary[], cut: boolean): GroupsReply => ({ type: 'groups', groups: subset, ...(cut ? { more: true } : {}) });
  return { reply: fit(context, groups, 'head', build) };
};

/**
 * Refused with `limit_reached` when the account is over its creation rate,
 * owns its maximum of groups, or the server holds its maximum; a taken
 * name is `group_exists` whatever the caps. Only a creation uses up rate.
 */
export const createGroup: Handler<CreateGroupRequest, SignedInSession> = async (request, session, context) => {
  const { maxGroups, maxGroupsPerUser, createRatePerHour } = context.config.limits;
  const waitMs = context.groupCreations.take(session.user);
  if (waitMs > 0) {
    if (await context.store.findGroup(request.group) !== undefined) throw new ProtocolError('group_exists', `group '${request.group}' exists`);
    throw new ProtocolError('limit_reached', `an account may create ${createRatePerHour} groups per hour; try again in ${Math.ceil(waitMs / 60_000)} min`);
  }
  let outcome;
  try {
    outcome = await context.store.createOwnedGroup(request.group, session.user, { maxGroups, maxOwned: maxGroupsPerUser });
  } finally {
    if (outcome?.kind !== 'created') context.groupCreations.giveBack(session.user);
  }
  switch (outcome.kind) {
    case 'created':
      context.logger.info('group created', { group: outcome.group.name, user: session.user });
      return { reply: { type: 'group_created', group: outcome.group.name } };
    case 'exists': throw new ProtocolError('group_exists', `group '${request.group}' exists`);
    case 'server_full': throw new ProtocolError('limit_reached', `the server holds its maximum of ${maxGroups} groups`);
    case 'owner_full': throw new ProtocolError('limit_reached', `you own ${outcome.owned} groups, the most one account may own (${maxGroupsPerUser})`);
    default: return assertNever(outcome);
  }
};

export const join: Handler<JoinRequest, SignedInSession> = async (request, session, context) => {
  const group = await context.store.findGroup(request.group);
  if (group === undefined) throw new ProtocolError('no_such_group', `no group '${request.group}'`);
  // Forward from `since` (oldest kept when cut), or the latest messages (newest kept).
  const page = request.since === undefined
    ? await context.store.messagesBefore(group.name, undefined, JOIN_HISTORY_MESSAGES)
    : await context.store.messagesSince(group.name, request.since, SINCE_MAX_MESSAGES);
  const lastSeq = Math.max(group.lastSeq, page.messages.at(-1)?.seq ?? 0);
  const present = await context.hub.members(group.name);
  const everyone = present.some((name) => name.toLowerCase() === session.user.toLowerCase()) ? present : [session.user, ...present];
  const withMembers = (members: string[]): JoinedReply => ({
    type: 'joined', group: group.name, members, last_seq: lastSeq, history: [], more: page.more,
  });
  const { members } = fit(context, everyone, 'head', withMembers);
  const withHistory = (history: StoredMessage[], cut: boolean): JoinedReply => ({ ...withMembers(members), history, more: page.more || cut });
  const reply = fit(context, page.messages, request.since === undefined ? 'tail' : 'head', withHistory);
  const state: ChatSession = { kind: 'chat', user: session.user, group: group.name, joinedAtSeq: lastSeq };
  return { state, reply };
};

export const leave: Handler<LeaveRequest, ChatSession> = (_request, session) => ({
  state: { kind: 'group_select', user: session.user },
  reply: { type: 'left', group: session.group },
});

export const who: Handler<WhoRequest, ChatSession> = async (_request, session, context) => ({
  reply: fit(context, await context.hub.members(session.group), 'head', (members, cut): MembersReply => ({
    type: 'members', group: session.group, members, ...(cut ? { more: true } : {}),
  })),
});
