/**
 * Conversations (January additions): the direct messages between two
 * accounts (one account writing to itself is a conversation too), each
 * conversation with its own seq from 1 (no gaps, no repeats), each side with
 * its read marker, and each account's block list. Both stores keep them with
 * the same semantics (test/integration/store-semantics.test.ts). Names are
 * taken in any case; the accounts are the caller's to check (the store does
 * not look them up).
 */
import type { StoredDirectMessage } from '../protocol/messages.js';
import type { NameKey } from '../protocol/names.js';
import type { RetentionPolicy } from './store.js';

export interface NewDirectMessage {
  /** Display names, as first written. */
  from: string;
  to: string;
  text: string;
  ts: number;
}

/** What `appendDirect` did: stored with its seq, or refused because the recipient blocks the sender. */
export type DirectOutcome = { kind: 'stored'; message: StoredDirectMessage } | { kind: 'blocked' };

/** One conversation as one of its sides sees it. */
export interface ConversationEntry {
  /** The other side's display name (the account itself for its own conversation). */
  user: string;
  lastSeq: number;
  /** `ts` of the conversation's newest message. */
  lastTs: number;
  /** Messages after this side's read marker that are still kept (see `unreadAfter`). */
  unread: number;
}

export interface ConversationPage {
  /** By the other side's name key. */
  conversations: ConversationEntry[];
  /** More conversations sort after the last one. */
  more: boolean;
}

export interface DirectPage {
  /** Oldest first. */
  messages: StoredDirectMessage[];
  /** True when more messages lie beyond the page in the direction read. */
  more: boolean;
}

export interface ConversationStore {
  /**
   * Stores the message with the conversation's next seq, in one atomic step
   * that also checks the recipient's block list (blocked: nothing stored) and
   * moves the sender's read marker to the new seq. Resolves once durable.
   */
  appendDirect(message: NewDirectMessage): Promise<DirectOutcome>;
  /** At most `limit` of the account's conversations whose other side's name key sorts after `after`, by that key. */
  listConversations(user: string, after: string | undefined, limit: number): Promise<ConversationPage>;
  /** Messages with seq > since, oldest first, at most `limit`; `more` when there are later ones. */
  messagesSince(user: string, peer: string, since: number, limit: number): Promise<DirectPage>;
  /** The `limit` newest messages with seq < before (all when undefined), oldest first; `more` when there are older ones. */
  messagesBefore(user: string, peer: string, before: number | undefined, limit: number): Promise<DirectPage>;
  /** Moves the account's marker in the conversation forward to `seq`, clamped to its last seq (never back). */
  markRead(user: string, peer: string, seq: number): Promise<void>;
  /** The conversation's last seq (0 when it has no message yet). */
  lastSeq(user: string, peer: string): Promise<number>;
  /** How many conversations each account has (accounts with none are left out), for the admin command. */
  conversationCounts(): Promise<Map<NameKey, number>>;

  /** Every conversation's id (retention's passes): opaque, for `pruneConversation`. */
  conversationIds(): Promise<string[]>;
  /** As RetentionStore.pruneMessages, for one conversation (by its id). */
  pruneConversation(id: string, policy: RetentionPolicy, now: number, batch: number): Promise<number>;
}

/** Who an account blocks: the blocked user's `dm` to it gets `blocked`. */
export interface BlockStore {
  /** True when it was not blocked before. */
  block(user: string, blocked: string): Promise<boolean>;
  /** True when it was blocked. */
  unblock(user: string, blocked: string): Promise<boolean>;
  /** Display names the account blocks, by name key. */
  blockedUsers(user: string): Promise<string[]>;
}

/** A conversation's id: its two name keys in order, so both sides find the same one. */
export function conversationId(a: NameKey, b: NameKey): string {
  return a <= b ? `${a}:${b}` : `${b}:${a}`;
}

/**
 * Unread messages: those after `marker` up to `lastSeq`, counting only the
 * kept ones (from `firstSeq` on; retention removes a prefix). Every message
 * after a side's marker is from the other side, since sending moves the
 * sender's marker to its own message.
 */
export function unreadAfter(lastSeq: number, marker: number, firstSeq: number): number {
  return Math.max(0, lastSeq - Math.max(marker, firstSeq - 1));
}
