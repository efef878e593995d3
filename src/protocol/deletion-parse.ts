/** A stored message's `deleted` {by, ts} (January addition), read for a group's messages and a conversation's alike. */
import type { FieldReader } from './field-reader.js';
import { isPlainObject } from './frame.js';
import type { MessageDeletion } from './messages.js';

/** `{deleted}` when `message` (already read as a map by `read`) has one, else `{}`; a malformed one is `bad_message`. */
export function optionalDeletion(message: unknown, read: FieldReader): { deleted?: MessageDeletion } {
  const value = isPlainObject(message) ? message['deleted'] : undefined;
  if (value === undefined || value === null) return {};
  const deletion: FieldReader = read.nested(value);
  return { deleted: { by: deletion.string('by'), ts: deletion.uint('ts') } };
}
