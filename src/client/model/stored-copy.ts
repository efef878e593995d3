/**
 * Exactly once, after a drop: a message whose ack was lost may have been
 * stored. The resume's stored messages tell: the copy is from this user, in
 * its group, with the same text (and, when the seq seen before sending is
 * known, a seq above it: seqs only grow); a direct message's copy is in its
 * conversation, found the same way. Used by the ChatClient's outbox.
 */
import type { StoredDirectMessage, StoredMessage } from '../../protocol/messages.js';
import { nameKey } from '../../protocol/names.js';

export interface SentMessage {
  text: string;
  /** The group it was said in; any when not known (the connection's one group). */
  group?: string | undefined;
  /** The highest seq seen when it was sent; 0 when not known. */
  seqAtSend?: number | undefined;
}

/** A direct message sent: its recipient, text, and the highest seq seen of their conversation when it was sent. */
export interface SentDirectMessage {
  to: string;
  text: string;
  seqAtSend?: number | undefined;
}

/** Whether `message`, found stored, is the copy of `sent` said by `self`. */
export function isStoredCopy(message: StoredMessage, self: string, sent: SentMessage): boolean {
  return isOwnLater(message, self, sent) && (sent.group === undefined || nameKey(message.group) === nameKey(sent.group));
}

/** Whether `message`, found in a conversation, is the copy of the direct message `sent` by `self`. */
export function isStoredDirectCopy(message: StoredDirectMessage, self: string, sent: SentDirectMessage): boolean {
  return isOwnLater(message, self, sent) && nameKey(message.to) === nameKey(sent.to);
}

/** From `self`, with the text sent, after the seq seen when it was sent. */
function isOwnLater(message: { seq: number; from: string; text: string }, self: string, sent: { text: string; seqAtSend?: number | undefined }): boolean {
  return message.seq > (sent.seqAtSend ?? 0) && nameKey(message.from) === nameKey(self) && message.text === sent.text;
}
