/**
 * Who a signed-in user is in a group, read from the store at each request
 * (so a role given or taken meanwhile counts at once): its role there, whether
 * it is an admin (who may do anything an owner may, in every group), and its
 * standing (invited, banned). A private group that is not open to the user
 * does not exist for it: `no_such_group`, the same as a name never used.
 */
import { ProtocolError } from '../protocol/errors.js';
import { nameKey, type NameKey } from '../protocol/names.js';
import type { GroupRole, GroupSettings, GroupStanding } from '../store/moderation-store.js';
import type { Store } from '../store/store.js';
import type { ServerContext } from './context.js';

export interface GroupAccess {
  settings: GroupSettings;
  /** The user's role in the group (an admin who is neither owner nor moderator is `member` here). */
  role: GroupRole;
  admin: boolean;
  standing: GroupStanding;
}

export function noSuchGroup(group: string): ProtocolError {
  return new ProtocolError('no_such_group', `no group '${group}'`);
}

/** Whether a private group is open to a user: its owner, moderators, invited users and admins. */
export function isOpenTo(settings: GroupSettings, user: string, admin: boolean, openToUser: (groupKey: NameKey) => boolean): boolean {
  return !settings.private || admin || settings.ownerKey === nameKey(user) || openToUser(nameKey(settings.name));
}

/** The user's access to the group, or why it has none: the group is `missing`, or private and `closed` to the user. */
export async function findAccess(context: Pick<ServerContext, 'store'>, group: string, user: string): Promise<GroupAccess | 'missing' | 'closed'> {
  const [found, account, standing] = await Promise.all([
    context.store.moderation.groupSettings(group), context.store.accounts.findUser(user), context.store.moderation.standing(group, user),
  ]);
  // A missing group takes the same reads and steps as a private one closed to the user: neither the reply nor the time tells them apart.
  const settings = found ?? { name: group, topic: '', private: true };
  const admin = account?.role === 'admin';
  const open = isOpenTo(settings, user, admin, () => standing.moderator || standing.invited);
  if (found === undefined) return 'missing';
  if (!open) return 'closed';
  const role: GroupRole = settings.ownerKey === nameKey(user) ? 'owner' : standing.moderator ? 'moderator' : 'member';
  return { settings, role, admin, standing };
}

/** The user's access to the group; `no_such_group` when it does not exist or is private and closed to the user. */
export async function accessGroup(context: Pick<ServerContext, 'store'>, group: string, user: string): Promise<GroupAccess> {
  const access = await findAccess(context, group, user);
  if (typeof access === 'string') throw noSuchGroup(group);
  return access;
}

/** Every group's settings, split by whether it is open to the user now (list_groups shows the open ones). */
export async function groupsByAccess(store: Store, user: string): Promise<{ open: GroupSettings[]; closed: GroupSettings[] }> {
  const [all, account, openTo] = await Promise.all([store.moderation.listGroupSettings(), store.accounts.findUser(user), store.moderation.privateGroupsOpenTo(user)]);
  const admin = account?.role === 'admin';
  const open: GroupSettings[] = [];
  const closed: GroupSettings[] = [];
  for (const group of all) (isOpenTo(group, user, admin, (key) => openTo.has(key)) ? open : closed).push(group);
  return { open, closed };
}

/** Owner, moderator or admin, and not banned from the group (a ban binds a moderator): topic, invitations, kicks and bans. */
export function mayModerate(access: GroupAccess): boolean {
  return (access.admin || access.role !== 'member') && !isBannedFrom(access);
}

/** Owner or admin: roles and deletion. */
export function mayOwn(access: GroupAccess): boolean {
  return access.admin || access.role === 'owner';
}

/** A ban keeps the user out, unless it owns the group or is an admin (neither can be banned now; a ban from before does not bind them). */
export function isBannedFrom(access: GroupAccess): boolean {
  return access.standing.ban !== undefined && access.role !== 'owner' && !access.admin;
}
