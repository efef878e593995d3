/**
 * Runs a moderation or account command (moderation-commands.ts) for the chat
 * screen: asks what it needs (hidden passwords, a confirmation), sends the
 * request, and says what happened, or why not, in words.
 */
import { ProtocolError } from '../protocol/errors.js';
import { newPasswordProblem } from '../protocol/validate.js';
import type { ChatParts } from './chat-parts.js';
import type { ChatTerminal } from './chat-terminal.js';
import { type ModerationCommand, moderationRefusal, moderationRequest, needsGroup, type Secrets } from './moderation-commands.js';
import { renderDone, renderTopic } from './render-moderation.js';
import { allowed } from './help.js';
import { renderHint, renderProblem } from './render.js';
import { boundedLine } from './sanitize.js';

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
async function askSecrets(command: ModerationCommand, terminal: ChatTerminal): Promise<Secrets | undefined> {
  if (command.kind !== 'passwd' && command.kind !== 'reset-password') return {};
  const secret = terminal.secret?.bind(terminal);
  const print = (text: string) => terminal.print(text);
  if (secret === undefined) {
    print(renderHint('passwords can be typed only in an interactive terminal'));
    return undefined;
  }
  const old = command.kind === 'passwd' ? await secret('current password: ') : undefined;
  const password = old === '' ? undefined : await askNewPassword(secret, print, command.kind === 'passwd' ? 'new password: ' : `new password for ${command.user}: `);
  if (password === undefined) {
    print(renderHint('nothing changed'));
    return undefined;
  }
  return old === undefined ? { password } : { old, password };
}

async function confirmed(command: ModerationCommand, group: string, terminal: ChatTerminal): Promise<boolean> {
  if (command.kind !== 'delete-group') return true;
  if (terminal.question === undefined) return false;
  const answer = await terminal.question(`Delete the group '${group}' and all its messages for everyone? [y/N] `);
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

/**
 * Runs `command` on the chat screen's parts; a refusal the server gives is
 * said in words, other failures are thrown. `groupDeleted`: the current group
 * was deleted by this user (back at the group list).
 */
export async function runModeration(command: ModerationCommand, parts: ChatParts, groupDeleted: (group: string) => Promise<void>): Promise<void> {
  const { terminal, status } = parts;
  const group = parts.view.current?.name;
  if (group === undefined && needsGroup(command)) {
    terminal.print(renderHint('not in a group: /join GROUP first'));
    return;
  }
  const target = group ?? '';
  if (command.kind === 'topic' && command.topic === undefined) {
    terminal.print(renderTopic(target, status.currentTopic ?? ''));
    return;
  }
  // Refused before asking anything: the client knows who may delete a group.
  if (command.kind === 'delete-group' && !allowed(status.roles).owner) {
    terminal.print(renderProblem(moderationRefusal(command, 'not_allowed', group)!));
    return;
  }
  const secrets = await askSecrets(command, terminal);
  if (secrets === undefined) return;
  if (!(await confirmed(command, target, terminal))) {
    terminal.print(renderHint('not deleted'));
    return;
  }
  const request = moderationRequest(command, target, secrets);
  if (request === undefined) return;
  try {
    await parts.chat.requestOk(request);
    if (request.type === 'passwd') parts.passwordChanged?.(request.new);
  } catch (error) {
    const refused = error instanceof ProtocolError ? { mayModerate: allowed(status.roles).moderator, serverMessage: boundedLine(error.message) } : undefined;
    const refusal = error instanceof ProtocolError ? moderationRefusal(command, error.code, group, refused) : undefined;
    if (refusal === undefined) throw error;
    terminal.print(renderProblem(refusal));
    return;
  }
  if (command.kind === 'topic') status.topicChanged(command.topic ?? '', parts.self);
  else if (command.kind === 'delete-group') {
    // The server's `group_deleted` may have come first and said it (and shown the list): said once.
    if (parts.view.current !== undefined) {
      terminal.print(renderDone(doneText(command, target)));
      await groupDeleted(target);
    }
  } else terminal.print(renderDone(doneText(command, target)));
}
