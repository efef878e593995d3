/**
 * Who is online and who is in which group, and fan-out to them. A frame meant
 * for many recipients arrives here encoded once; the same bytes go to all.
 * Presence is per user: `join` when a user's first connection enters a group,
 * `leave` when its last one goes.
 */
import type { FrameEncoder } from '../protocol/frame.js';
import type { PresenceMessage } from '../protocol/messages.js';

/** What the hub needs of a connection. */
export interface HubMember {
  sendFrame(frame: Buffer): void;
}

interface UserEntry {
  /** Display name, as first written. */
  name: string;
  /**
   * The user's connections, each with the seq it already holds from its
   * `joined` history: messages up to it are not delivered to it live, so a
   * join sees every message exactly once. Unused (0) for the online table.
   */
  connections: Map<HubMember, number>;
}

type UserTable = Map<string, UserEntry>;

function add(table: UserTable, name: string, member: HubMember, seenSeq = 0): boolean {
  const key = name.toLowerCase();
  const entry = table.get(key);
  if (entry !== undefined) {
    entry.connections.set(member, seenSeq);
    return false;
  }
  table.set(key, { name, connections: new Map([[member, seenSeq]]) });
  return true;
}

function remove(table: UserTable, name: string, member: HubMember): boolean {
  const key = name.toLowerCase();
  const entry = table.get(key);
  if (entry === undefined || !entry.connections.delete(member)) return false;
  if (entry.connections.size > 0) return false;
  table.delete(key);
  return true;
}

export class Hub {
  private readonly online: UserTable = new Map();
  /** Group key → the users in it now. */
  private readonly groups = new Map<string, UserTable>();

  constructor(private readonly encoder: FrameEncoder) {}

  signIn(user: string, member: HubMember): void {
    add(this.online, user, member);
  }

  signOut(user: string, member: HubMember): void {
    remove(this.online, user, member);
  }

  /** The user's display name when at least one of its connections is signed in. */
  onlineName(user: string): string | undefined {
    return this.online.get(user.toLowerCase())?.name;
  }

  /** Puts the connection in the group; it already holds messages up to `seenSeq`. */
  enter(group: string, user: string, member: HubMember, seenSeq: number): void {
    const key = group.toLowerCase();
    let users = this.groups.get(key);
    if (users === undefined) {
      users = new Map();
      this.groups.set(key, users);
    }
    if (add(users, user, member, seenSeq)) this.announce(group, user, 'join', member);
  }

  exit(group: string, user: string, member: HubMember): void {
    const key = group.toLowerCase();
    const users = this.groups.get(key);
    if (users === undefined) return;
    if (remove(users, user, member)) this.announce(group, user, 'leave', member);
    if (users.size === 0) this.groups.delete(key);
  }

  /** Display names of the users in the group now. */
  members(group: string): string[] {
    const users = this.groups.get(group.toLowerCase());
    return users === undefined ? [] : Array.from(users.values(), (entry) => entry.name);
  }

  memberCount(group: string): number {
    return this.groups.get(group.toLowerCase())?.size ?? 0;
  }

  /**
   * Writes `frame` to every connection in the group except `sender` and, for a
   * message (`seq` > 0), except those that hold it from their join already.
   */
  broadcast(group: string, frame: Buffer, sender: HubMember | undefined, seq = 0): number {
    const users = this.groups.get(group.toLowerCase());
    if (users === undefined) return 0;
    let delivered = 0;
    for (const entry of users.values()) {
      for (const [member, seenSeq] of entry.connections) {
        if (member === sender || (seq > 0 && seq <= seenSeq)) continue;
        member.sendFrame(frame);
        delivered += 1;
      }
    }
    return delivered;
  }

  /** Writes `frame` to every signed-in connection of `user`. */
  sendToUser(user: string, frame: Buffer): number {
    const entry = this.online.get(user.toLowerCase());
    if (entry === undefined) return 0;
    for (const member of entry.connections.keys()) member.sendFrame(frame);
    return entry.connections.size;
  }

  private announce(group: string, user: string, event: PresenceMessage['event'], member: HubMember): void {
    const presence: PresenceMessage = { type: 'presence', group, user, event };
    this.broadcast(group, this.encoder.encode(presence), member);
  }
}
