/**
 * `first_seq` of `joined` (retention): the oldest seq the group keeps, made
 * consistent with the history read just before it. Retention may delete
 * messages between the two reads; the reply never claims a message is gone
 * that its own history holds, and never points past `last_seq` + 1.
 */
import type { StoredMessage } from '../protocol/messages.js';

export function keptFrom(stored: number | undefined, history: readonly StoredMessage[], lastSeq: number): number {
  const oldestRead = history[0]?.seq ?? Number.POSITIVE_INFINITY;
  return Math.min(stored ?? 1, oldestRead, lastSeq + 1);
}
