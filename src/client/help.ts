/**
 * `/help`'s sections by role (the windowed screen's /help, windows/window-help.ts,
 * puts them after everyone's): those of a group's moderators, its owner, and
 * the server's admins, each only for whom they are allowed; and the wrapping.
 * The server checks every request anyway: this is a menu, not a protection.
 */
import type { AccountRole, GroupRole } from '../protocol/messages.js';
import { displayWidth, wrapLine } from './width.js';

export interface Roles {
  /** The account's role (auth_ok); undefined from a server older than roles. */
  account: AccountRole | undefined;
  /** The role in the current group (joined); undefined outside a group. */
  group: GroupRole | undefined;
}

const MODERATOR = [
  'In this group (its owner and moderators):',
  '  /topic TEXT         set the topic',
  '  /invite USER        let USER see and join this private group (/uninvite USER)',
  '  /kick USER [REASON] remove USER from the group (they may come back)',
  '  /ban USER [REASON]  remove USER and keep them out (/unban USER)',
];

const OWNER = [
  'In this group (its owner):',
  '  /op USER            make USER a moderator (/deop USER: a member again)',
  '  /delete-group       delete this group and its history (asks first)',
];

const ADMIN = [
  'Server (admin):',
  '  /disable USER [REASON]  close USER\'s connections and refuse their logins (/enable USER)',
  '  /reset-password USER    set USER\'s password (asks for it twice)',
  '  /notice TEXT            show TEXT to everyone signed in, on every node',
];

/** What the roles allow: an admin may do what an owner may, in every group; an owner what a moderator may. */
export function allowed(roles: Roles): { moderator: boolean; owner: boolean; admin: boolean } {
  const admin = roles.account === 'admin';
  const owner = admin || roles.group === 'owner';
  return { admin, owner, moderator: owner || roles.group === 'moderator' };
}

/** Where a help line's description starts (`  /kick USER [REASON] remove…`: 22); 2 for a line that is not a command's. */
function descriptionColumn(line: string): number {
  if (!line.startsWith('  /')) return 2;
  for (let at = 20; at < line.length; at++) if (line[at] !== ' ' && line[at - 1] === ' ') return at;
  return 2;
}

/** Help lines wrapped at words to `width` columns, the continuation under the description (a hanging indent). */
export function wrapHelp(text: string, width: number): string {
  return text.split('\n').flatMap((line) => {
    if (displayWidth(line) <= width) return [line];
    const indent = Math.min(descriptionColumn(line), Math.floor(width / 2));
    const first = wrapLine(line, width)[0]!;
    const rest = wrapLine(line.slice(first.length).trimStart(), width - indent);
    return [first, ...rest.map((piece) => ' '.repeat(indent) + piece)];
  }).join('\n');
}

/** The moderator's, owner's and admin's sections the roles allow (an admin's group headings say so). */
export function roleHelp(roles: Roles): string[] {
  const { admin, owner, moderator } = allowed(roles);
  const heading = (line: string): string => (admin ? line.replace(/^In this group \((.*)\):$/, 'In any group (as admin, or $1):') : line);
  return [
    ...(moderator ? MODERATOR.map(heading) : []),
    ...(owner ? OWNER.map(heading) : []),
    ...(admin ? ADMIN : []),
  ];
}
