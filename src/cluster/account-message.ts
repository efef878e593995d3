/**
 * A server message for every connection of one account, on every node
 * (January addition). So far a conversation's `message_deleted`, which each
 * side of the conversation gets with the other side as `user`.
 */
import { isPlainObject } from '../protocol/frame.js';
import type { DirectMessageDeleted } from '../protocol/messages.js';

export interface AccountMessage {
  /** The account whose connections get it. */
  user: string;
  message: DirectMessageDeleted;
}

/** An account message as another node sent it; undefined when it is not one. */
export function parseAccountMessage(value: unknown): AccountMessage | undefined {
  if (!isPlainObject(value) || typeof value['user'] !== 'string' || !isPlainObject(value['message'])) return undefined;
  const { type, user, seq, by } = value['message'];
  if (type !== 'message_deleted' || typeof user !== 'string' || typeof by !== 'string') return undefined;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { user: value['user'], message: { type, user, seq, by } };
}
