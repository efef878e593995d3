/**
 * Every message of docs/protocol.md as a TypeScript type, for both
 * directions. Field names are the wire names.
 */
import type { ErrorCode } from './errors.js';

/** A message as stored and as delivered in `msg` (without `type`). */
export interface StoredMessage {
  group: string;
  seq: number;
  from: string;
  text: string;
  ts: number;
  /** January addition: the message was removed (`delete_message`); its `text` is then DELETED_TEXT. */
  deleted?: MessageDeletion;
}

/** Who removed a stored message, and when (ms since the epoch). */
export interface MessageDeletion { by: string; ts: number }
/** The `text` of a removed message, in every reply that holds it (protocol.md, "Removing a message"). */
export const DELETED_TEXT = '(message deleted)';

/** January addition: a direct message as stored in the conversation of its two accounts (`seq` counts from 1 in each conversation). */
export interface StoredDirectMessage {
  from: string;
  to: string;
  seq: number;
  text: string;
  ts: number;
  /** January addition: removed by its author (`delete_message` with `user`); its `text` is then DELETED_TEXT. */
  deleted?: MessageDeletion;
}

/** An account's server-wide role (December additions). */
export type AccountRole = 'user' | 'admin';
export const ACCOUNT_ROLES: readonly AccountRole[] = ['user', 'admin'];

// ---- client to server ------------------------------------------------------

interface RequestBase {
  /** Unsigned integer below 2^32; every reply to the request echoes it. */
  id?: number;
}

export interface RegisterRequest extends RequestBase { type: 'register'; user: string; password: string }
export interface PasswordLoginRequest extends RequestBase { type: 'login'; user: string; password: string }
/** An addition: `resume_token` (of an earlier `auth_ok`) in place of `password`; with both, the password counts. */
export interface TokenLoginRequest extends RequestBase { type: 'login'; user: string; resume_token: string }
export type LoginRequest = PasswordLoginRequest | TokenLoginRequest;
/** `after` (an addition): only groups whose name key sorts after it (paging). */
export interface ListGroupsRequest extends RequestBase { type: 'list_groups'; after?: string }
/** `private` (December addition): only its owner, moderators, invited users and admins see it. */
export interface CreateGroupRequest extends RequestBase { type: 'create_group'; group: string; private?: boolean }
/** `keep` (January addition): stay in the groups the connection is in and add this one (it becomes current). */
export interface JoinRequest extends RequestBase { type: 'join'; group: string; since?: number; keep?: boolean }
/** `group` on say/who/history/leave (January addition): one of the groups the connection is in; absent: the current one. */
export interface SayRequest extends RequestBase { type: 'say'; text: string; group?: string }
/** `after` (an addition): only users whose name key sorts after it (paging). */
export interface WhoRequest extends RequestBase { type: 'who'; after?: string; group?: string }
export interface HistoryRequest extends RequestBase { type: 'history'; before?: number; limit?: number; group?: string }
export interface LeaveRequest extends RequestBase { type: 'leave'; group?: string }
export interface DmRequest extends RequestBase { type: 'dm'; to: string; text: string }
export interface PingRequest extends RequestBase { type: 'ping' }
export interface ByeRequest extends RequestBase { type: 'bye' }
/** The account changes its own password. */
export interface PasswdRequest extends RequestBase { type: 'passwd'; old: string; new: string }
/** Admin only: the account's connections close with `account_disabled`, its logins are refused. */
export interface DisableUserRequest extends RequestBase { type: 'disable_user'; user: string; reason?: string }
export interface EnableUserRequest extends RequestBase { type: 'enable_user'; user: string; reason?: string }
/** Admin only: sets another account's password. */
export interface ResetPasswordRequest extends RequestBase { type: 'reset_password'; user: string; password: string }
/** Moderation requests (December additions); `topic` is 0..300 bytes of text (empty: none). */
export interface SetTopicRequest extends RequestBase { type: 'set_topic'; group: string; topic: string }
export interface InviteRequest extends RequestBase { type: 'invite' | 'uninvite'; group: string; user: string }
export interface KickRequest extends RequestBase { type: 'kick' | 'ban' | 'unban'; group: string; user: string; reason?: string }
export type GroupRoleName = 'moderator' | 'member';
export interface SetRoleRequest extends RequestBase { type: 'set_role'; group: string; user: string; role: GroupRoleName }
export interface DeleteGroupRequest extends RequestBase { type: 'delete_group'; group: string }
/** December addition: moves the caller's read marker in `group` forward to `seq` (never back). */
export interface MarkReadRequest extends RequestBase { type: 'mark_read'; group: string; seq: number }
/** January addition, admins only: `text` (as `say`'s) goes to every signed-in connection on every node. */
export interface NoticeRequest extends RequestBase { type: 'notice'; text: string }
/** January addition: removes message `seq` of `group` (by its author, the group's owner or moderators, an admin). */
export interface DeleteGroupMessageRequest extends RequestBase { type: 'delete_message'; group: string; seq: number }
/** January addition: removes message `seq` of the conversation with `user` (by its author). */
export interface DeleteDirectMessageRequest extends RequestBase { type: 'delete_message'; user: string; seq: number }
export type DeleteMessageRequest = DeleteGroupMessageRequest | DeleteDirectMessageRequest;
/** January addition: `mark_read` with `user` in place of `group` moves the caller's marker in the conversation with that user. */
export interface MarkConversationReadRequest extends RequestBase { type: 'mark_read'; user: string; seq: number }
/** January addition: the caller's conversations, by user name key after `after` (paging). */
export interface ConversationsRequest extends RequestBase { type: 'conversations'; after?: string }
/** January addition: a conversation's messages, `before` (the newest page below it) or `since` (those after it), never both. */
export interface DmHistoryRequest extends RequestBase { type: 'dm_history'; user: string; before?: number; since?: number; limit?: number }
/** January addition: the blocked user's `dm` to the caller gets `blocked`. */
export interface BlockRequest extends RequestBase { type: 'block' | 'unblock'; user: string }
/** January addition: the users the caller blocks; `after` (an addition): paging, as `list_groups`. */
export interface BlockedRequest extends RequestBase { type: 'blocked'; after?: string }

export type Request =
  | RegisterRequest
  | LoginRequest
  | ListGroupsRequest
  | CreateGroupRequest
  | JoinRequest
  | SayRequest
  | WhoRequest
  | HistoryRequest
  | LeaveRequest
  | DmRequest
  | PingRequest
  | ByeRequest
  | PasswdRequest
  | DisableUserRequest
  | EnableUserRequest
  | ResetPasswordRequest
  | SetTopicRequest
  | InviteRequest
  | KickRequest
  | SetRoleRequest
  | DeleteGroupRequest
  | MarkReadRequest
  | NoticeRequest
  | DeleteMessageRequest
  | MarkConversationReadRequest
  | ConversationsRequest
  | DmHistoryRequest
  | BlockRequest
  | BlockedRequest;

export type RequestType = Request['type'];

export const REQUEST_TYPES: readonly RequestType[] = [
  'register', 'login', 'list_groups', 'create_group', 'join', 'say',
  'who', 'history', 'leave', 'dm', 'ping', 'bye',
  'passwd', 'disable_user', 'enable_user', 'reset_password',
  'set_topic', 'invite', 'uninvite', 'kick', 'ban', 'unban', 'set_role', 'delete_group',
  'mark_read', 'notice',
  'delete_message',
  'conversations', 'dm_history', 'block', 'unblock', 'blocked',
];

// ---- server to client ------------------------------------------------------

interface ReplyBase {
  /** Echo of the request's id, when it had one. */
  id?: number;
}

/** `idle_timeout` (an addition): seconds without a frame from the client before the server closes it. */
export interface WelcomeMessage { type: 'welcome'; version: number; server: string; max_frame: number; registration: boolean; idle_timeout?: number }
export interface ChatMessage extends StoredMessage { type: 'msg' }
/**
 * `by`, `reason`, `banned` (January additions, optional): a `leave` caused by
 * `kick` or `ban` says who removed the user, why (when given), and whether for good.
 */
export interface PresenceMessage { type: 'presence'; group: string; user: string; event: 'join' | 'leave'; by?: string; reason?: string; banned?: boolean }
/** `seq` (January addition, always sent by this server): its place in the conversation. */
export interface DirectMessage { type: 'dm'; from: string; to: string; text: string; ts: number; seq?: number }
export interface ErrorMessage { type: 'error'; code: ErrorCode; message: string; id?: number }
export interface ShutdownMessage { type: 'shutdown'; message: string }
/**
 * December addition: messages arrived in a group the recipient joined before
 * but is not in now (at most one per group per second per connection, the
 * latest counts). `unread`: messages after the account's read marker;
 * `mention`: one of the messages it stands for mentioned the recipient (its name as a word, protocol/mentions.ts).
 */
export interface ActivityMessage { type: 'activity'; group: string; last_seq: number; unread: number; mention: boolean }

/**
 * `role` (December addition): always sent by this server; absent from older ones.
 * `resume_token` (an addition): signs this account in once more, instead of its password.
 */
export interface AuthOkReply extends ReplyBase { type: 'auth_ok'; user: string; role?: AccountRole; resume_token?: string }
/**
 * December additions: `topic`, `private`, `last_seq`, `unread` (messages after
 * the caller's read marker; null where the caller never joined the group).
 * Optional here: a server older than the additions leaves them out.
 */
export interface GroupSummary { name: string; members: number; topic?: string; private?: boolean; last_seq?: number; unread?: number | null }
/** `more` (an addition): the list was cut to fit max_frame. */
export interface GroupsReply extends ReplyBase { type: 'groups'; groups: GroupSummary[]; more?: boolean }
export interface GroupCreatedReply extends ReplyBase { type: 'group_created'; group: string }
export interface JoinedReply extends ReplyBase {
  type: 'joined';
  group: string;
  members: string[];
  last_seq: number;
  history: StoredMessage[];
  more: boolean;
  /** An addition: `members` was cut to fit max_frame (it then holds the first names by name key; `who` with `after` gives the rest). */
  members_more?: boolean;
  /** December additions, always sent by this server: the joiner's role in the group, its owner (null: none), its topic (empty: none). */
  role?: 'owner' | 'moderator' | 'member';
  owner?: string | null;
  topic?: string;
  /** Retention (December addition, always sent by this server): the oldest seq kept; `last_seq` + 1 when none is kept. */
  first_seq?: number;
  /** An addition, as `members.roles`: name → role for the names of `members` that have one. */
  roles?: Record<string, MemberRole>;
}
/** `seq`: the message's place in its group (`say`) or conversation (`dm`, January addition). */
export interface AckReply extends ReplyBase { type: 'ack'; seq?: number; ts: number }
/** What `roles` (an addition) says of a name in a `members` or `joined` page; a member has none. */
export type MemberRole = 'owner' | 'moderator' | 'admin';
/**
 * `more` (an addition): the list was cut to fit max_frame. `roles` (an
 * addition): name → role for the names of `members` that have one.
 */
export interface MembersReply extends ReplyBase { type: 'members'; group: string; members: string[]; more?: boolean; roles?: Record<string, MemberRole> }
export interface HistoryReply extends ReplyBase { type: 'history'; group: string; messages: StoredMessage[]; more: boolean }
export interface LeftReply extends ReplyBase { type: 'left'; group: string }
export interface PongReply extends ReplyBase { type: 'pong' }
/** December addition: the success reply of `passwd`, `disable_user`, `enable_user`, `reset_password` and later requests. */
export interface OkReply extends ReplyBase { type: 'ok' }
/** January addition: one conversation of the caller; `unread`: messages from `user` after the caller's marker. */
export interface ConversationSummary { user: string; last_seq: number; last_ts: number; unread: number }
/** `more`: later conversations exist (ask again with `after` = the last `user`). */
export interface ConversationsReply extends ReplyBase { type: 'conversations'; conversations: ConversationSummary[]; more?: boolean }
export interface DmHistoryReply extends ReplyBase { type: 'dm_history'; user: string; messages: StoredDirectMessage[]; more: boolean }
/** `more` (an addition): later names exist (ask again with `after`). */
export interface BlockedReply extends ReplyBase { type: 'blocked'; users: string[]; more?: boolean }

/** December additions, unsolicited: the topic of the recipient's current group changed. */
export interface TopicMessage { type: 'topic'; group: string; topic: string; by: string }
/** The recipient was removed from its current group (and is now in GROUP_SELECT). */
export interface KickedMessage { type: 'kicked'; group: string; by: string; reason?: string; banned: boolean }
/** The recipient's current group was deleted (and it is now in GROUP_SELECT). */
export interface GroupDeletedMessage { type: 'group_deleted'; group: string; by: string }
/** January addition, unsolicited: `set_role` changed `user`'s role in `group` (sent to everyone in it, the target included). */
export interface RoleMessage { type: 'role'; group: string; user: string; role: GroupRoleName; by: string }
/** January addition, unsolicited: the account's server-wide role changed. */
export interface AccountRoleMessage { type: 'account_role'; role: AccountRole }
/** January addition, unsolicited: an admin's `notice` to every signed-in connection. */
export interface NoticeMessage { type: 'notice'; text: string; by: string; ts: number }
/**
 * January addition, unsolicited: message `seq` was removed by `by`, in `group`, or in the
 * conversation with `user` (the other side of it, for each recipient).
 */
export type MessageDeletedMessage =
  | { type: 'message_deleted'; group: string; seq: number; by: string }
  | { type: 'message_deleted'; user: string; seq: number; by: string };
/** A conversation's `message_deleted`, as one side's connections get it (`user`: the other side). */
export type DirectMessageDeleted = Extract<MessageDeletedMessage, { user: string }>;

/** What moves a connection out of its group without its asking: the three above. */
export type GroupNotice = TopicMessage | KickedMessage | GroupDeletedMessage;

/** A reply that answers a request (and so may carry its id). */
export type Reply =
  | AuthOkReply
  | GroupsReply
  | GroupCreatedReply
  | JoinedReply
  | AckReply
  | MembersReply
  | HistoryReply
  | LeftReply
  | PongReply
  | OkReply
  | ConversationsReply
  | DmHistoryReply
  | BlockedReply;

export type ServerMessage =
  | WelcomeMessage
  | ChatMessage
  | PresenceMessage
  | DirectMessage
  | ErrorMessage
  | ShutdownMessage
  | TopicMessage
  | KickedMessage
  | GroupDeletedMessage
  | ActivityMessage
  | RoleMessage
  | AccountRoleMessage
  | NoticeMessage
  | MessageDeletedMessage
  | Reply;

// ---- December additions: moderation and read markers (protocol.md) ---------

/** A user's role in a group (`joined.role`). */
export type GroupRole = NonNullable<JoinedReply['role']>;

/** The notices a client handles: the group notices, `activity`, and the January role notices. */
export type ModerationNotice = GroupNotice | ActivityMessage | RoleMessage | AccountRoleMessage;
