/**
 * The requests the client sends, each built in one place: the ChatClient,
 * sign-in and the chat screen's parts send through these (on a
 * ProtocolClient, or the screen's connection). Each resolves with its reply;
 * an `error` reply rejects with its code (ProtocolClient.call).
 */
import type {
  AckReply, BlockedReply, ConversationsReply, DmHistoryReply, GroupsReply, HistoryReply, JoinedReply, LeftReply, MembersReply, ServerMessage,
} from '../../protocol/messages.js';
import type { Outgoing, ReplyOfType } from '../client.js';

/** What sends a request and waits for its reply: a ProtocolClient, the chat screen's connection, a fake in tests. */
export interface Caller {
  call<T extends ServerMessage['type']>(request: Outgoing, expect: T): Promise<ReplyOfType<T>>;
}

export function logIn(caller: Caller, user: string, password: string, register: boolean): Promise<ReplyOfType<'auth_ok'>> {
  return caller.call(register ? { type: 'register', user, password } : { type: 'login', user, password }, 'auth_ok');
}

/** Logs in with the resume token of an earlier `auth_ok` (an addition) instead of the password. */
export function logInWithToken(caller: Caller, user: string, token: string): Promise<ReplyOfType<'auth_ok'>> {
  return caller.call({ type: 'login', user, resume_token: token }, 'auth_ok');
}

export function createGroup(caller: Caller, group: string, options: { private?: boolean } = {}): Promise<ReplyOfType<'group_created'>> {
  return caller.call(options.private === true ? { type: 'create_group', group, private: true } : { type: 'create_group', group }, 'group_created');
}

/** Joins `group`; with `since`, the messages after it (a resume, or unread ones); with `keep`, staying in the other groups. */
export function join(caller: Caller, group: string, since?: number, keep = false): Promise<JoinedReply> {
  return caller.call({ type: 'join', group, ...(since === undefined ? {} : { since }), ...(keep ? { keep } : {}) }, 'joined');
}

/** Leaves `group` (without one: the current group). */
export function leave(caller: Caller, group?: string): Promise<LeftReply> {
  return caller.call(group === undefined ? { type: 'leave' } : { type: 'leave', group }, 'left');
}

export function listGroups(caller: Caller): Promise<GroupsReply> {
  return caller.call({ type: 'list_groups' }, 'groups');
}

/** Who is in `group` (without one: the current group). */
export function who(caller: Caller, group?: string): Promise<MembersReply> {
  return caller.call(group === undefined ? { type: 'who' } : { type: 'who', group }, 'members');
}

/** Up to `limit` stored messages (the server's default without one) before the seq `before`, of `group` (without one: the current group). */
export function history(caller: Caller, before: number, limit: number | undefined, group?: string): Promise<HistoryReply> {
  return caller.call(group === undefined ? { type: 'history', before, limit } : { type: 'history', before, limit, group }, 'history');
}

/** Says `text` in `group` (without one: the current group). */
export function say(caller: Caller, text: string, group?: string): Promise<AckReply> {
  return caller.call(group === undefined ? { type: 'say', text } : { type: 'say', text, group }, 'ack');
}

export function directMessage(caller: Caller, to: string, text: string): Promise<AckReply> {
  return caller.call({ type: 'dm', to, text }, 'ack');
}

/** What sends a request answered by `ok` (the read-marker part sees no more of the connection). */
export interface OkCaller {
  call(request: Outgoing, expect: 'ok'): Promise<ReplyOfType<'ok'>>;
}

/** The read marker of `group` at `seq`. */
export function markRead(caller: OkCaller, group: string, seq: number): Promise<ReplyOfType<'ok'>> {
  return caller.call({ type: 'mark_read', group, seq }, 'ok');
}

/** A page of the caller's conversations, after the user `after` (by name key; none: from the first). */
export function conversations(caller: Caller, after?: string): Promise<ConversationsReply> {
  return caller.call({ type: 'conversations', after }, 'conversations');
}

/** Which messages of a conversation `dm_history` brings: the newest before a seq (the newest of all without one), or those after one. */
export type DmHistoryPage = ({ before?: number; since?: never } | { since: number; before?: never }) & { limit?: number | undefined };

/** A page of the conversation with `user` (`page`: before or since a seq, at most `limit`). */
export function dmHistory(caller: Caller, user: string, page: DmHistoryPage = {}): Promise<DmHistoryReply> {
  return caller.call({ type: 'dm_history', user, before: page.before, since: page.since, limit: page.limit }, 'dm_history');
}

/** Blocks `user` (`block: false`: unblocks): the blocked user's `dm`s to the caller are refused with `blocked`. */
export function block(caller: OkCaller, user: string, blocking: boolean): Promise<ReplyOfType<'ok'>> {
  return caller.call({ type: blocking ? 'block' : 'unblock', user }, 'ok');
}

/** A page of the users the caller blocks, after `after` (by name key). */
export function blocked(caller: Caller, after?: string): Promise<BlockedReply> {
  return caller.call({ type: 'blocked', after }, 'blocked');
}

/** The read marker of the conversation with `user` at `seq`. */
export function markConversationRead(caller: OkCaller, user: string, seq: number): Promise<ReplyOfType<'ok'>> {
  return caller.call({ type: 'mark_read', user, seq }, 'ok');
}

/** Where a message is: a group, or the conversation with a user. */
export type MessagePlace = { group: string } | { user: string };

/** Removes message `seq` of a group or of the conversation with a user. */
export function deleteMessage(caller: OkCaller, place: MessagePlace, seq: number): Promise<ReplyOfType<'ok'>> {
  return caller.call('group' in place ? { type: 'delete_message', group: place.group, seq } : { type: 'delete_message', user: place.user, seq }, 'ok');
}
