/**
 * The resume's paging on a fresh connection: `join` with `since`, page after
 * page, until the server says there is no `more`; what was missed is
 * collected (MissedMessages) so that a view can say how many before it shows them.
 */
import { ProtocolError } from '../../protocol/errors.js';
import type { StoredMessage } from '../../protocol/messages.js';
import { type Caller, join } from './requests.js';
import { MissedMessages } from './resume.js';

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

/** Rejoins `group` after `since`; with `keepRefusal`, a refusal ends the paging instead of rejecting. */
export async function rejoinSince(client: Caller, group: string, since: number, keepRefusal: boolean): Promise<Rejoined> {
  const missed = new MissedMessages(since);
  let members: string[] | undefined;
  let refused: ProtocolError | undefined;
  try {
    for (let more = true; more;) {
      const page = await join(client, group, missed.lastSeq);
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
