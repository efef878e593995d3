/**
 * The moderation and account commands typed at the chat prompt (protocol.md,
 * December additions): what a line means, the request it sends, and what a
 * refusal means in words. Pure; moderation.ts runs them.
 */
import type { ErrorCode } from '../protocol/errors.js';
import { MAX_REASON_BYTES, MAX_TEXT_BYTES, MAX_TOPIC_BYTES } from '../protocol/limits.js';
import { textProblem } from '../protocol/validate.js';
import type { Outgoing } from './client.js';

/** A command on a user of the current group. */
type GroupUserCommand = { kind: 'invite' | 'uninvite' | 'unban' | 'op' | 'deop'; user: string };
/** A command on a user with an optional reason. */
type ReasonedCommand = { kind: 'kick' | 'ban'; user: string; reason?: string };

export type ModerationCommand =
  /** Without `topic`: show the current one. */
  | { kind: 'topic'; topic?: string }
  | GroupUserCommand
  | ReasonedCommand
  | { kind: 'delete-group' }
  | { kind: 'passwd' }
  | { kind: 'disable'; user: string; reason?: string }
  | { kind: 'enable'; user: string }
  | { kind: 'reset-password'; user: string }
  /** An admin's notice to everyone signed in (January addition). */
  | { kind: 'notice'; text: string };

/** What parseModerationInput makes of a line: a command, a usage hint, a problem, or not one of these. */
export type ModerationParse =
  | { kind: 'moderation'; command: ModerationCommand }
  | { kind: 'usage'; usage: string }
  | { kind: 'unsendable'; problem: string };

export const MODERATION_USAGE: Readonly<Record<string, string>> = {
  invite: 'usage: /invite USER',
  uninvite: 'usage: /uninvite USER',
  kick: 'usage: /kick USER [REASON]',
  ban: 'usage: /ban USER [REASON]',
  unban: 'usage: /unban USER',
  op: 'usage: /op USER',
  deop: 'usage: /deop USER',
  'delete-group': 'usage: /delete-group  (the current group)',
  passwd: 'usage: /passwd  (asks for the passwords)',
  disable: 'usage: /disable USER [REASON]',
  enable: 'usage: /enable USER',
  'reset-password': 'usage: /reset-password USER  (asks for the new password)',
  notice: 'usage: /notice TEXT',
};

/** The commands of this file, as typed after `/`. */
export const MODERATION_COMMAND_NAMES = ['topic', ...Object.keys(MODERATION_USAGE)] as const;

/** The rest of a line after its first `count` words, trimmed. */
function restAfter(line: string, count: number): string {
  let rest = line.trim();
  for (let i = 0; i < count; i++) rest = rest.replace(/^\S+\s*/, '');
  return rest.trim();
}

function reasonProblem(reason: string, limit: number, what: string): string | undefined {
  const problem = textProblem(reason);
  if (problem !== undefined) return `not sent: ${problem}`;
  const bytes = Buffer.byteLength(reason, 'utf8');
  return bytes > limit ? `not sent: a ${what} has at most ${limit} bytes (this one is ${bytes})` : undefined;
}

/**
 * A typed line whose command `name` (lower case, without `/`) is one of the
 * moderation commands; undefined for any other command.
 */
export function parseModerationInput(name: string, line: string): ModerationParse | undefined {
  const args = line.trim().split(/\s+/).slice(1);
  const usage = (): ModerationParse => ({ kind: 'usage', usage: MODERATION_USAGE[name]! });
  const command = (parsed: ModerationCommand): ModerationParse => ({ kind: 'moderation', command: parsed });
  switch (name) {
    case 'topic': {
      const topic = restAfter(line, 1);
      if (topic === '') return command({ kind: 'topic' });
      const problem = reasonProblem(topic, MAX_TOPIC_BYTES, 'topic');
      return problem === undefined ? command({ kind: 'topic', topic }) : { kind: 'unsendable', problem };
    }
    case 'invite': case 'uninvite': case 'unban': case 'op': case 'deop': case 'enable': case 'reset-password':
      return args.length === 1 ? command({ kind: name, user: args[0]! }) : usage();
    case 'kick': case 'ban': case 'disable': {
      if (args.length === 0) return usage();
      const reason = restAfter(line, 2);
      if (reason === '') return command({ kind: name, user: args[0]! });
      const problem = reasonProblem(reason, MAX_REASON_BYTES, 'reason');
      return problem === undefined ? command({ kind: name, user: args[0]!, reason }) : { kind: 'unsendable', problem };
    }
    case 'notice': {
      const text = restAfter(line, 1);
      if (text === '') return usage();
      const problem = reasonProblem(text, MAX_TEXT_BYTES, 'notice');
      return problem === undefined ? command({ kind: 'notice', text }) : { kind: 'unsendable', problem };
    }
    case 'delete-group': case 'passwd':
      return args.length === 0 ? command({ kind: name }) : usage();
    default:
      return undefined;
  }
}

/** The commands that act on the current group (and so need one). */
export function needsGroup(command: ModerationCommand): boolean {
  return !['passwd', 'disable', 'enable', 'reset-password', 'notice'].includes(command.kind);
}

/** The secrets a command asks for before its request can be built. */
export interface Secrets {
  old?: string;
  password?: string;
}

/**
 * The request a command sends, for the current `group`; undefined for `/topic`
 * without text (nothing is sent: the topic is shown).
 */
export function moderationRequest(command: ModerationCommand, group: string, secrets: Secrets = {}): Outgoing | undefined {
  const withReason = (reason: string | undefined) => (reason === undefined ? {} : { reason });
  switch (command.kind) {
    case 'topic': return command.topic === undefined ? undefined : { type: 'set_topic', group, topic: command.topic };
    case 'invite': case 'uninvite': case 'unban': return { type: command.kind, group, user: command.user };
    case 'kick': case 'ban': return { type: command.kind, group, user: command.user, ...withReason(command.reason) };
    case 'op': return { type: 'set_role', group, user: command.user, role: 'moderator' };
    case 'deop': return { type: 'set_role', group, user: command.user, role: 'member' };
    case 'delete-group': return { type: 'delete_group', group };
    case 'passwd': return { type: 'passwd', old: secrets.old ?? '', new: secrets.password ?? '' };
    case 'disable': return { type: 'disable_user', user: command.user, ...withReason(command.reason) };
    case 'enable': return { type: 'enable_user', user: command.user };
    case 'reset-password': return { type: 'reset_password', user: command.user, password: secrets.password ?? '' };
    case 'notice': return { type: 'notice', text: command.text };
  }
}

/** What the user may not do, in words, for `not_allowed`. */
const NOT_ALLOWED: Readonly<Record<ModerationCommand['kind'], string>> = {
  topic: "only the group's owner or a moderator may set its topic",
  invite: "only the group's owner or a moderator may invite to it",
  uninvite: "only the group's owner or a moderator may withdraw an invitation",
  kick: "only the group's owner or a moderator may kick",
  ban: "only the group's owner or a moderator may ban",
  unban: "only the group's owner or a moderator may lift a ban",
  op: "only the group's owner may appoint moderators",
  deop: "only the group's owner may remove moderators",
  'delete-group': "only the group's owner (or an admin) may delete it",
  passwd: 'changing the password is not allowed',
  disable: 'only an admin may disable accounts',
  enable: 'only an admin may enable accounts',
  'reset-password': "only an admin may reset another account's password",
  notice: 'only an admin may send a notice to everyone',
};

/** `not_allowed` of a kick or a ban by one who may moderate: the target is the reason, as the server says. */
function targetRefusal(command: ReasonedCommand, serverMessage: string): string {
  const verb = command.kind;
  if (/owns the group/i.test(serverMessage)) return `${command.user} owns the group: nobody may ${verb} the owner`;
  if (/is an admin/i.test(serverMessage)) return `${command.user} is an admin: nobody may ${verb} an admin`;
  return `you may not ${verb} ${command.user}${serverMessage === '' ? '' : ` (${serverMessage})`}`;
}

/**
 * A refusal of `command` in words, for the codes that mean something
 * particular here; undefined for the rest (said as every error is).
 * `mayModerate`: the user's role lets it moderate the group, so a refused
 * kick or ban is about its target (`serverMessage` says which way).
 */
export function moderationRefusal(
  command: ModerationCommand, code: ErrorCode, group: string | undefined, refused: { mayModerate: boolean; serverMessage: string } = { mayModerate: false, serverMessage: '' },
): string | undefined {
  const user = 'user' in command ? command.user : undefined;
  switch (code) {
    case 'not_allowed':
      if ((command.kind === 'kick' || command.kind === 'ban') && refused.mayModerate) return targetRefusal(command, refused.serverMessage);
      return NOT_ALLOWED[command.kind];
    case 'no_such_user': return user === undefined ? undefined : `there is no user '${user}'`;
    case 'no_such_group': return group === undefined ? undefined : `there is no group '${group}' (any more)`;
    case 'auth_failed': return command.kind === 'passwd' ? 'the old password is wrong; nothing changed' : undefined;
    default: return undefined;
  }
}
