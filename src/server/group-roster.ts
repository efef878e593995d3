/**
 * The users of one group on this node: a user table (join order) and the
 * same users' name keys kept sorted, so that a page of the member list in
 * name-key order costs a binary search and a slice, not a sort per request
 * (a crowd joining a big group at once would otherwise sort it per join).
 */
import { firstAbove } from '../protocol/name-order.js';
import { nameKey, type NameKey } from '../protocol/names.js';
import type { HubMember } from './hub-member.js';
import { addToTable, removeFromTable, type UserTable } from './user-table.js';

export class GroupRoster {
  /** User key → the user's connections here, in join order. */
  readonly users: UserTable = new Map();
  /** The keys of `users`, sorted (names are ASCII, so code-unit order is exact). */
  private readonly sortedKeys: NameKey[] = [];

  get size(): number {
    return this.users.size;
  }

  /** Adds a connection of `user`, which holds messages up to `seenSeq`; true when the user was not here before. */
  add(user: string, member: HubMember, seenSeq: number): boolean {
    if (!addToTable(this.users, user, member, seenSeq)) return false;
    const key = nameKey(user);
    this.sortedKeys.splice(firstAbove(this.sortedKeys, key, true), 0, key);
    return true;
  }

  /** Removes a connection of `user`; true when it was the user's last one here. */
  remove(user: string, member: HubMember): boolean {
    if (!removeFromTable(this.users, user, member)) return false;
    const key = nameKey(user);
    const index = firstAbove(this.sortedKeys, key, true);
    if (this.sortedKeys[index] === key) this.sortedKeys.splice(index, 1);
    return true;
  }

  /** The seq `member` (of `user`) holds from its join; undefined when it is not in the group. */
  seenBy(user: string, member: HubMember): number | undefined {
    return this.users.get(nameKey(user))?.connections.get(member);
  }

  /** Sets the seq `member` (of `user`) holds from its join, when it is in the group. */
  setSeen(user: string, member: HubMember, seenSeq: number): void {
    const connections = this.users.get(nameKey(user))?.connections;
    if (connections?.has(member) === true) connections.set(member, seenSeq);
  }

  /** Display names, in join order. */
  names(): string[] {
    return Array.from(this.users.values(), (entry) => entry.name);
  }

  /** At most `limit` display names whose key sorts after `after`'s (from the first without it), in name-key order. */
  page(after: string | undefined, limit: number): string[] {
    const start = after === undefined ? 0 : firstAbove(this.sortedKeys, nameKey(after), false);
    return this.sortedKeys.slice(start, start + limit).map((key) => this.users.get(key)!.name);
  }

  /**
   * Writes `frame` to every connection here except `sender`, except the
   * connections of `skipUser` (presence about itself), and, for a message
   * (`seq` > 0), except those that hold it from their join. Returns how many got it.
   */
  send(frame: Buffer, sender: HubMember | undefined, seq: number, skipUser?: string): number {
    const skip = skipUser === undefined ? undefined : nameKey(skipUser);
    let sent = 0;
    for (const [userKey, entry] of this.users) {
      if (userKey === skip) continue;
      for (const [member, seenSeq] of entry.connections) {
        if (member === sender || (seq > 0 && seq <= seenSeq)) continue;
        member.sendFrame(frame);
        sent += 1;
      }
    }
    return sent;
  }
}
