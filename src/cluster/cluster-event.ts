/**
 * Reads what comes in on the cluster's event channel, judged by the rules a
 * client's input is judged by (names, text, topic and reason sizes) and by
 * size, so that whoever can write to Redis cannot relay to users what no
 * client could send: a name with an escape, a 5 KB topic, a 20 MB one.
 * Whether a message's seq is plausible is judged later, against the group's
 * counter (message-order.ts).
 */
import { isPlainObject } from '../protocol/frame.js';
import { MAX_REASON_BYTES, MAX_TOPIC_BYTES } from '../protocol/limits.js';
import type { DirectMessage, NoticeMessage, PresenceMessage, StoredMessage } from '../protocol/messages.js';
import { isValidName } from '../protocol/names.js';
import { parseServerValue } from '../protocol/server-message-parse.js';
import { textProblem } from '../protocol/validate.js';
import { EVENT_ACCOUNT_CLOSED, EVENT_ACCOUNT_MESSAGE, EVENT_DIRECT, EVENT_GROUP, EVENT_MESSAGE, EVENT_NOTICE, EVENT_PRESENCE } from '../redis/keys.js';
import { readStoredMessage } from '../redis/stored-message.js';
import { type AccountMessage, parseAccountMessage } from './account-message.js';
import { type GroupEvent, parseGroupEvent } from './group-event.js';

/**
 * The longest event payload taken (UTF-16 units): a message of MAX_TEXT_BYTES
 * whose every character JSON escapes to two, with room for its other fields.
 */
export const MAX_EVENT_CHARS = 16 * 1024;
/** Origins: a node id (hex), `node:connection`, `store`, or empty. */
const ORIGIN_PATTERN = /^[\w.:-]{0,64}$/;

export type ClusterEvent =
  | { kind: 'message'; message: StoredMessage; origin: string }
  | { kind: 'presence'; presence: PresenceMessage; origin: string }
  | { kind: 'direct'; message: DirectMessage; origin: string }
  | { kind: 'accountClosed'; user: string; message: string; origin: string }
  | { kind: 'group'; event: GroupEvent; origin: string }
  | { kind: 'notice'; notice: NoticeMessage; origin: string }
  | { kind: 'accountMessage'; sent: AccountMessage; origin: string };

/** An event that breaks the rules: why, for the log (never its content). */
export class ForgedEventError extends Error {
  override readonly name = 'ForgedEventError';
}

function reject(why: string): never {
  throw new ForgedEventError(why);
}

function checkName(value: string, field: string): void {
  if (!isValidName(value)) reject(`'${field}' is not a valid name`);
}

function checkText(value: string, field: string, maxBytes?: number): void {
  const problem = textProblem(value);
  if (problem !== undefined) reject(`'${field}': ${problem}`);
  if (maxBytes !== undefined && Buffer.byteLength(value, 'utf8') > maxBytes) reject(`'${field}' is over ${maxBytes} bytes`);
}

function checkOrigin(value: unknown): string {
  if (typeof value !== 'string' || !ORIGIN_PATTERN.test(value)) reject('bad origin');
  return value;
}

/** A stored message as any client could have sent it: valid names, text by the text rule, seq from 1. */
export function checkStoredMessage(message: StoredMessage): StoredMessage {
  checkName(message.group, 'group');
  checkName(message.from, 'from');
  checkText(message.text, 'text');
  if (message.seq < 1) reject('seq below 1');
  if (message.deleted !== undefined) checkName(message.deleted.by, 'deleted.by');
  return message;
}

function checkGroupEvent(event: GroupEvent): GroupEvent {
  checkName(event.group, 'group');
  checkName(event.by, 'by');
  if (event.kind === 'topic' && event.topic !== '') checkText(event.topic, 'topic', MAX_TOPIC_BYTES);
  if (event.kind === 'role') checkName(event.user, 'user');
  if (event.kind === 'kicked') {
    checkName(event.user, 'user');
    if (event.reason !== undefined && event.reason !== '') checkText(event.reason, 'reason', MAX_REASON_BYTES);
  }
  return event;
}

/** The event in `payload`; a ForgedEventError (or a parse error) when it is not one that a node sends. */
export function readClusterEvent(payload: string): ClusterEvent {
  if (payload.length > MAX_EVENT_CHARS) reject(`${payload.length} characters, over ${MAX_EVENT_CHARS}`);
  const kind = payload[0];
  if (kind === EVENT_MESSAGE) {
    const newline = payload.indexOf('\n');
    if (newline < 0) reject('no origin line');
    return { kind: 'message', origin: checkOrigin(payload.slice(1, newline)), message: checkStoredMessage(readStoredMessage(payload.slice(newline + 1))) };
  }
  const event: unknown = JSON.parse(payload.slice(1));
  if (!isPlainObject(event)) reject('not a map');
  const origin = checkOrigin(event['origin']);
  const body = event['body'];
  switch (kind) {
    case EVENT_GROUP: {
      const groupEvent = parseGroupEvent(body);
      if (groupEvent === undefined) reject('not a group event');
      return { kind: 'group', origin, event: checkGroupEvent(groupEvent) };
    }
    case EVENT_ACCOUNT_CLOSED: {
      if (!isPlainObject(body) || typeof body['user'] !== 'string' || typeof body['message'] !== 'string') reject('not an account closure');
      checkName(body['user'], 'user');
      checkText(body['message'], 'message');
      return { kind: 'accountClosed', origin, user: body['user'], message: body['message'] };
    }
    case EVENT_PRESENCE: {
      const presence = parseServerValue(body);
      if (presence.type !== 'presence') reject('not a presence');
      checkName(presence.group, 'group');
      checkName(presence.user, 'user');
      if (presence.by !== undefined) checkName(presence.by, 'by');
      if (presence.reason !== undefined && presence.reason !== '') checkText(presence.reason, 'reason', MAX_REASON_BYTES);
      return { kind: 'presence', origin, presence };
    }
    case EVENT_DIRECT: {
      const message = parseServerValue(body);
      if (message.type !== 'dm') reject('not a dm');
      checkName(message.from, 'from');
      checkName(message.to, 'to');
      checkText(message.text, 'text');
      if (message.seq !== undefined && message.seq < 1) reject('seq below 1');
      return { kind: 'direct', origin, message };
    }
    case EVENT_NOTICE: {
      const notice = parseServerValue(body);
      if (notice.type !== 'notice') reject('not a notice');
      checkName(notice.by, 'by');
      checkText(notice.text, 'text');
      return { kind: 'notice', origin, notice };
    }
    case EVENT_ACCOUNT_MESSAGE: {
      const sent = parseAccountMessage(body);
      if (sent === undefined) reject('not an account message');
      checkName(sent.user, 'user');
      checkName(sent.message.user, 'message.user');
      checkName(sent.message.by, 'message.by');
      return { kind: 'accountMessage', origin, sent };
    }
    default:
      return reject('unknown kind');
  }
}
