/**
 * The only way from a decoded frame body (`unknown` values) to a typed message.
 * `parseRequest` is the server's; `parseServerMessage` is the client's.
 * Every failure is a ProtocolError with the spec's code.
 */
import { isErrorCode, ProtocolError } from './errors.js';
import { FieldReader } from './field-reader.js';
import { type FrameBody, isPlainObject, requestIdOf } from './frame.js';
import { HISTORY_MAX_LIMIT, MAX_PASSWORD_BYTES, MAX_TOPIC_BYTES, MIN_PASSWORD_BYTES } from './limits.js';
import type { GroupRole, GroupSummary, Request, ServerMessage, StoredMessage } from './messages.js';

export { textProblem } from './field-reader.js';

/** Why a new account's password would be refused, or undefined when it would not. */
export function newPasswordProblem(password: string): string | undefined {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < MIN_PASSWORD_BYTES) return `passwords need at least ${MIN_PASSWORD_BYTES} bytes`;
  if (bytes > MAX_PASSWORD_BYTES) return `passwords have at most ${MAX_PASSWORD_BYTES} bytes`;
  return undefined;
}

/**
 * A typed request, or a ProtocolError: `bad_message` for an unknown type or a
 * field of the wrong kind; `invalid_name`/`weak_password` for `register` and
 * `create_group`. A malformed name in `join` or `dm` cannot name anything,
 * so it fails as the lookup would: `no_such_group`, `no_such_user`; `login`
 * takes any string and fails it as an unknown user.
 */
/** A topic: text of at most MAX_TOPIC_BYTES, or empty (none). */
function topic(read: FieldReader, key: string): string {
  const value = read.string(key);
  if (value === '') return value;
  if (Buffer.byteLength(value, 'utf8') > MAX_TOPIC_BYTES) read.fail('bad_message', `'${key}' is over ${MAX_TOPIC_BYTES} bytes`);
  return read.text(key);
}

export function parseRequest(body: FrameBody): Request {
  const rawId = body['id'];
  const id = requestIdOf(body);
  if (rawId !== undefined && id === undefined) {
    throw new ProtocolError('bad_message', `'id' must be an unsigned integer below 2^32`);
  }
  const withId = id === undefined ? {} : { id };
  const read: FieldReader = new FieldReader(body, id);
  const type = body['type'];
  switch (type) {
    case 'register':
      return { type, ...withId, user: read.name('user', 'invalid_name'), password: read.password('password', MIN_PASSWORD_BYTES) };
    case 'login':
      // Any string: a malformed name is an unknown user, judged (and timed) by the login itself.
      return { type, ...withId, user: read.string('user'), password: read.password('password', 0) };
    case 'create_group': {
      const group = read.name('group', 'invalid_name');
      return read.optionalBoolean('private') === true ? { type, ...withId, group, private: true } : { type, ...withId, group };
    }
    case 'join': {
      const group = read.name('group', 'no_such_group');
      const since = read.optionalUint('since');
      return since === undefined ? { type, ...withId, group } : { type, ...withId, group, since };
    }
    case 'say':
    case 'notice':
      return { type, ...withId, text: read.text('text') };
    case 'history': {
      const before = read.optionalUint('before');
      const limit = read.optionalUint('limit', 1, HISTORY_MAX_LIMIT);
      return {
        type, ...withId,
        ...(before === undefined ? {} : { before }),
        ...(limit === undefined ? {} : { limit }),
      };
    }
    case 'dm':
      return { type, ...withId, to: read.name('to', 'no_such_user'), text: read.text('text') };
    case 'list_groups':
    case 'who': {
      const after = read.optionalName('after');
      return after === undefined ? { type, ...withId } : { type, ...withId, after };
    }
    case 'leave':
    case 'ping':
    case 'bye':
      return { type, ...withId };
    case 'passwd':
      return { type, ...withId, old: read.password('old', 0), new: read.password('new', MIN_PASSWORD_BYTES) };
    case 'disable_user':
    case 'enable_user': {
      const reason = read.optionalReason('reason');
      return { type, ...withId, user: read.name('user', 'no_such_user'), ...(reason === undefined ? {} : { reason }) };
    }
    case 'reset_password':
      return { type, ...withId, user: read.name('user', 'no_such_user'), password: read.password('password', MIN_PASSWORD_BYTES) };
    // Moderation: a malformed group or user name cannot name anything, so it fails as the lookup would.
    case 'set_topic':
      return { type, ...withId, group: read.name('group', 'no_such_group'), topic: topic(read, 'topic') };
    case 'invite':
    case 'uninvite':
      return { type, ...withId, group: read.name('group', 'no_such_group'), user: read.name('user', 'no_such_user') };
    case 'kick':
    case 'ban':
    case 'unban': {
      const group = read.name('group', 'no_such_group');
      const user = read.name('user', 'no_such_user');
      const reason = read.optionalReason('reason');
      return { type, ...withId, group, user, ...(reason === undefined ? {} : { reason }) };
    }
    case 'set_role': {
      const group = read.name('group', 'no_such_group');
      const user = read.name('user', 'no_such_user');
      const role = read.string('role');
      if (role !== 'moderator' && role !== 'member') read.fail('bad_message', `'role' must be 'moderator' or 'member'`);
      return { type, ...withId, group, user, role };
    }
    case 'delete_group':
      return { type, ...withId, group: read.name('group', 'no_such_group') };
    case 'mark_read':
      return { type, ...withId, group: read.name('group', 'no_such_group'), seq: read.uint('seq') };
    default:
      return read.fail('bad_message', typeof type === 'string' ? `unknown type ${JSON.stringify(type.slice(0, 64))}` : `'type' must be a string`);
  }
}

function storedMessage(value: unknown, parent: FieldReader): StoredMessage {
  const read: FieldReader = parent.nested(value);
  return { group: read.string('group'), seq: read.uint('seq'), from: read.string('from'), text: read.string('text'), ts: read.uint('ts') };
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
    case 'dm':
      return { type, from: read.string('from'), to: read.string('to'), text: read.string('text'), ts: read.uint('ts') };
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
      return { type, ...withId, user: read.string('user'), ...(role === undefined ? {} : { role }) };
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
    case 'activity':
      return { type, group: read.string('group'), last_seq: read.uint('last_seq'), unread: read.uint('unread'), mention: read.boolean('mention') };
    case 'ack': {
      const seq = read.optionalUint('seq');
      return { type, ...withId, ...(seq === undefined ? {} : { seq }), ts: read.uint('ts') };
    }
    case 'members': {
      const more = read.optionalBoolean('more');
      return { type, ...withId, group: read.string('group'), members: read.list('members', nameList), ...(more === undefined ? {} : { more }) };
    }
    case 'history':
      return { type, ...withId, group: read.string('group'), messages: read.list('messages', storedMessage), more: read.boolean('more') };
    case 'pong':
    case 'ok':
      return { type, ...withId };
    default:
      return read.fail('bad_message', typeof type === 'string' ? `unknown type ${JSON.stringify(type.slice(0, 64))}` : `'type' must be a string`);
  }
}

/** The server message types that parseServerMessage reads; the type makes this list complete. */
const SERVER_MESSAGE_TYPES: Readonly<Record<ServerMessage['type'], true>> = {
  welcome: true, msg: true, presence: true, dm: true, error: true, shutdown: true, auth_ok: true, groups: true,
  group_created: true, joined: true, ack: true, members: true, history: true, left: true, pong: true,
  ok: true, topic: true, kicked: true, group_deleted: true, activity: true, role: true, account_role: true, notice: true,
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
