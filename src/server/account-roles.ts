/**
 * `account_role` (January addition): a signed-in connection is told when its
 * account's server-wide role changed behind it (the admin command's
 * `set-role`, `--admins` at a restart of another node). Each connection knows
 * the role it was last told (`auth_ok`, then `account_role`); a pass of the
 * store change watch reads the role of every account signed in here and
 * tells the connections whose role differs.
 */
import type { AccountRole } from '../protocol/messages.js';
import type { Store } from '../store/store.js';
import { type SessionState, signedInUser } from './session.js';
import { nameKey, type NameKey } from '../protocol/names.js';

/** Accounts whose role is read at once (in parallel) in one pass. */
const READS_AT_ONCE = 100;

/** A connection as the role pass sees it. */
export interface RoleHolder {
  readonly state: SessionState;
  /** Sends `account_role` when `role` is not the role the connection was last told; records it. */
  accountRoleIs(role: AccountRole): void;
}

/** Reads the role of each account signed in among `connections` and tells those whose role changed. */
export async function tellAccountRoles(store: Store, connections: Iterable<RoleHolder>): Promise<void> {
  const byUser = new Map<NameKey, { user: string; holders: RoleHolder[] }>();
  for (const connection of connections) {
    const user = signedInUser(connection.state);
    if (user === undefined) continue;
    const entry = byUser.get(nameKey(user)) ?? { user, holders: [] };
    entry.holders.push(connection);
    byUser.set(nameKey(user), entry);
  }
  const accounts = [...byUser.values()];
  for (let start = 0; start < accounts.length; start += READS_AT_ONCE) {
    await Promise.all(accounts.slice(start, start + READS_AT_ONCE).map(async ({ user, holders }) => {
      const account = await store.accounts.findUser(user);
      // An account gone (or closed) is not this pass's business: closing it ends its connections.
      if (account !== undefined) for (const holder of holders) holder.accountRoleIs(account.role);
    }));
  }
}
