/**
 * Conversations (docs/protocol.md, "Conversations"): reading every page of
 * the lists paged by `after` (the caller's conversations, the users it
 * blocks), and the last seq a ChatClient has seen of each conversation — a
 * direct message whose ack was lost in a drop is looked for after the one
 * seen before it was sent (`findDirectCopies`, on the reconnect's fresh
 * connection). The requests themselves are built in requests.ts.
 */
import { ProtocolError } from '../../protocol/errors.js';
import type { ConversationSummary, StoredDirectMessage } from '../../protocol/messages.js';
import { type NameKey, nameKey } from '../../protocol/names.js';
import type { Outbox } from './outbox.js';
import { blocked, type Caller, conversations, dmHistory } from './requests.js';

/** One page of a list paged by `after`: its entries and whether later ones exist. */
interface NamedPage<T> {
  entries: readonly T[];
  more: boolean;
}

/** Every entry of a list paged by `after` (the name of the last entry of the page before), page after page. */
export async function allPages<T>(page: (after: string | undefined) => Promise<NamedPage<T>>, nameOf: (entry: T) => string): Promise<T[]> {
  const all: T[] = [];
  for (let after: string | undefined; ;) {
    const { entries, more } = await page(after);
    all.push(...entries);
    const last = entries.at(-1);
    // An empty page with `more` would ask for the same page again: stop instead.
    if (!more || last === undefined) return all;
    after = nameOf(last);
  }
}

/** All the caller's conversations, sorted by the other side's name. */
export function allConversations(caller: Caller): Promise<ConversationSummary[]> {
  return allPages(async (after) => {
    const page = await conversations(caller, after);
    return { entries: page.conversations, more: page.more === true };
  }, (entry) => entry.user);
}

/** All the users the caller blocks. */
export function allBlocked(caller: Caller): Promise<string[]> {
  return allPages(async (after) => {
    const page = await blocked(caller, after);
    return { entries: page.users, more: page.more === true };
  }, (user) => user);
}

/** The other side of a direct message for `self` (`self` when written to oneself). */
export function otherSide(self: string, message: Pick<StoredDirectMessage, 'from' | 'to'>): string {
  return nameKey(message.from) === nameKey(self) ? message.to : message.from;
}

/** The highest seq seen of each conversation, by the other side's name. */
export class ConversationSeqs {
  private readonly seqs = new Map<NameKey, number>();

  /** A seq seen in the conversation with `user`: a message, an ack, a list's `last_seq`. */
  note(user: string, seq: number | undefined): void {
    if (seq === undefined) return;
    const key = nameKey(user);
    this.seqs.set(key, Math.max(this.seqs.get(key) ?? 0, seq));
  }

  /** The highest seq seen with `user`; undefined when none was. */
  lastSeq(user: string): number | undefined {
    return this.seqs.get(nameKey(user));
  }
}

/**
 * The seq of the conversation with `user` a direct message is sent after: the
 * highest seen, else the newest stored (one message asked; 0 when none is).
 * Undefined when the server refuses to tell (older than conversations): the
 * message is then sent again after a drop, as before.
 */
export async function seqBeforeSending(caller: Caller, seqs: ConversationSeqs, user: string): Promise<number | undefined> {
  const seen = seqs.lastSeq(user);
  if (seen !== undefined) return seen;
  try {
    const newest = await dmHistory(caller, user, { limit: 1 });
    seqs.note(user, newest.messages.at(-1)?.seq ?? 0);
    return seqs.lastSeq(user);
  } catch (error) {
    // `no_such_user` too: the message itself is refused with it.
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
}

/** After a reconnect, on the fresh connection: each direct message in flight at the drop is settled with its conversation's messages since the seq seen before it was sent. */
export async function findDirectCopies(caller: Caller, outbox: Pick<Outbox, 'inFlightDirect' | 'settleDirect'>, self: string): Promise<void> {
  for (const { to, since } of outbox.inFlightDirect()) {
    try {
      outbox.settleDirect(to, await directSince(caller, to, since), self);
    } catch (error) {
      // Refused (it cannot be): not found, so sent again.
      if (!(error instanceof ProtocolError)) throw error;
    }
  }
}

/** Every message of the conversation with `user` after `since`, page after page. */
async function directSince(caller: Caller, user: string, since: number): Promise<StoredDirectMessage[]> {
  const all: StoredDirectMessage[] = [];
  for (let cursor = since; ;) {
    const page = await dmHistory(caller, user, { since: cursor });
    all.push(...page.messages);
    const last = page.messages.at(-1);
    if (!page.more || last === undefined) return all;
    cursor = last.seq;
  }
}
