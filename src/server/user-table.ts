/** The hub's tables of users, each with its connections here: who is online, who is in a group. */
import { nameKey } from '../protocol/names.js';
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

export type UserTable = Map<string, UserEntry>;

export function add(table: UserTable, name: string, member: HubMember, seenSeq = 0): boolean {
  const key = nameKey(name);
  const entry = table.get(key);
  if (entry !== undefined) {
    entry.connections.set(member, seenSeq);
    return false;
  }
  table.set(key, { name, connections: new Map([[member, seenSeq]]) });
  return true;
}

export function remove(table: UserTable, name: string, member: HubMember): boolean {
  const key = nameKey(name);
  const entry = table.get(key);
  if (entry === undefined || !entry.connections.delete(member)) return false;
  if (entry.connections.size > 0) return false;
  table.delete(key);
  return true;
}
