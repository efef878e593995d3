/**
 * The `roles` of a `members` or `joined` page (an addition): the names in the
 * page that are the group's owner, an admin or a moderator. Only the page's
 * names are looked up, in three reads whatever the page's length: the
 * group's settings (its owner), then the admins and the moderators among the
 * page's names (one batched read each), so a big group costs no more than
 * the page sent.
 */
import type { MemberRole } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { ServerContext } from './context.js';

/** name → role for the names of `page` that have one; owner before admin before moderator. */
export async function memberRoles(context: Pick<ServerContext, 'store'>, group: string, page: readonly string[]): Promise<Map<string, MemberRole>> {
  const roles = new Map<string, MemberRole>();
  if (page.length === 0) return roles;
  const settings = await context.store.moderation.groupSettings(group);
  if (settings === undefined) return roles;
  const others = page.filter((name) => settings.ownerKey === undefined || nameKey(name) !== settings.ownerKey);
  if (others.length < page.length) for (const name of page) if (nameKey(name) === settings.ownerKey) roles.set(name, 'owner');
  const [admins, moderators] = await Promise.all([context.store.accounts.adminsAmong(others), context.store.moderation.moderatorsAmong(group, others)]);
  for (const name of others) {
    if (admins.has(nameKey(name))) roles.set(name, 'admin');
    else if (moderators.has(nameKey(name))) roles.set(name, 'moderator');
  }
  return roles;
}

/** The roles of the names in `members` only (after a cut), as the reply's map (each name its own field). */
export function rolesOf(roles: ReadonlyMap<string, MemberRole>, members: readonly string[]): Record<string, MemberRole> {
  return Object.fromEntries(members.flatMap((name) => {
    const role = roles.get(name);
    return role === undefined ? [] : [[name, role] as const];
  }));
}
