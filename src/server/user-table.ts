/** A table of users by name key, each with its connections: who is online, or in one group, on this node. */
import { nameKey, type NameKey } from '../protocol/names.js';
import type { HubMember } from './hub-member.js';

export interface UserEntry {
  /** Display name, as first written. */
  name: string;
  /**
   * The user's connections, each with the seq it already holds from its
   * `joined` history: messages up to it are not delivered to it live, so a
   * join sees every message exactly once. Unused (0) for the online table.
   */
  connections: Map<HubMember, number>;
}

export type UserTable = Map<NameKey, UserEntry>;

/** Adds a connection of `name`; true when the user was not in the table before. */
export function addToTable(table: UserTable, name: string, member: HubMember, seenSeq = 0): boolean {
  const key = nameKey(name);
  const entry = table.get(key);
  if (entry !== undefined) {
    entry.connections.set(member, seenSeq);
    return false;
  }
  table.set(key, { name, connections: new Map([[member, seenSeq]]) });
  return true;
}

/** Removes a connection of `name`; true when it was the user's last one (the user left the table). */
export function removeFromTable(table: UserTable, name: string, member: HubMember): boolean {
  const key = nameKey(name);
  const entry = table.get(key);
  if (entry === undefined || !entry.connections.delete(member)) return false;
  if (entry.connections.size > 0) return false;
  table.delete(key);
  return true;
}

/** Writes `frame` to every connection in the table (of one user when `userKey` is given); returns how many. */
export function sendToAll(table: UserTable, frame: Buffer, userKey?: NameKey): number {
  const entries = userKey === undefined ? table.values() : [table.get(userKey)];
  let sent = 0;
  for (const entry of entries) {
    for (const member of entry?.connections.keys() ?? []) member.sendFrame(frame);
    sent += entry?.connections.size ?? 0;
  }
  return sent;
}
