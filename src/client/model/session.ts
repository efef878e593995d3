/**
 * A ChatClient's requests on its current connection and what they change:
 * sign-in (who it is, the credentials a reconnect signs in with), the group
 * list, creating, joining and leaving groups (the groups the connection is
 * in, joined-groups.ts), conversations (their pages and
 * list, blocking, read markers, removing a message: conversations.ts and
 * requests.ts), and the last seq seen of each. The ChatClient (chat-client.ts)
 * adds the outbox and the reconnects on top, swapping `connection` at each.
 */
import { EventEmitter } from 'node:events';
import { ProtocolError } from '../../protocol/errors.js';
import { nameKey } from '../../protocol/names.js';
import type {
  ConversationsReply, ConversationSummary, DmHistoryReply, GroupsReply, HistoryReply, JoinedReply, LeftReply, MembersReply,
} from '../../protocol/messages.js';
import type { Outgoing } from '../client.js';
import { type Credentials, signInAccount } from '../sign-in.js';
import type { Connection } from './connection.js';
import type { ChatClientEvents, SignedIn } from './events.js';
import { allBlocked, allConversations, ConversationSeqs, otherSide } from './conversations.js';
import { JoinedGroups } from './joined-groups.js';
import {
  block, type Caller, conversations, createGroup, deleteMessage, dmHistory, type DmHistoryPage, history, join, leave, listGroups,
  markConversationRead, type MessagePlace, who,
} from './requests.js';

export interface JoinOptions {
  /** Create the group first when missing (a group that exists is joined). */
  create?: boolean | undefined;
  /** The messages after this seq (unread ones, or a page of them). */
  since?: number | undefined;
  /** Stay in the groups the connection is in (January: several groups per connection). */
  keep?: boolean | undefined;
}

export abstract class ChatSession extends EventEmitter<ChatClientEvents> {
  protected credentials: Credentials | undefined;
  protected signedIn: SignedIn | undefined;
  /** The groups the connection is in (one today) and the seqs seen: what a reconnect rejoins. */
  protected readonly groups = new JoinedGroups();
  /** The highest seq seen of each conversation (its messages, its pages, the list, the acks of what was sent). */
  protected readonly conversationSeqs = new ConversationSeqs();

  protected constructor(protected connection: Connection) {
    super();
    this.on('dm', (message) => this.conversationSeqs.note(otherSide(this.self ?? '', message), message.seq));
  }

  /** The user signed in as, spelt as the server does; undefined before sign-in. */
  get self(): string | undefined {
    return this.signedIn?.user;
  }

  /** The group joined last; undefined before a join and after `leave`. */
  get group(): string | undefined {
    return this.groups.current?.name;
  }

  /** The current connection, for the requests the views send themselves (model/requests.ts): another one after a reconnect. */
  get caller(): Caller {
    return this.connection;
  }

  /** The highest seq seen in the group. */
  get seq(): number {
    return this.groups.lastSeq;
  }

  /** Whether the connection is open (taken as open when not known). */
  get isOpen(): boolean {
    return this.connection.isOpen !== false;
  }

  /** The password was changed (`passwd`): reconnects sign in with it. */
  passwordChanged(password: string): void {
    if (this.credentials !== undefined) this.credentials = { ...this.credentials, password, resumeToken: undefined }; // `passwd` ended the token
  }

  /** Logs in (or registers with `register`); reconnects sign in again with the same credentials. */
  async signIn(credentials: Credentials, options: { register?: boolean } = {}): Promise<SignedIn> {
    const signedIn = await signInAccount(this.connection, credentials, options.register === true);
    this.credentials = { ...credentials };
    this.signedIn = signedIn;
    this.emit('signed_in', signedIn);
    return signedIn;
  }

  /** The server's groups (those this user may see). */
  listGroups(): Promise<GroupsReply> {
    return listGroups(this.connection);
  }

  /** Creates `group` (refused with `group_exists` when it exists); not joined. */
  async createGroup(group: string, options: { private?: boolean } = {}): Promise<void> {
    await createGroup(this.connection, group, options);
  }

  /** Joins `group` (creating it first with `create` when missing): the group a reconnect resumes. */
  async join(group: string, options: JoinOptions = {}): Promise<JoinedReply> {
    if (options.create === true) {
      try {
        await createGroup(this.connection, group);
      } catch (error) {
        if (!(error instanceof ProtocolError && error.code === 'group_exists')) throw error;
      }
    }
    const joined = await join(this.connection, group, options.since, options.keep === true);
    this.groups.joined(joined.group, joined.last_seq, options.keep === true);
    return joined;
  }

  /** Leaves `group` (without one: the current group); the group joined before it is current then. */
  async leave(group?: string): Promise<LeftReply> {
    const left = await leave(this.connection, this.named(group));
    this.groups.left(left.group);
    return left;
  }

  /** `group` when the requests must name it: not the current group (the server's default). */
  protected named(group: string | undefined): string | undefined {
    const current = this.groups.current;
    return group === undefined || (current !== undefined && nameKey(current.name) === nameKey(group)) ? undefined : group;
  }

  /** The server took this connection out of `group` (kicked, banned, the group deleted): not rejoined. */
  removedFrom(group: string): void {
    this.groups.left(group);
  }

  /** Who is in `group` (without one: the current group). */
  who(group?: string): Promise<MembersReply> {
    return who(this.connection, this.named(group));
  }

  /** Up to `limit` stored messages of `group` (without one: the current group; the server's default count without `limit`) before the seq `before`. */
  history(before: number, limit: number | undefined, group?: string): Promise<HistoryReply> {
    return history(this.connection, before, limit, this.named(group));
  }

  /** A request answered by `ok` (a moderation or account request, moderation-commands.ts builds it). */
  async requestOk(request: Outgoing): Promise<void> {
    await this.connection.call(request, 'ok');
  }

  /** A page of the conversation with `user`: the newest (before `page.before`, when given), or those after `page.since`; at most `page.limit`. */
  async dmHistory(user: string, page: DmHistoryPage = {}): Promise<DmHistoryReply> {
    const reply = await dmHistory(this.connection, user, page);
    this.conversationSeqs.note(reply.user, reply.messages.at(-1)?.seq);
    return reply;
  }

  /** A page of this user's conversations, after the user `after` (`more`: ask again with the last one's `user`). */
  async conversations(after?: string): Promise<ConversationsReply> {
    const reply = await conversations(this.connection, after);
    for (const conversation of reply.conversations) this.conversationSeqs.note(conversation.user, conversation.last_seq);
    return reply;
  }

  /** Every conversation of this user (all the pages), sorted by the other side's name. */
  async allConversations(): Promise<ConversationSummary[]> {
    const all = await allConversations(this.connection);
    for (const conversation of all) this.conversationSeqs.note(conversation.user, conversation.last_seq);
    return all;
  }

  /** Blocks `user`: its direct messages to this user are refused (`blocked`) from now on. */
  async block(user: string): Promise<void> {
    await block(this.connection, user, true);
  }

  async unblock(user: string): Promise<void> {
    await block(this.connection, user, false);
  }

  /** The users this user blocks (all the pages). */
  blocked(): Promise<string[]> {
    return allBlocked(this.connection);
  }

  /** Moves the read marker of the conversation with `user` forward to `seq`. */
  async markConversationRead(user: string, seq: number): Promise<void> {
    await markConversationRead(this.connection, user, seq);
  }

  /** Removes message `seq` of a group (`{ group }`) or of the conversation with a user (`{ user }`, one's own messages only). */
  async deleteMessage(place: MessagePlace, seq: number): Promise<void> {
    await deleteMessage(this.connection, place, seq);
  }
}
