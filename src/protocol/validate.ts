/**
 * The only way from a decoded frame body (`unknown` values) to a typed message.
 * `parseRequest` is the server's; the client's `parseServerMessage` is in
 * server-message-parse.ts.
 * Every failure is a ProtocolError with the spec's code.
 */
import { ProtocolError } from './errors.js';
import { groupOrUser, parseConversationRequest, parseMarkRead } from './conversation-requests.js';
import { FieldReader } from './field-reader.js';
import { type FrameBody, requestIdOf } from './frame.js';
import { HISTORY_MAX_LIMIT, MAX_PASSWORD_BYTES, MAX_RESUME_TOKEN_LENGTH, MAX_TOPIC_BYTES, MIN_PASSWORD_BYTES } from './limits.js';
import type { Request } from './messages.js';

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

/** `group` of say/who/history/leave (January addition): absent or null, the current group; a malformed name is no group the connection is in. */
function openGroup(read: FieldReader): { group?: string } {
  if (read.optionalString('group') === undefined) return {};
  return { group: read.name('group', 'not_in_group') };
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
    case 'login': {
      // Any string: a malformed name is an unknown user, judged (and timed) by the login itself.
      const user = read.string('user');
      if (body['password'] !== undefined || body['resume_token'] === undefined) return { type, ...withId, user, password: read.password('password', 0) };
      const token = read.string('resume_token');
      if (token.length > MAX_RESUME_TOKEN_LENGTH) read.fail('bad_message', `'resume_token' is over ${MAX_RESUME_TOKEN_LENGTH} characters`);
      return { type, ...withId, user, resume_token: token };
    }
    case 'create_group': {
      const group = read.name('group', 'invalid_name');
      return read.optionalBoolean('private') === true ? { type, ...withId, group, private: true } : { type, ...withId, group };
    }
    case 'join': {
      const group = read.name('group', 'no_such_group');
      const since = read.optionalUint('since');
      const keep = read.optionalBoolean('keep') === true ? { keep: true } : {};
      return since === undefined ? { type, ...withId, group, ...keep } : { type, ...withId, group, since, ...keep };
    }
    case 'say':
      return { type, ...withId, text: read.text('text'), ...openGroup(read) };
    case 'notice':
      return { type, ...withId, text: read.text('text') };
    case 'history': {
      const before = read.optionalUint('before');
      const limit = read.optionalUint('limit', 1, HISTORY_MAX_LIMIT);
      return {
        type, ...withId,
        ...(before === undefined ? {} : { before }),
        ...(limit === undefined ? {} : { limit }),
        ...openGroup(read),
      };
    }
    case 'dm':
      return { type, ...withId, to: read.name('to', 'no_such_user'), text: read.text('text') };
    case 'list_groups': {
      const after = read.optionalName('after');
      return after === undefined ? { type, ...withId } : { type, ...withId, after };
    }
    case 'who': {
      const after = read.optionalName('after');
      return { type, ...withId, ...(after === undefined ? {} : { after }), ...openGroup(read) };
    }
    case 'leave':
      return { type, ...withId, ...openGroup(read) };
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
      return parseMarkRead(read, withId);
    case 'delete_message':
      return { type, ...withId, ...groupOrUser(read), seq: read.uint('seq') };
    case 'conversations':
    case 'dm_history':
    case 'block':
    case 'unblock':
    case 'blocked':
      return parseConversationRequest(type, read, withId);
    default:
      return read.fail('bad_message', typeof type === 'string' ? `unknown type ${JSON.stringify(type.slice(0, 64))}` : `'type' must be a string`);
  }
}
