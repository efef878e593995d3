/**
 * The January conversation additions on the client's side of the wire: the
 * replies `conversations`, `dm_history` and `blocked`, and a stored direct
 * message read back from a store's JSON. server-message-parse.ts hands these
 * types over to here.
 */
import { optionalDeletion } from './deletion-parse.js';
import { FieldReader } from './field-reader.js';
import type { BlockedReply, ConversationsReply, ConversationSummary, DmHistoryReply, StoredDirectMessage } from './messages.js';

function storedDirect(value: unknown, parent: FieldReader): StoredDirectMessage {
  const read: FieldReader = parent.nested(value);
  return {
    from: read.string('from'), to: read.string('to'), seq: read.uint('seq'), text: read.string('text'), ts: read.uint('ts'),
    ...optionalDeletion(value, read),
  };
}

function conversationSummary(value: unknown, parent: FieldReader): ConversationSummary {
  const read: FieldReader = parent.nested(value);
  return { user: read.string('user'), last_seq: read.uint('last_seq'), last_ts: read.uint('last_ts'), unread: read.uint('unread') };
}

function userName(value: unknown, parent: FieldReader): string {
  if (typeof value !== 'string') parent.fail('bad_message', 'user names must be strings');
  return value;
}

type ConversationReply = ConversationsReply | DmHistoryReply | BlockedReply;

/** One of the three replies, from a frame body read by `read`; `withId` is the request id already read. */
export function parseConversationReply(type: ConversationReply['type'], read: FieldReader, withId: { id?: number }): ConversationReply {
  switch (type) {
    case 'conversations': {
      const more = read.optionalBoolean('more');
      return { type, ...withId, conversations: read.list('conversations', conversationSummary), ...(more === undefined ? {} : { more }) };
    }
    case 'dm_history':
      return { type, ...withId, user: read.string('user'), messages: read.list('messages', storedDirect), more: read.boolean('more') };
    case 'blocked': {
      const more = read.optionalBoolean('more');
      return { type, ...withId, users: read.list('users', userName), ...(more === undefined ? {} : { more }) };
    }
  }
}

/** A stored direct message from elsewhere than a frame (a store's JSON), or a `bad_message` ProtocolError. */
export function parseStoredDirect(value: unknown): StoredDirectMessage {
  return storedDirect(value, new FieldReader({}, undefined));
}
