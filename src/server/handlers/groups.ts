/** GROUP_SELECT and CHAT: `list_groups`, `create_group`, `join`, `leave`, `who`. */
import { assertNever, ProtocolError } from '../../protocol/errors.js';
import { JOIN_HISTORY_MESSAGES, SINCE_MAX_MESSAGES } from '../../protocol/limits.js';
import type {
  CreateGroupRequest, GroupSummary, GroupsReply, JoinedReply, JoinRequest, LeaveRequest, ListGroupsRequest,
  MembersReply, StoredMessage, WhoRequest,
} from '../../protocol/messages.js';
import { nameKey } from '../../protocol/names.js';
import { keptFrom } from '../first-seq.js';
import type { Handler, ServerContext, Step } from '../context.js';
import { fit } from '../fit.js';
import { afterCursor, pageByNameKey } from '../../protocol/name-order.js';
import { accessGroup, type GroupAccess, groupsByAccess, isBannedFrom, noSuchGroup } from '../group-access.js';
import { openGroup, openGroups, withoutGroup } from '../open-groups.js';
import type { ChatSession, OpenGroup, SignedInSession } from '../session.js';
import { readStates, recordJoin } from './read-markers.js';
import { memberRoles, rolesOf } from '../member-roles.js';

/** What `joined` says of the group (December additions): the joiner's role, the owner's name (null: none), the topic. */
async function joinedStanding(context: ServerContext, access: GroupAccess): Promise<Pick<JoinedReply, 'role' | 'owner' | 'topic'>> {
  const { ownerKey, topic } = access.settings;
  const owner = ownerKey === undefined ? null : (await context.store.accounts.findUser(ownerKey))?.name ?? ownerKey;
  return { role: access.role, owner, topic };
}

/** Groups sorted by name key, from after `after`, without the private ones closed to the caller; cut to fit with `more: true`. */
export const listGroups: Handler<ListGroupsRequest, SignedInSession> = async (request, session, context) => {
  const visible = (await groupsByAccess(context.store, session.user)).open;
  const listed = afterCursor(visible, request.after, (group) => group.name);
  const names = listed.map((group) => group.name);
  const counts = await context.hub.memberCounts(names);
  const states = await readStates(context, session.user, names);
  const groups: GroupSummary[] = listed.map((group, index) => ({
    name: group.name, members: counts[index] ?? 0, topic: group.topic, private: group.private, ...states[index],
  }));
  const build = (subset: GroupSummary[], cut: boolean): GroupsReply => ({ type: 'groups', groups: subset, ...(cut ? { more: true } : {}) });
  return { reply: fit(context, groups, 'head', build).message };
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
    if (await context.store.groups.findGroup(request.group) !== undefined) throw new ProtocolError('group_exists', `group '${request.group}' exists`);
    throw new ProtocolError('limit_reached', `an account may create ${createRatePerHour} groups per hour; try again in ${Math.ceil(waitMs / 60_000)} min`);
  }
  let outcome;
  try {
    // A group of this name deleted by the admin command must lose its members here before the name is used again.
    await context.storeChanges?.check();
    outcome = await context.store.groups.createOwnedGroup(request.group, session.user, { maxGroups, maxOwned: maxGroupsPerUser }, { private: request.private === true });
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

/**
 * From before its history is read until the move into the group (after this
 * step is applied), live messages of the group are held for the joining
 * connection; the move hands over those the history lacks. A join that fails
 * lets them go.
 */
export const join: Handler<JoinRequest, SignedInSession> = async (request, session, context, source) => {
  checkOpenGroups(request, session, context.config.limits.maxOpenGroups);
  const release = context.hub.holdLiveMessages(source.member, request.group);
  try {
    return await joinHeld(request, session, context);
  } catch (error) {
    release();
    throw error;
  }
};

/**
 * `joined.members`. A group of at most `--presence-max-members` users (the
 * joiner counted): all of them, as they come, unless they do not fit the
 * frame. A larger group: the first page in name-key order, at most that many
 * names, with `members_more` (clients page on with `who`), so that a join costs
 * a page of the list, not the list: read from the hub's sorted roster, encoded
 * once. A list that does not fit is cut in name-key order too, so that `who`
 * with `after` goes on from its last name.
 */
async function joinedMembers(
  context: ServerContext, group: string, joiner: string, build: (members: string[], cut: boolean) => JoinedReply,
): Promise<{ items: string[]; cut: boolean }> {
  const limit = context.config.limits.presenceMaxMembers;
  const [count = 0] = await context.hub.memberCounts([group]);
  if (count < limit) {
    const present = await context.hub.members(group);
    const everyone = present.some((name) => nameKey(name) === nameKey(joiner)) ? present : [joiner, ...present];
    if (!fit(context, everyone, 'head', build).cut) return { items: everyone, cut: false };
    return { items: fit(context, pageByNameKey(everyone, undefined, everyone.length), 'head', build).items, cut: true };
  }
  const firstPage = withName(await context.hub.memberPage(group, undefined, limit + 1), joiner).slice(0, limit + 1);
  const fitted = fit(context, firstPage.slice(0, limit), 'head', build);
  return { items: fitted.items, cut: fitted.cut || firstPage.length > limit };
}

/** `names` (sorted by name key) with `name` in its place, when it is not there already. */
function withName(names: string[], name: string): string[] {
  const key = nameKey(name);
  const at = names.findIndex((other) => nameKey(other) >= key);
  if (at === -1) return [...names, name];
  if (nameKey(names[at]!) === key) return names;
  return [...names.slice(0, at), name, ...names.slice(at)];
}

/** A `join` with `keep` of a group it is not in, while the connection is in `--max-open-groups` groups already: `limit_reached`. */
function checkOpenGroups(request: JoinRequest, session: SignedInSession, maxOpenGroups: number): void {
  if (request.keep !== true) return;
  const open = openGroups(session);
  if (open.length < maxOpenGroups || open.some((group) => nameKey(group.group) === nameKey(request.group))) return;
  throw new ProtocolError('limit_reached', `a connection may be in ${maxOpenGroups} groups at once`);
}

/**
 * The state after joining `joined`: with `keep`, the groups it was in and
 * this one last (current); without, this one alone (it leaves the others;
 * one it was in already it stays in, with no presence).
 */
function afterJoin(request: JoinRequest, session: SignedInSession, joined: OpenGroup): ChatSession {
  const stays = request.keep === true ? openGroups(session).filter((open) => nameKey(open.group) !== nameKey(joined.group)) : [];
  return { kind: 'chat', user: session.user, ...joined, ...(stays.length > 0 ? { others: stays } : {}) };
}

async function joinHeld(request: JoinRequest, session: SignedInSession, context: ServerContext): Promise<Step> {
  const access = await accessGroup(context, request.group, session.user);
  if (isBannedFrom(access)) throw new ProtocolError('banned', `you are banned from '${access.settings.name}'${access.standing.ban?.reason ? `: ${access.standing.ban.reason}` : ''}`);
  const group = await context.store.groups.findGroup(request.group);
  if (group === undefined) throw noSuchGroup(request.group);
  const standing = await joinedStanding(context, access);
  // Forward from `since` (oldest kept when cut), or the latest messages (newest kept).
  const page = request.since === undefined
    ? await context.store.groups.messagesBefore(group.name, undefined, JOIN_HISTORY_MESSAGES)
    : await context.store.groups.messagesSince(group.name, request.since, SINCE_MAX_MESSAGES, context.config.limits.maxFrame);
  const lastSeq = Math.max(group.lastSeq, page.messages.at(-1)?.seq ?? 0);
  const firstSeq = keptFrom(await context.store.retention.firstSeq(group.name), page.messages, lastSeq);
  // No `roles` here (they are `who`'s): their reads and a second fit doubled a join storm's CPU; `owner` names the owner.
  const withMembers = (members: string[], cut = false): JoinedReply => ({
    type: 'joined', group: group.name, members, last_seq: lastSeq, history: [], more: page.more, ...(cut ? { members_more: true } : {}), ...standing, first_seq: firstSeq,
  });
  const { items: members, cut: membersCut } = await joinedMembers(context, group.name, session.user, withMembers);
  const withHistory = (history: StoredMessage[], cut: boolean): JoinedReply => ({ ...withMembers(members, membersCut), history, more: page.more || cut });
  const reply = fit(context, page.messages, request.since === undefined ? 'tail' : 'head', withHistory).message;
  await recordJoin(context, session.user, group.name, lastSeq);
  const joined: OpenGroup = { group: group.name, joinedAtSeq: lastSeq, ...(access.settings.private ? { private: true } : {}) };
  return { state: afterJoin(request, session, joined), reply };
}

/** Leaves one group (`group`, or the current one): the most recently joined group left becomes current; none left, GROUP_SELECT. */
export const leave: Handler<LeaveRequest, ChatSession> = (request, session) => {
  const { group } = openGroup(session, request.group);
  return { state: withoutGroup(session, group), reply: { type: 'left', group } };
};

/**
 * The group's users. A list that fits and no `after`, in a group of at most
 * `--presence-max-members`: as it comes (join order). Otherwise sorted by name
 * key, from after `after`, cut to fit with `more: true`, so that `after` = the
 * last name gives the next page; read from the hub's sorted roster, at most
 * as many names as could fit a frame.
 */
export const who: Handler<WhoRequest, ChatSession> = async (request, session, context) => {
  const { group } = openGroup(session, request.group);
  const names = await whoPage(request, group, context);
  // The roles of the page's names only (an addition), then fitted again with them.
  const roles = await memberRoles(context, group, names.items);
  const build = (members: string[], cut: boolean): MembersReply => {
    const kept = rolesOf(roles, members);
    return { type: 'members', group, members, ...(cut || names.cut ? { more: true } : {}), ...(Object.keys(kept).length > 0 ? { roles: kept } : {}) };
  };
  return { reply: fitWithRoles(context, names, build).message };
};

/**
 * A page of names fitted again once their `roles` are in the message. A list
 * that fitted whole without them (in join order) and no longer does is
 * sorted by name key before it is cut, as every cut list is (so `who` with
 * `after` = its last name gives the rest).
 */
function fitWithRoles<M extends object>(
  context: ServerContext, names: { items: string[]; cut: boolean }, build: (members: string[], cut: boolean) => M,
): { items: string[]; cut: boolean; message: M } {
  const fitted = fit(context, names.items, 'head', build);
  if (!fitted.cut || names.cut) return fitted;
  return fit(context, pageByNameKey(names.items, undefined, names.items.length), 'head', build);
}

/** The names `who` answers with (before their roles): the whole group when it fits, else a page by name key. */
async function whoPage(request: WhoRequest, group: string, context: ServerContext): Promise<{ items: string[]; cut: boolean }> {
  const build = (members: string[], cut: boolean): MembersReply => ({ type: 'members', group, members, ...(cut ? { more: true } : {}) });
  const { maxFrame, presenceMaxMembers } = context.config.limits;
  if (request.after === undefined) {
    const [count = 0] = await context.hub.memberCounts([group]);
    const whole = count <= presenceMaxMembers ? fit(context, await context.hub.members(group), 'head', build) : undefined;
    if (whole !== undefined && !whole.cut) return whole;
  }
  // A name takes at least 2 bytes: a page this long never fits, so its cut says `more`.
  const page = await context.hub.memberPage(group, request.after, Math.floor(maxFrame / 2) + 1);
  return fit(context, page, 'head', build);
}
