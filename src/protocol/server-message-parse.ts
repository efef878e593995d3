/**
 * The client's side of validate.ts: from a decoded frame body (`unknown`
 * values) to a typed server message, or a `bad_message` ProtocolError. Also
 * reads stored messages and server messages that come from elsewhere than a
 * frame (a store's or a cluster peer's JSON).
 */
import { parseConversationReply } from './conversation-parse.js';
import { isErrorCode, ProtocolError } from './errors.js';
import { optionalDeletion } from './deletion-parse.js';
import { FieldReader } from './field-reader.js';
import { optionalMemberRoles } from './member-roles-parse.js';
import { type FrameBody, isPlainObject, requestIdOf } from './frame.js';
import type { GroupRole, GroupSummary, ServerMessage, StoredMessage } from './messages.js';

function storedMessage(value: unknown, parent: FieldReader): StoredMessage {
  const read: FieldReader = parent.nested(value);
  return {
    group: read.string('group'), seq: read.uint('seq'), from: read.string('from'), text: read.string('text'), ts: read.uint('ts'),
    ...optionalDeletion(value, read),
  };
}

function groupSummary(value: unknown, parent: FieldReader): GroupSummary {
  const read: FieldReader = parent.nested(value);
  // December additions, each optional (an older server leaves them out); `unread` null: never joined.
  const topic = read.optionalString('topic');
  const isPrivate = read.optionalBoolean('private');
  const lastSeq = read.optionalUint('last_seq');
  const unread = read.optionalUint('unread');
  return {
    name: read.string('name'), members: read.uint('members'),
    ...(topic === undefined ? {} : { topic }),
    ...(isPrivate === undefined ? {} : { private: isPrivate }),
    ...(lastSeq === undefined ? {} : { last_seq: lastSeq }),
    ...(unread === undefined ? (read.has('unread') ? { unread: null } : {}) : { unread }),
  };
}

function groupRole(read: FieldReader): GroupRole | undefined {
  const role = read.optionalString('role');
  if (role !== undefined && role !== 'owner' && role !== 'moderator' && role !== 'member') read.fail('bad_message', `unknown group role ${JSON.stringify(role.slice(0, 64))}`);
  return role;
}

function nameList(value: unknown, parent: FieldReader): string {
  if (typeof value !== 'string') parent.fail('bad_message', 'member names must be strings');
  return value;
}

/**
 * A stored message that comes back from elsewhere than a frame (a store's or
 * a cluster peer's JSON), or a `bad_message` ProtocolError.
 */
export function parseStoredMessage(value: unknown): StoredMessage {
  return storedMessage(value, new FieldReader({}, undefined));
}

/** A server message that comes from elsewhere than a frame (a cluster peer's JSON), or a `bad_message` ProtocolError. */
export function parseServerValue(value: unknown): ServerMessage {
  if (!isPlainObject(value)) throw new ProtocolError('bad_message', 'expected a map');
  return parseServerMessage(value);
}

/** A typed server message, or a `bad_message` ProtocolError (for clients). */
export function parseServerMessage(body: FrameBody): ServerMessage {
  const id = requestIdOf(body);
  const withId = id === undefined ? {} : { id };
  const read: FieldReader = new FieldReader(body, id);
  const type = body['type'];
  switch (type) {
    case 'welcome':
    {
      const idleTimeout = read.optionalUint('idle_timeout');
      return {
        type, version: read.uint('version'), server: read.string('server'), max_frame: read.uint('max_frame'), registration: read.boolean('registration'),
        ...(idleTimeout === undefined ? {} : { idle_timeout: idleTimeout }),
      };
    }
    case 'msg':
      return { type, ...storedMessage(body, read) };
    case 'presence': {
      const event = read.string('event');
      if (event !== 'join' && event !== 'leave') read.fail('bad_message', `unknown presence event ${JSON.stringify(String(event).slice(0, 64))}`);
      const by = read.optionalString('by');
      const reason = read.optionalString('reason');
      const banned = read.optionalBoolean('banned');
      return {
        type, group: read.string('group'), user: read.string('user'), event,
        ...(by === undefined ? {} : { by }), ...(reason === undefined ? {} : { reason }), ...(banned === undefined ? {} : { banned }),
      };
    }
    case 'dm': {
      const seq = read.optionalUint('seq'); // January addition
      return { type, from: read.string('from'), to: read.string('to'), text: read.string('text'), ts: read.uint('ts'), ...(seq === undefined ? {} : { seq }) };
    }
    case 'error': {
      const code = read.string('code');
      if (!isErrorCode(code)) read.fail('bad_message', `unknown error code ${JSON.stringify(code.slice(0, 64))}`);
      return { type, ...withId, code, message: read.string('message') };
    }
    case 'shutdown':
      return { type, message: read.string('message') };
    case 'auth_ok': {
      const role = read.optionalString('role');
      if (role !== undefined && role !== 'user' && role !== 'admin') read.fail('bad_message', `unknown role ${JSON.stringify(role.slice(0, 64))}`);
      const token = read.optionalString('resume_token');
      return { type, ...withId, user: read.string('user'), ...(role === undefined ? {} : { role }), ...(token === undefined ? {} : { resume_token: token }) };
    }
    case 'groups': {
      const more = read.optionalBoolean('more');
      return { type, ...withId, groups: read.list('groups', groupSummary), ...(more === undefined ? {} : { more }) };
    }
    case 'group_created':
    case 'left':
      return { type, ...withId, group: read.string('group') };
    case 'joined': {
      const membersMore = read.optionalBoolean('members_more');
      const role = groupRole(read);
      const owner = read.optionalString('owner');
      const topic = read.optionalString('topic');
      const firstSeq = read.optionalUint('first_seq');
      return {
        type, ...withId, group: read.string('group'), members: read.list('members', nameList),
        last_seq: read.uint('last_seq'), history: read.list('history', storedMessage), more: read.boolean('more'),
        ...(membersMore === undefined ? {} : { members_more: membersMore }),
        ...(role === undefined ? {} : { role }),
        ...(owner === undefined ? (read.has('owner') ? { owner: null } : {}) : { owner }),
        ...(topic === undefined ? {} : { topic }),
        ...(firstSeq === undefined ? {} : { first_seq: firstSeq }),
        ...optionalMemberRoles(body, read),
      };
    }
    case 'topic':
      return { type, group: read.string('group'), topic: read.string('topic'), by: read.string('by') };
    case 'kicked': {
      const reason = read.optionalString('reason');
      return { type, group: read.string('group'), by: read.string('by'), ...(reason === undefined ? {} : { reason }), banned: read.boolean('banned') };
    }
    case 'group_deleted':
      return { type, group: read.string('group'), by: read.string('by') };
    case 'role': {
      const role = read.string('role');
      if (role !== 'moderator' && role !== 'member') read.fail('bad_message', `unknown group role ${JSON.stringify(role.slice(0, 64))}`);
      return { type, group: read.string('group'), user: read.string('user'), role, by: read.string('by') };
    }
    case 'account_role': {
      const role = read.string('role');
      if (role !== 'user' && role !== 'admin') read.fail('bad_message', `unknown role ${JSON.stringify(role.slice(0, 64))}`);
      return { type, role };
    }
    case 'notice':
      return { type, text: read.string('text'), by: read.string('by'), ts: read.uint('ts') };
    case 'message_deleted': {
      const where = read.has('group') ? { group: read.string('group') } : { user: read.string('user') };
      return { type, ...where, seq: read.uint('seq'), by: read.string('by') };
    }
    case 'activity':
      return { type, group: read.string('group'), last_seq: read.uint('last_seq'), unread: read.uint('unread'), mention: read.boolean('mention') };
    case 'ack': {
      const seq = read.optionalUint('seq');
      return { type, ...withId, ...(seq === undefined ? {} : { seq }), ts: read.uint('ts') };
    }
    case 'members': {
      const more = read.optionalBoolean('more');
      return { type, ...withId, group: read.string('group'), members: read.list('members', nameList), ...(more === undefined ? {} : { more }), ...optionalMemberRoles(body, read) };
    }
    case 'history':
      return { type, ...withId, group: read.string('group'), messages: read.list('messages', storedMessage), more: read.boolean('more') };
    case 'pong':
    case 'ok':
      return { type, ...withId };
    case 'conversations':
    case 'dm_history':
    case 'blocked':
      return parseConversationReply(type, read, withId);
    default:
      return read.fail('bad_message', typeof type === 'string' ? `unknown type ${JSON.stringify(type.slice(0, 64))}` : `'type' must be a string`);
  }
}

/** The server message types that parseServerMessage reads; the type makes this list complete. */
const SERVER_MESSAGE_TYPES: Readonly<Record<ServerMessage['type'], true>> = {
  welcome: true, msg: true, presence: true, dm: true, error: true, shutdown: true, auth_ok: true, groups: true,
  group_created: true, joined: true, ack: true, members: true, history: true, left: true, pong: true,
  ok: true, conversations: true, dm_history: true, blocked: true, topic: true, kicked: true, group_deleted: true, activity: true, role: true, account_role: true, notice: true,
  message_deleted: true,
};

/**
 * Whether `body` is a message of a type this code does not know (a newer
 * addition) that answers no request: a client may ignore it (protocol.md).
 * A body with an `id` is a reply, and a reply of an unknown type still fails.
 */
export function isUnknownUnsolicited(body: FrameBody): boolean {
  const type = body['type'];
  return typeof type === 'string' && !Object.hasOwn(SERVER_MESSAGE_TYPES, type) && body['id'] === undefined;
}
