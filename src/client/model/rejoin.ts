/**
 * A reconnect's try: a fresh connection signed in, and the resume's paging on
 * it: `join` with `since`, page after page, until the server says there is no
 * `more`; what was missed is collected (MissedMessages) so that a view can
 * say how many before it shows them.
 */
import { ProtocolError } from '../../protocol/errors.js';
import type { JoinedReply, StoredMessage } from '../../protocol/messages.js';
import type { Credentials } from '../sign-in.js';
import { type Connection, type ConnectionSource, openSignedIn } from './connection.js';
import type { Heard, SignedIn } from './events.js';
import { type Caller, join } from './requests.js';

export interface Rejoined {
  group: string;
  /** The messages after `since`, in seq order. */
  missed: StoredMessage[];
  /** The seq the group was resumed to. */
  lastSeq: number;
  /** Who is in the group, as the last page said. */
  members: string[] | undefined;
  /** A refusal of a page (`keepRefusal`): what the pages before it brought is kept. */
  refused?: ProtocolError | undefined;
}

/** Rejoins `group` after `since` (with `keep`: beside the groups rejoined before); with `keepRefusal`, a refusal ends the paging instead of rejecting. */
export async function rejoinSince(client: Caller, group: string, since: number, keepRefusal: boolean, keep = false): Promise<Rejoined> {
  const missed = new MissedMessages(since);
  let members: string[] | undefined;
  let refused: ProtocolError | undefined;
  try {
    for (let more = true; more;) {
      const page = await join(client, group, missed.lastSeq, keep);
      members = page.members;
      missed.take(page);
      // An empty page with `more` would ask for the same page again: stop instead.
      more = page.more && page.history.length > 0;
    }
  } catch (error) {
    if (!(keepRefusal && error instanceof ProtocolError)) throw error;
    refused = error;
  }
  return { group, missed: missed.messages, lastSeq: missed.lastSeq, members, refused };
}

/** A fresh connection, signed in as `signedIn` and rejoined; `held`: the messages that came meanwhile, in order. */
export interface Reopened {
  client: Connection;
  signedIn: SignedIn;
  rejoined: Rejoined | undefined;
  /** The other groups, rejoined with `keep` before the current one. */
  others: Rejoined[];
  held: Heard[];
}

/**
/**
 * Opens a fresh signed-in connection and rejoins `others` (with `keep`, each
 * after its `since`: a refused one is left out), then `at.group` after
 * `at.since` (none: not in a group), last, so that it is current again; then
 * asks what `alsoAsk` asks on it (the messages held meanwhile still kept); a
 * failure closes it.
 */
export async function openRejoined(
  source: ConnectionSource, credentials: () => Credentials, at: { group: string; since: number } | undefined, keepRefusal: boolean,
  alsoAsk?: (client: Caller) => Promise<void>, others: ReadonlyArray<{ group: string; since: number }> = [],
): Promise<Reopened> {
  const held: Heard[] = [];
  const hold = (message: Heard) => held.push(message);
  const { client, signedIn } = await openSignedIn(source, hold, credentials);
  client.on('message_deleted', hold);
  try {
    const rejoinedOthers: Rejoined[] = [];
    for (const other of others) rejoinedOthers.push(await rejoinSince(client, other.group, other.since, true, true));
    const rejoined = at && (await rejoinSince(client, at.group, at.since, keepRefusal, others.length > 0));
    await alsoAsk?.(client);
    client.off?.('message', hold);
    client.off?.('message_deleted', hold);
    return { client, signedIn, rejoined, others: rejoinedOthers, held };
  } catch (error) {
    client.destroy?.();
    throw error;
  }
}

/**
 * The messages of a resume's pages not shown yet, collected so that the line
 * saying how many were missed can come before them. `lastSeq` is the cursor:
 * the next page's `since`.
 */
export class MissedMessages {
  readonly messages: StoredMessage[] = [];

  constructor(private cursor: number) {}

  get lastSeq(): number {
    return this.cursor;
  }

  /** Takes a page; returns how many of its messages are new. */
  take(page: JoinedReply): number {
    const fresh = page.history.filter((message) => message.seq > this.cursor);
    this.messages.push(...fresh);
    for (const message of fresh) this.cursor = Math.max(this.cursor, message.seq);
    // With `more`, later messages are still to come: the seq taken stays the cursor.
    if (!page.more) this.cursor = Math.max(this.cursor, page.last_seq);
    return fresh.length;
  }
}
