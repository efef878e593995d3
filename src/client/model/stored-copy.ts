/**
 * Exactly once, after a drop: a message whose ack was lost may have been
 * stored. The resume's stored messages tell: the copy is from this user, in
 * its group, with the same text (and, when the seq seen before sending is
 * known, a seq above it: seqs only grow). Used by the ChatClient and the chat
 * screen's outbox.
 */
import type { StoredMessage } from '../../protocol/messages.js';
import { nameKey } from '../../protocol/names.js';

export interface SentMessage {
  text: string;
  /** The group it was said in; any when not known (the connection's one group). */
  group?: string | undefined;
  /** The highest seq seen when it was sent; 0 when not known. */
  seqAtSend?: number | undefined;
}

/** Whether `message`, found stored, is the copy of `sent` said by `self`. */
export function isStoredCopy(message: StoredMessage, self: string, sent: SentMessage): boolean {
  return message.seq > (sent.seqAtSend ?? 0) && nameKey(message.from) === nameKey(self) && message.text === sent.text
    && (sent.group === undefined || nameKey(message.group) === nameKey(sent.group));
}
