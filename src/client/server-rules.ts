/**
 * The protocol's rules on what a server sends, beyond the field types that
 * parseServerMessage checks: names are names, texts are texts (at most 4,096
 * bytes, no control characters), `max_frame` is at least 1. A real server
 * never breaks them (it checks the same rules on what it accepts), so a
 * message that does is a protocol violation that ends the connection, before
 * anything of it reaches the terminal, a regular expression, or a wrapper.
 */
import { assertNever } from '../protocol/errors.js';
import type { ServerMessage, StoredMessage } from '../protocol/messages.js';
import { isValidName, NAME_RULE } from '../protocol/names.js';
import { MAX_TOPIC_BYTES } from '../protocol/limits.js';
import { textProblem } from '../protocol/validate.js';

/** The server broke the protocol; the message says how, without quoting what it sent. */
export class ServerViolationError extends Error {
  override readonly name = 'ServerViolationError';
}


function checkName(type: string, key: string, value: string): void {
  if (!isValidName(value)) throw new ServerViolationError(`${type}: '${key}' must be ${NAME_RULE}`);
}

function checkNames(type: string, key: string, values: readonly string[]): void {
  if (!values.every(isValidName)) throw new ServerViolationError(`${type}: '${key}' must hold names (${NAME_RULE})`);
}

function checkText(type: string, text: string): void {
  const problem = textProblem(text);
  if (problem !== undefined) throw new ServerViolationError(`${type}: ${problem}`);
}

/** A topic: text of 0..MAX_TOPIC_BYTES bytes (empty: none). */
function checkTopic(type: string, topic: string | undefined): void {
  if (topic === undefined || topic === '') return;
  checkText(type, topic);
  if (Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES) throw new ServerViolationError(`${type}: a topic has at most ${MAX_TOPIC_BYTES} bytes`);
}

function checkStored(type: string, messages: readonly StoredMessage[]): void {
  for (const message of messages) {
    checkName(type, 'group', message.group);
    checkName(type, 'from', message.from);
    checkText(type, message.text);
    if (message.deleted !== undefined) checkName(type, 'deleted.by', message.deleted.by);
  }
}

/** @throws ServerViolationError when `message` breaks a rule of the protocol. */
export function checkServerMessage(message: ServerMessage): void {
  const type = message.type;
  switch (message.type) {
    case 'welcome':
      if (message.max_frame < 1) throw new ServerViolationError("welcome: 'max_frame' must be at least 1");
      return;
    case 'msg':
      checkStored(type, [message]);
      return;
    case 'presence':
      checkName(type, 'group', message.group);
      checkName(type, 'user', message.user);
      if (message.by !== undefined) checkName(type, 'by', message.by);
      if (message.reason !== undefined && message.reason !== '') checkText(type, message.reason);
      return;
    case 'dm':
      checkName(type, 'from', message.from);
      checkName(type, 'to', message.to);
      checkText(type, message.text);
      return;
    case 'auth_ok':
      checkName(type, 'user', message.user);
      return;
    case 'groups':
      checkNames(type, 'groups', message.groups.map((group) => group.name));
      for (const group of message.groups) checkTopic(type, group.topic);
      return;
    case 'group_created': case 'left':
      checkName(type, 'group', message.group);
      return;
    case 'joined':
      checkName(type, 'group', message.group);
      checkNames(type, 'members', message.members);
      checkNames(type, 'roles', Object.keys(message.roles ?? {}));
      checkStored(type, message.history);
      if (message.owner !== undefined && message.owner !== null) checkName(type, 'owner', message.owner);
      checkTopic(type, message.topic);
      return;
    case 'topic':
      checkName(type, 'group', message.group);
      checkName(type, 'by', message.by);
      checkTopic(type, message.topic);
      return;
    case 'kicked':
      checkName(type, 'group', message.group);
      checkName(type, 'by', message.by);
      if (message.reason !== undefined && message.reason !== '') checkText(type, message.reason);
      return;
    case 'group_deleted':
      checkName(type, 'group', message.group);
      checkName(type, 'by', message.by);
      return;
    case 'activity':
      checkName(type, 'group', message.group);
      return;
    case 'role':
      checkName(type, 'group', message.group);
      checkName(type, 'user', message.user);
      checkName(type, 'by', message.by);
      return;
    case 'account_role':
      return;
    case 'notice':
      checkName(type, 'by', message.by);
      checkText(type, message.text);
      return;
    case 'message_deleted':
      if ('group' in message) checkName(type, 'group', message.group);
      else checkName(type, 'user', message.user);
      checkName(type, 'by', message.by);
      return;
    case 'members':
      checkName(type, 'group', message.group);
      checkNames(type, 'members', message.members);
      checkNames(type, 'roles', Object.keys(message.roles ?? {}));
      return;
    case 'history':
      checkName(type, 'group', message.group);
      checkStored(type, message.messages);
      return;
    case 'conversations':
      checkNames(type, 'user', message.conversations.map((conversation) => conversation.user));
      return;
    case 'dm_history':
      checkName(type, 'user', message.user);
      for (const stored of message.messages) {
        checkServerMessage({ type: 'dm', ...stored });
        if (stored.deleted !== undefined) checkName(type, 'deleted.by', stored.deleted.by);
      }
      return;
    case 'blocked':
      checkNames(type, 'users', message.users);
      return;
    case 'error': case 'shutdown': case 'ack': case 'pong': case 'ok':
      // Free text (`message`) is not bounded by the protocol beyond max_frame; it is sanitized where shown.
      return;
    default:
      assertNever(message);
  }
}
