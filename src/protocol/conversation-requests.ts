/**
 * The January conversation requests on the server's side of the wire:
 * `conversations`, `dm_history`, `block`/`unblock`, `blocked`, and `mark_read`
 * (with `group` as before, or with `user`). validate.ts hands these types
 * over to here. A malformed user name cannot name anyone, so it fails as the
 * lookup would: `no_such_user`.
 */
import type { FieldReader } from './field-reader.js';
import { HISTORY_MAX_LIMIT } from './limits.js';
import type {
  BlockedRequest, BlockRequest, ConversationsRequest, DmHistoryRequest, MarkConversationReadRequest, MarkReadRequest,
} from './messages.js';

type ConversationRequest = ConversationsRequest | DmHistoryRequest | BlockRequest | BlockedRequest;

export function parseConversationRequest(type: ConversationRequest['type'], read: FieldReader, withId: { id?: number }): ConversationRequest {
  switch (type) {
    case 'conversations':
    case 'blocked': {
      const after = read.optionalName('after');
      return after === undefined ? { type, ...withId } : { type, ...withId, after };
    }
    case 'dm_history': {
      const user = read.name('user', 'no_such_user');
      const before = read.optionalUint('before');
      const since = read.optionalUint('since');
      if (before !== undefined && since !== undefined) read.fail('bad_message', `give 'before' or 'since', not both`);
      const limit = read.optionalUint('limit', 1, HISTORY_MAX_LIMIT);
      return {
        type, ...withId, user,
        ...(before === undefined ? {} : { before }), ...(since === undefined ? {} : { since }), ...(limit === undefined ? {} : { limit }),
      };
    }
    case 'block':
    case 'unblock':
      return { type, ...withId, user: read.name('user', 'no_such_user') };
  }
}

/** `group` (a group) or, in its place, `user` (January: the conversation with that user); both at once is `bad_message`. */
export function groupOrUser(read: FieldReader): { group: string } | { user: string } {
  const hasUser = read.has('user') && read.optionalString('user') !== undefined;
  if (!hasUser) return { group: read.name('group', 'no_such_group') };
  if (read.optionalString('group') !== undefined) read.fail('bad_message', `give 'group' or 'user', not both`);
  return { user: read.name('user', 'no_such_user') };
}

/** `mark_read` with `group` (December) or, in its place, `user` (January). */
export function parseMarkRead(read: FieldReader, withId: { id?: number }): MarkReadRequest | MarkConversationReadRequest {
  return { type: 'mark_read', ...withId, ...groupOrUser(read), seq: read.uint('seq') };
}
