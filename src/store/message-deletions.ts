/**
 * Removing a stored message (January additions, `delete_message`), of a
 * group or of a conversation: the message keeps its place, seq, sender and
 * time; its text is written over with DELETED_TEXT and it records who
 * removed it and when. Both stores do it in one atomic step, and the
 * original text is overwritten where it was stored, not hidden beside it.
 * Names are taken in any case.
 */
import type { MessageDeletion, StoredDirectMessage, StoredMessage } from '../protocol/messages.js';

/** What a removal found: removed now, removed before (its first removal kept), or nothing at that seq. */
export type DeletionOutcome<M> =
  | { kind: 'deleted'; message: M }
  | { kind: 'already'; message: M }
  | { kind: 'missing' };

export interface MessageDeletionStore {
  /**
   * Message `seq` of the group as stored now (a removed one included);
   * undefined when there is no such group, or no message at that seq (never
   * given, or gone with retention or the group's deletion).
   */
  findMessage(group: string, seq: number): Promise<StoredMessage | undefined>;
  /** Overwrites the message's text with DELETED_TEXT and records `deletion`, unless it was removed before. */
  deleteMessage(group: string, seq: number, deletion: MessageDeletion): Promise<DeletionOutcome<StoredMessage>>;
  /** As `findMessage`, in the conversation of `user` and `peer`. */
  findDirectMessage(user: string, peer: string, seq: number): Promise<StoredDirectMessage | undefined>;
  /** As `deleteMessage`, in the conversation of `user` and `peer`. */
  deleteDirectMessage(user: string, peer: string, seq: number, deletion: MessageDeletion): Promise<DeletionOutcome<StoredDirectMessage>>;
}
