/**
 * Tab completion at the chat prompt, in readline's shape: the candidates and
 * the part of the line they replace. Commands after `/`; user names after
 * `/msg ` and at the end of a message (a mention); group names after
 * `/join `. `complete` is pure; `CompletionNames` keeps what it offers.
 */
import { type NameKey, nameKey } from '../protocol/names.js';
import { allowed, type Roles } from './help.js';
import { sanitizeLine } from './sanitize.js';

export interface CompletionSources {
  /** Users known to be in the current group. */
  users: readonly string[];
  /** Group names seen in the last list. */
  groups: readonly string[];
  /** The commands offered after `/` (default COMMAND_NAMES). */
  commands?: readonly string[];
}

export const COMMAND_NAMES = ['/create', '/groups', '/help', '/history', '/join', '/leave', '/me', '/msg', '/quit', '/set', '/who', '/topic', '/next', '/passwd'] as const;
/** December additions, offered to whom they are allowed (help.ts's rule). */
const MODERATOR_COMMANDS = ['/invite', '/uninvite', '/kick', '/ban', '/unban'];
const OWNER_COMMANDS = ['/op', '/deop', '/delete-group'];
const ADMIN_COMMANDS = ['/disable', '/enable', '/reset-password', '/notice'];

/** The commands Tab offers for these roles. */
export function commandNames(roles: Roles): string[] {
  const { admin, owner, moderator } = allowed(roles);
  return [...COMMAND_NAMES, ...(moderator ? MODERATOR_COMMANDS : []), ...(owner ? OWNER_COMMANDS : []), ...(admin ? ADMIN_COMMANDS : [])];
}

/** Commands whose (first) argument is a user name. */
const USER_ARGUMENT = /^\/(msg|dm|query|q|block|unblock|invite|uninvite|kick|ban|unban|op|deop|disable|enable|reset-password)\s+(\S*)$/i;

function startingWith(prefix: string, names: readonly string[], suffix: string): string[] {
  const lower = prefix.toLowerCase();
  return [...new Set(names)].filter((name) => name.toLowerCase().startsWith(lower)).sort().map((name) => name + suffix);
}

export function complete(line: string, sources: CompletionSources): [string[], string] {
  if (/^\/\S*$/.test(line)) return [startingWith(line, sources.commands ?? COMMAND_NAMES, ' '), line];
  const user = USER_ARGUMENT.exec(line);
  if (user) return [startingWith(user[2]!, sources.users, ' '), user[2]!];
  const argument = /^\/(?:join|j|part)\s+(\S*)$/i.exec(line);
  if (argument) return [startingWith(argument[1]!, sources.groups, ' '), argument[1]!];
  if (line.startsWith('/') && !line.startsWith('//')) return [[], line];
  const word = /(\S+)$/.exec(line)?.[1] ?? '';
  if (word === '') return [[], ''];
  // `@al` completes to `@alice`.
  if (word.startsWith('@')) return [startingWith(word.slice(1), sources.users, ' ').map((name) => `@${name}`), word];
  // At the start of the line a mention reads `alice: `; later, just the name.
  return [startingWith(word, sources.users, line === word ? ': ' : ' '), word];
}

/**
 * The names Tab offers at the chat prompt: users in the current group (and
 * those who wrote to us) by name key, never our own, and group names seen.
 * Kept sanitized: a candidate goes back into the line being typed.
 */
export class CompletionNames implements CompletionSources {
  private readonly usersByKey = new Map<NameKey, string>();
  private readonly groupNames = new Set<string>();

  constructor(private readonly self: string) {}

  get users(): string[] {
    return [...this.usersByKey.values()];
  }

  get groups(): string[] {
    return [...this.groupNames];
  }

  noteUsers(present: readonly string[], gone: readonly string[] = []): void {
    for (const name of present) if (nameKey(name) !== nameKey(this.self)) this.usersByKey.set(nameKey(name), sanitizeLine(name));
    for (const name of gone) this.usersByKey.delete(nameKey(name));
  }

  /** The current group's members, in place of those known before. */
  replaceUsers(members: readonly string[]): void {
    this.usersByKey.clear();
    this.noteUsers(members);
  }

  /** `name` as the server spells it, where known (our own name, or a user seen); else as given. */
  spelling(name: string): string {
    if (nameKey(name) === nameKey(this.self)) return this.self;
    return this.usersByKey.get(nameKey(name)) ?? name;
  }

  noteGroup(name: string): void {
    this.groupNames.add(sanitizeLine(name));
  }

  /** The server's whole list, in place of the groups seen before. */
  replaceGroups(names: readonly string[]): void {
    this.groupNames.clear();
    for (const name of names) this.noteGroup(name);
  }
}
