/** What a ChatClient tells its views: the server's messages, one event per type, and the connection's ups and downs. */
import type {
  AccountRole, AccountRoleMessage, ActivityMessage, ChatMessage, DirectMessage, ErrorMessage, GroupDeletedMessage, KickedMessage,
  MessageDeletedMessage, NoticeMessage, PresenceMessage, RoleMessage, ShutdownMessage, StoredMessage, TopicMessage,
} from '../../protocol/messages.js';
import type { EventEmitter } from 'node:events';
import { assertNever } from '../../protocol/errors.js';
import { nameKey } from '../../protocol/names.js';
import type { Unsolicited } from '../client.js';
import type { Rejoined } from './rejoin.js';

/** The connection did not come back in time (or could never: a wrong password, a changed certificate, a server that broke the protocol). */
export class GaveUpError extends Error {
  override readonly name = 'GaveUpError';
  /** The message being said when it gave up was written without an ack seen: it may have been stored. */
  lineMaybeStored = false;

  /** This failure for a message being said: `written` (without an ack seen), it may have been stored. */
  withLine(written: boolean): GaveUpError {
    const failure = new GaveUpError(this.message, this.cause === undefined ? undefined : { cause: this.cause });
    failure.lineMaybeStored = written;
    return failure;
  }
}

/** What a `say` came to: its seq and time, from its ack or from the copy a resume found stored. */
export interface Said {
  seq?: number | undefined;
  ts: number;
}

export interface SignedIn {
  /** The user's name as the server spells it. */
  user: string;
  /** The account's role (absent from older servers). */
  role?: AccountRole | undefined;
}

/** A reconnect's rejoin; none outside a group. */
export interface Resumed {
  rejoined: Rejoined | undefined;
  /** The other groups, rejoined with `keep` (a refused one is left). */
  others?: Rejoined[] | undefined;
}

export interface ChatClientEvents {
  /** Every message from the server that is not a reply, live or (a `msg`) found missed on a resume, before its typed event. */
  unsolicited: [Unsolicited];
  /** A message in the group (live, or missed while the connection was down: `missed`). */
  message: [ChatMessage, { missed: boolean }];
  /** A direct message to this user, or from it on another of its connections; `seq`: its place in the conversation (absent from servers older than conversations). */
  dm: [DirectMessage];
  /** A message was removed: in a group (`group`), or in the conversation with `user`. Not told as `unsolicited` (views that predate it switch over those). */
  message_deleted: [MessageDeletedMessage];
  presence: [PresenceMessage];
  topic: [TopicMessage];
  kicked: [KickedMessage];
  group_deleted: [GroupDeletedMessage];
  activity: [ActivityMessage];
  role: [RoleMessage];
  account_role: [AccountRoleMessage];
  /** An admin's notice to every signed-in connection. */
  notice: [NoticeMessage];
  /** An `error` the server sent with no request to answer. */
  server_error: [ErrorMessage];
  shutdown: [ShutdownMessage];
  /** Signed in: at `signIn` and at every reconnect the ChatClient signs in itself (the role may have changed). */
  signed_in: [SignedIn];
  /** The connection was lost (`error` says why when known); a reconnect follows when allowed. */
  lost: [Error | undefined];
  /** Reconnecting, for up to `forMs` (infinite with `untilStopped`: until the owner stops it). */
  reconnecting: [{ forMs: number }];
  /** Connected and signed in again, the group rejoined: before the missed messages are emitted (`message`, `missed: true`). */
  resumed: [Resumed];
  /** Connected, signed in and the group resumed again (what was missed was emitted before). */
  restored: [];
  /** Reconnecting failed for good while no message was being sent (one being sent rejects with the error instead). */
  gave_up: [GaveUpError];
}

/** What a ChatClient hears unasked: the unsolicited messages, and deletions. */
export type Heard = Unsolicited | MessageDeletedMessage;

/** Emits `message` as its typed event (after `unsolicited`, but for a deletion). */
export function tellHeard(emitter: EventEmitter<ChatClientEvents>, message: Heard): void {
  if (message.type === 'message_deleted') emitter.emit('message_deleted', message);
  else tellUnsolicited(emitter, message, false);
}

/** Emits `message` as its typed event, after `unsolicited`. */
export function tellUnsolicited(emitter: EventEmitter<ChatClientEvents>, message: Unsolicited, missed: boolean): void {
  emitter.emit('unsolicited', message);
  switch (message.type) {
    case 'msg': emitter.emit('message', message, { missed }); break;
    case 'error': emitter.emit('server_error', message); break;
    case 'dm': emitter.emit('dm', message); break;
    case 'presence': emitter.emit('presence', message); break;
    case 'topic': emitter.emit('topic', message); break;
    case 'kicked': emitter.emit('kicked', message); break;
    case 'group_deleted': emitter.emit('group_deleted', message); break;
    case 'activity': emitter.emit('activity', message); break;
    case 'role': emitter.emit('role', message); break;
    case 'account_role': emitter.emit('account_role', message); break;
    case 'notice': emitter.emit('notice', message); break;
    case 'shutdown': emitter.emit('shutdown', message); break;
    default: assertNever(message);
  }
}

/**
 * After a resume: the messages it found missed in each group rejoined (the
 * `copies` of what this client sent left out: never echoed to their sender),
 * the current group's last, then the live ones held meanwhile, those the
 * rejoins brought left out (by group); `noteSeq` sees each live `msg`.
 */
export function tellResumed(emitter: EventEmitter<ChatClientEvents>, rejoined: readonly Rejoined[], copies: readonly StoredMessage[], held: readonly Heard[], noteSeq: (seq: number, group: string) => void): void {
  for (const group of rejoined) {
    for (const message of group.missed) {
      // A page's stored messages may not name their group: the one rejoined.
      if (!copies.includes(message)) tellUnsolicited(emitter, { type: 'msg', ...message, group: group.group }, true);
    }
  }
  const resumedTo = new Map(rejoined.map((group) => [nameKey(group.group), group.lastSeq]));
  for (const message of held) {
    if (message.type === 'msg' && message.seq <= (resumedTo.get(nameKey(message.group)) ?? 0)) continue;
    if (message.type === 'msg') noteSeq(message.seq, message.group);
    tellHeard(emitter, message);
  }
}
