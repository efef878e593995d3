/**
 * Where a direct message goes on this node (January additions): every
 * connection of its recipient and of its sender, the connection that sent it
 * excepted (it has the `ack`), each once. Writing to oneself, the sending
 * connection is one of the recipient's, so it gets the `dm` too (as the
 * contract says: every connection of the recipient). Other nodes get it
 * through the cluster link and deliver it the same way, with no connection
 * excepted (the sender's is not theirs).
 */
import type { DirectMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { HubMember } from './hub-member.js';
import type { UserTable } from './user-table.js';

/** Writes `frame` (the encoded `message`) to the connections here of both sides but `sender` (unless it wrote to itself); returns how many. */
export function deliverDirectHere(online: UserTable, message: DirectMessage, frame: Buffer, sender?: HubMember): number {
  const to = nameKey(message.to);
  const from = nameKey(message.from);
  let sent = 0;
  const except = to === from ? undefined : sender;
  for (const key of to === from ? [to] : [to, from]) {
    for (const member of online.get(key)?.connections.keys() ?? []) {
      if (member === except) continue;
      member.sendFrame(frame);
      sent += 1;
    }
  }
  return sent;
}
