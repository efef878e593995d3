/**
 * Group moderation (December additions): `set_topic`, `invite`/`uninvite`,
 * `kick`, `ban`/`unban`, `set_role`, `delete_group`. Checks, in this order:
 * the group exists and is open to the caller (else `no_such_group`, so an
 * outsider learns nothing of a private group), the caller's role (else
 * `not_allowed`; a banned moderator may not moderate, nor lift its own
 * ban), the target account exists (else `no_such_user`), the
 * target may be acted on (the owner and admins cannot be kicked or banned:
 * `not_allowed`). Effects on live members go out as a Step's `groupEvent`,
 * to every node: a new topic, a kick or ban, a new role (`role`), a deletion.
 */
import { ProtocolError } from '../../protocol/errors.js';
import type { DeleteGroupRequest, InviteRequest, KickRequest, SetRoleRequest, SetTopicRequest } from '../../protocol/messages.js';
import { nameKey } from '../../protocol/names.js';
import type { GroupSettings } from '../../store/moderation-store.js';
import type { Handler, ServerContext } from '../context.js';
import { accessGroup, type GroupAccess, isBannedFrom, mayModerate, mayOwn, noSuchGroup } from '../group-access.js';
import { dropMarker, shutOut, UNINVITED_REASON } from '../lost-access.js';
import type { SignedInSession } from '../session.js';

async function asModerator(group: string, session: SignedInSession, context: ServerContext, what: string): Promise<GroupAccess> {
  const access = await accessGroup(context, group, session.user);
  // Before the role: a banned moderator is told why (it may not lift its own ban either).
  if (isBannedFrom(access)) throw new ProtocolError('not_allowed', `you are banned from '${access.settings.name}'`);
  if (!mayModerate(access)) throw new ProtocolError('not_allowed', `only the group's owner and moderators may ${what}`);
  return access;
}

async function asOwner(group: string, session: SignedInSession, context: ServerContext, what: string): Promise<GroupAccess> {
  const access = await accessGroup(context, group, session.user);
  if (!mayOwn(access)) throw new ProtocolError('not_allowed', `only the group's owner may ${what}`);
  return access;
}

interface Target {
  /** As first written. */
  name: string;
  owner: boolean;
  admin: boolean;
  moderator: boolean;
}

async function targetIn(settings: GroupSettings, user: string, context: ServerContext): Promise<Target> {
  const [account, standing] = await Promise.all([context.store.accounts.findUser(user), context.store.moderation.standing(settings.name, user)]);
  if (account === undefined) throw new ProtocolError('no_such_user', `no user '${user}'`);
  return { name: account.name, owner: settings.ownerKey === nameKey(account.name), admin: account.role === 'admin', moderator: standing.moderator };
}

/** The store said the group is gone: it was deleted since the access check. */
function changed(done: boolean, group: string): void {
  if (!done) throw noSuchGroup(group);
}

export const setTopic: Handler<SetTopicRequest, SignedInSession> = async (request, session, context) => {
  const { settings } = await asModerator(request.group, session, context, 'set its topic');
  changed(await context.store.moderation.setTopic(settings.name, request.topic), request.group);
  context.logger.info('topic set', { group: settings.name, by: session.user });
  return { reply: { type: 'ok' }, groupEvent: { kind: 'topic', group: settings.name, topic: request.topic, by: session.user } };
};

/**
 * `invite` lets the user see and join a private group (on a public group it
 * is kept, and matters nowhere). `uninvite` of a private group's member who
 * has no other way in (owner, moderator, admin) also removes its live
 * connections from the group, as a kick with reason UNINVITED_REASON.
 */
export const invite: Handler<InviteRequest, SignedInSession> = async (request, session, context) => {
  const inviting = request.type === 'invite';
  const { settings } = await asModerator(request.group, session, context, inviting ? 'invite' : 'uninvite');
  const target = await targetIn(settings, request.user, context);
  changed(await context.store.moderation.setInvited(settings.name, target.name, inviting), request.group);
  context.logger.info(inviting ? 'invited' : 'uninvited', { group: settings.name, user: target.name, by: session.user });
  const closed = !inviting && settings.private && !target.owner && !target.admin && !target.moderator;
  return {
    reply: { type: 'ok' },
    ...(closed ? { groupEvent: await shutOut(context, settings.name, target.name, session.user, UNINVITED_REASON) } : {}),
  };
};

/** `kick` removes the user's live connections from the group; `ban` also keeps it out until `unban`. */
export const kick: Handler<KickRequest, SignedInSession> = async (request, session, context) => {
  const { settings } = await asModerator(request.group, session, context, `${request.type} users`);
  const target = await targetIn(settings, request.user, context);
  if (request.type === 'unban') {
    changed(await context.store.moderation.setBan(settings.name, target.name, undefined), request.group);
    context.logger.info('unbanned', { group: settings.name, user: target.name, by: session.user });
    return { reply: { type: 'ok' } };
  }
  if (target.owner) throw new ProtocolError('not_allowed', `'${target.name}' owns the group`);
  if (target.admin) throw new ProtocolError('not_allowed', `'${target.name}' is an admin`);
  const banned = request.type === 'ban';
  if (banned) {
    changed(await context.store.moderation.setBan(settings.name, target.name, { reason: request.reason ?? '', by: session.user, at: Date.now() }), request.group);
    await dropMarker(context, target.name, settings.name);
  }
  context.logger.info(banned ? 'banned' : 'kicked', { group: settings.name, user: target.name, by: session.user });
  return {
    reply: { type: 'ok' },
    groupEvent: { kind: 'kicked', group: settings.name, user: target.name, by: session.user, ...(request.reason === undefined ? {} : { reason: request.reason }), banned },
  };
};

/** A moderator is also invited, so that a moderator demoted later keeps seeing a private group until uninvited. */
export const setRole: Handler<SetRoleRequest, SignedInSession> = async (request, session, context) => {
  const { settings } = await asOwner(request.group, session, context, 'appoint moderators');
  const target = await targetIn(settings, request.user, context);
  if (target.owner) throw new ProtocolError('not_allowed', `'${target.name}' owns the group`);
  const moderator = request.role === 'moderator';
  changed(await context.store.moderation.setModerator(settings.name, target.name, moderator), request.group);
  if (moderator) changed(await context.store.moderation.setInvited(settings.name, target.name, true), request.group);
  context.logger.info('group role set', { group: settings.name, user: target.name, role: request.role, by: session.user });
  return { reply: { type: 'ok' }, groupEvent: { kind: 'role', group: settings.name, user: target.name, role: request.role, by: session.user } };
};

/** The group, its history and its moderation rows are gone; every member (on every node) gets `group_deleted`. */
export const deleteGroup: Handler<DeleteGroupRequest, SignedInSession> = async (request, session, context) => {
  await asOwner(request.group, session, context, 'delete it');
  const name = await context.store.moderation.deleteGroup(request.group, session.user);
  if (name === undefined) throw noSuchGroup(request.group);
  context.logger.info('group deleted', { group: name, by: session.user });
  return { reply: { type: 'ok' }, groupEvent: { kind: 'deleted', group: name, by: session.user } };
};
