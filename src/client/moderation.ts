/**
 * Runs a moderation or account command (moderation-commands.ts) for the chat
 * screen: asks what it needs (hidden passwords, a confirmation), sends the
 * request, and says what happened, or why not, in words.
 */
import { ProtocolError } from '../protocol/errors.js';
import { newPasswordProblem } from '../protocol/validate.js';
import type { Outgoing, ReplyOfType } from './client.js';
import { type ModerationCommand, moderationRefusal, moderationRequest, needsGroup, type Secrets } from './moderation-commands.js';
import { renderDone, renderTopic } from './render-moderation.js';
import { allowed, type Roles } from './help.js';
import { renderHint, renderProblem } from './render.js';
import { boundedLine } from './sanitize.js';

/** What a moderation command needs of the chat screen. */
export interface ModerationHost {
  call(request: Outgoing, expect: 'ok'): Promise<ReplyOfType<'ok'>>;
  /** The current group's name, or undefined outside a group. */
  currentGroup(): string | undefined;
  /** The current group's topic as last heard ('' or undefined: none). */
  currentTopic(): string | undefined;
  /** The signed-in user's name. */
  self: string;
  print(text: string): void;
  /** Asks a question (undefined: this terminal cannot ask). */
  ask: ((query: string) => Promise<string>) | undefined;
  /** Asks without echoing the answer (undefined: this terminal cannot). */
  secret: ((query: string) => Promise<string>) | undefined;
  /** A topic set (by this user): shown once, even when the server's `topic` says it too. */
  topicChanged(topic: string, by: string): void;
  /** The current group was deleted by this user: back at the group list. */
  groupDeleted(group: string): Promise<void>;
  /** The user's roles now (the account's, and in the current group). */
  roles(): Roles;
}

/** A new password, typed twice and checked; undefined when given up (an empty answer). */
async function askNewPassword(secret: (query: string) => Promise<string>, print: (text: string) => void, query: string): Promise<string | undefined> {
  for (;;) {
    const password = await secret(query);
    if (password === '') return undefined;
    const problem = newPasswordProblem(password);
    if (problem !== undefined) {
      print(renderHint(problem));
      continue;
    }
    if ((await secret('repeat it: ')) === password) return password;
    print(renderHint('the passwords differ; again (an empty answer gives up)'));
  }
}

/** The passwords `command` needs; undefined when the user gave up (or cannot be asked). */
async function askSecrets(command: ModerationCommand, host: ModerationHost): Promise<Secrets | undefined> {
  if (command.kind !== 'passwd' && command.kind !== 'reset-password') return {};
  const secret = host.secret;
  if (secret === undefined) {
    host.print(renderHint('passwords can be typed only in an interactive terminal'));
    return undefined;
  }
  const old = command.kind === 'passwd' ? await secret('current password: ') : undefined;
  const password = old === '' ? undefined : await askNewPassword(secret, host.print, command.kind === 'passwd' ? 'new password: ' : `new password for ${command.user}: `);
  if (password === undefined) {
    host.print(renderHint('nothing changed'));
    return undefined;
  }
  return old === undefined ? { password } : { old, password };
}

async function confirmed(command: ModerationCommand, group: string, host: ModerationHost): Promise<boolean> {
  if (command.kind !== 'delete-group') return true;
  if (host.ask === undefined) return false;
  const answer = await host.ask(`Delete the group '${group}' and all its messages for everyone? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

/** What a command did, said after the server's `ok`. */
function doneText(command: ModerationCommand, group: string): string {
  switch (command.kind) {
    case 'topic': return `topic of ${group} set`;
    case 'invite': return `invited ${command.user} to ${group}`;
    case 'uninvite': return `${command.user} is no longer invited to ${group}`;
    case 'kick': return `removed ${command.user} from ${group}`;
    case 'ban': return `banned ${command.user} from ${group}`;
    case 'unban': return `lifted the ban on ${command.user} in ${group}`;
    case 'op': return `${command.user} is now a moderator of ${group}`;
    case 'deop': return `${command.user} is no longer a moderator of ${group}`;
    case 'delete-group': return `deleted the group ${group}`;
    case 'passwd': return 'password changed';
    case 'disable': return `disabled the account ${command.user}`;
    case 'enable': return `enabled the account ${command.user}`;
    case 'reset-password': return `set a new password for ${command.user}`;
    case 'notice': return 'notice sent to everyone signed in';
  }
}

/** Runs `command`; a refusal the server gives is said in words, other failures are thrown. */
export async function runModeration(command: ModerationCommand, host: ModerationHost): Promise<void> {
  const group = host.currentGroup();
  if (group === undefined && needsGroup(command)) {
    host.print(renderHint('not in a group: /join GROUP first'));
    return;
  }
  const target = group ?? '';
  if (command.kind === 'topic' && command.topic === undefined) {
    host.print(renderTopic(target, host.currentTopic() ?? ''));
    return;
  }
  // Refused before asking anything: the client knows who may delete a group.
  if (command.kind === 'delete-group' && !allowed(host.roles()).owner) {
    host.print(renderProblem(moderationRefusal(command, 'not_allowed', group)!));
    return;
  }
  const secrets = await askSecrets(command, host);
  if (secrets === undefined) return;
  if (!(await confirmed(command, target, host))) {
    host.print(renderHint('not deleted'));
    return;
  }
  const request = moderationRequest(command, target, secrets);
  if (request === undefined) return;
  try {
    await host.call(request, 'ok');
  } catch (error) {
    const refused = error instanceof ProtocolError ? { mayModerate: allowed(host.roles()).moderator, serverMessage: boundedLine(error.message) } : undefined;
    const refusal = error instanceof ProtocolError ? moderationRefusal(command, error.code, group, refused) : undefined;
    if (refusal === undefined) throw error;
    host.print(renderProblem(refusal));
    return;
  }
  if (command.kind === 'topic') host.topicChanged(command.topic ?? '', host.self);
  else if (command.kind === 'delete-group') {
    // The server's `group_deleted` may have come first and said it (and shown the list): said once.
    if (host.currentGroup() !== undefined) {
      host.print(renderDone(doneText(command, target)));
      await host.groupDeleted(target);
    }
  } else host.print(renderDone(doneText(command, target)));
}
