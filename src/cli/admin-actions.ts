/**
 * What each admin command does to a store, and what it prints: a list of
 * lines (text) or one JSON value (`--json`). A failure is an AdminFailure
 * (exit 1, one line); anything else thrown is a bug.
 */
import { assertNever } from '../protocol/errors.js';
import type { AccountRole } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import { groupsByAccess } from '../server/group-access.js';
import type { PasswordHasher } from '../server/passwords.js';
import type { GroupReport, Store, UserSummary } from '../store/store.js';

/** The command failed for a reason worth one line (exit status 1). */
export class AdminFailure extends Error {}

export type AdminCommand =
  | { kind: 'users' }
  | { kind: 'groups' }
  | { kind: 'create-user'; user: string; password: string; role: AccountRole }
  | { kind: 'set-role'; user: string; role: AccountRole }
  | { kind: 'reset-password'; user: string; password: string }
  | { kind: 'disable'; user: string; reason: string }
  | { kind: 'enable'; user: string }
  | { kind: 'delete-group'; group: string };

/** What a command printed: text lines, and the same as one JSON value. */
export interface AdminOutput {
  lines: string[];
  json: unknown;
}

function time(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An account as listed, with how many conversations it has (January additions). */
type ListedUser = UserSummary & { conversations: number };

function userJson(user: ListedUser): object {
  return {
    name: user.name, role: user.role, created: user.createdAt ?? null, last_login: user.lastLogin ?? null,
    disabled: user.disabled === undefined ? null : { reason: user.disabled.reason, at: user.disabled.at },
    conversations: user.conversations,
  };
}

function userRow(user: ListedUser): string[] {
  return [
    user.name, user.role, time(user.createdAt), time(user.lastLogin),
    user.disabled === undefined ? '-' : `${time(user.disabled.at)}${user.disabled.reason === '' ? '' : ` ${JSON.stringify(user.disabled.reason)}`}`,
    String(user.conversations),
  ];
}

function groupJson(group: GroupReport): object {
  return { name: group.name, owner: group.owner ?? null, private: group.private, messages: group.messages, last_activity: group.lastActivity ?? null };
}

function groupRow(group: GroupReport): string[] {
  return [group.name, group.owner ?? '-', group.private ? 'yes' : 'no', String(group.messages), time(group.lastActivity)];
}

/** A header and one row per entry, columns padded to their widest cell. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '));
}

async function existing(store: Store, name: string): Promise<string> {
  const user = await store.accounts.findUser(name);
  if (user === undefined) throw new AdminFailure(`no user '${name}'`);
  return user.name;
}

/** Runs one command; `hasher` hashes a new password (create-user, reset-password). */
export async function runAdminCommand(command: AdminCommand, store: Store, hasher: PasswordHasher): Promise<AdminOutput> {
  switch (command.kind) {
    case 'users': {
      const [listed, counts] = await Promise.all([store.accounts.listUsers(), store.conversations.conversationCounts()]);
      const users = listed.map((user) => ({ ...user, conversations: counts.get(nameKey(user.name)) ?? 0 }));
      return { lines: table([['NAME', 'ROLE', 'CREATED', 'LAST LOGIN', 'DISABLED', 'CONVERSATIONS'], ...users.map(userRow)]), json: users.map(userJson) };
    }
    case 'groups': {
      const groups = await store.groups.groupReports();
      return { lines: table([['NAME', 'OWNER', 'PRIVATE', 'MESSAGES', 'LAST ACTIVITY'], ...groups.map(groupRow)]), json: groups.map(groupJson) };
    }
    case 'create-user': {
      // As `register` does (name and password checked by the protocol's rules before this), but also when registration is closed.
      const created = await store.accounts.createUser(command.user, await hasher.hash(command.password));
      if (created === undefined) throw new AdminFailure(`user '${command.user}' exists`);
      if (command.role !== created.role && !(await store.accounts.setRole(created.name, command.role))) throw new AdminFailure(`no user '${command.user}'`);
      return { lines: [`${created.name}: created, role ${command.role}`], json: { user: created.name, role: command.role, created: true } };
    }
    case 'set-role': {
      const name = await existing(store, command.user);
      if (!(await store.accounts.setRole(name, command.role))) throw new AdminFailure(`no user '${command.user}'`);
      // Made `user`: the private groups it no longer sees lose its read marker (no more activity); a running server takes it out of them.
      const closed = command.role === 'user' ? (await groupsByAccess(store, name)).closed : [];
      for (const group of closed) await store.markers.dropMarker(name, group.name);
      return { lines: [`${name}: role ${command.role} (from its next request)`], json: { user: name, role: command.role } };
    }
    case 'reset-password': {
      const name = await existing(store, command.user);
      const hash = await hasher.hash(command.password);
      if (!(await store.accounts.setPasswordHash(name, hash))) throw new AdminFailure(`no user '${command.user}'`);
      return { lines: [`${name}: password reset`], json: { user: name, password_reset: true } };
    }
    case 'disable': {
      const name = await existing(store, command.user);
      const disabled = { reason: command.reason, at: Date.now() };
      if (!(await store.accounts.setDisabled(name, disabled))) throw new AdminFailure(`no user '${command.user}'`);
      return {
        lines: [`${name}: disabled (its logins are refused; connections already open stay until they end: use disable_user for those)`],
        json: { user: name, disabled },
      };
    }
    case 'enable': {
      const name = await existing(store, command.user);
      if (!(await store.accounts.setDisabled(name, undefined))) throw new AdminFailure(`no user '${command.user}'`);
      return { lines: [`${name}: enabled`], json: { user: name, disabled: null } };
    }
    case 'delete-group': {
      const name = await store.moderation.deleteGroup(command.group, 'admin');
      if (name === undefined) throw new AdminFailure(`no group '${command.group}'`);
      return {
        // Redis: the store announces it, so live members get group_deleted; SQLite: they learn at their next message.
        lines: [`${name}: deleted, with its history`],
        json: { group: name, deleted: true },
      };
    }
    default:
      return assertNever(command);
  }
}
