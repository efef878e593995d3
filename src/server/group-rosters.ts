/**
 * This node's groups and who of this node is in each (a GroupRoster per
 * group with anyone in it), the deliveries to them, and the joins under way
 * (pending-joins.ts): the hub's group side. Routing is by group membership:
 * a frame about a group goes to every connection in it, whichever group is
 * that connection's current one.
 *
 * A join of a group the connection is already in (January additions) keeps
 * it in the roster (no presence), but the group's live messages are held
 * for it, not delivered, until its reply is out, as for a first join: the
 * `joined` history and the live messages then hold each message once.
 */
import { nameKey, type NameKey } from '../protocol/names.js';
import type { GroupConnections } from './group-events.js';
import { GroupRoster } from './group-roster.js';
import type { HubMember } from './hub-member.js';
import { type PendingJoin, PendingJoins } from './pending-joins.js';

/** What a join's move hands over: the frames to send after `joined`, and how many of them are messages. */
export interface HandOver {
  frames: Buffer[];
  messages: number;
}

export class GroupRosters {
  /** Group key → the users in it now. */
  private readonly groups = new Map<NameKey, GroupRoster>();
  private readonly pending = new PendingJoins();

  /** The group's roster here, if anyone is in it. */
  get(group: string): GroupRoster | undefined {
    return this.groups.get(nameKey(group));
  }

  /** Puts the connection in the group; it already holds messages up to `seenSeq`. Returns whether the user is new in it here, and the users here now. */
  enter(group: string, user: string, member: HubMember, seenSeq: number): { first: boolean; size: number } {
    const key = nameKey(group);
    let users = this.groups.get(key);
    if (users === undefined) {
      users = new GroupRoster();
      this.groups.set(key, users);
    }
    const first = users.add(user, member, seenSeq);
    return { first, size: users.size };
  }

  /** Takes the connection out of the group. Returns whether it was the user's last one here, and the users here now (undefined: nobody was). */
  exit(group: string, user: string, member: HubMember): { last: boolean; size: number | undefined } {
    const key = nameKey(group);
    const users = this.groups.get(key);
    if (users === undefined) return { last: false, size: undefined };
    const last = users.remove(user, member);
    if (users.size === 0) this.groups.delete(key);
    return { last, size: users.size };
  }

  /**
   * Writes `frame` to every connection here in the group, except `sender`,
   * except the connections of `skipUser`, and, for a message (`seq` > 0),
   * except those that hold it from their join; keeps it for the group's
   * joins under way. Returns how many it was written to.
   */
  send(group: string, frame: Buffer, sender: HubMember | undefined, seq: number, skipUser?: string): number {
    const key = nameKey(group);
    const sent = this.groups.get(key)?.send(frame, sender, seq, skipUser) ?? 0;
    this.pending.keep(key, frame, seq, sender);
    return sent;
  }

  /**
   * What a group event sees of the group here (group-events.ts): its
   * connections, and its joins under way; `online` gives a user's signed-in
   * connections here.
   */
  connectionsIn(group: string, online: (userKey: NameKey) => ReadonlyMap<HubMember, unknown> | undefined): GroupConnections {
    const key = nameKey(group);
    const users = this.groups.get(key)?.users;
    return {
      members: (userKey) => {
        const entries = userKey === undefined ? [...(users?.values() ?? [])] : [users?.get(userKey)];
        return entries.flatMap((entry) => [...(entry?.connections.keys() ?? [])]);
      },
      holdForJoins: (frame) => this.pending.keep(key, frame, 0),
      // A user with no connection here has no join under way here.
      revokeJoins: (notice, userKey) => this.pending.revoke(key, notice, userKey === undefined ? undefined : (online(userKey) ?? new Map())),
    };
  }

  /**
   * Live messages of `group` are kept for `member` (of `user`) from now until
   * its join's move or the returned release. When it is in the group already,
   * its live messages stop meanwhile (held instead); the release sends them.
   */
  hold(member: HubMember, user: string, group: string): () => void {
    const key = nameKey(group);
    const roster = this.groups.get(key);
    const seenBefore = roster?.seenBy(user, member);
    if (seenBefore !== undefined) roster!.setSeen(user, member, Number.POSITIVE_INFINITY);
    const release = this.pending.hold(member, key, seenBefore);
    return () => {
      const joining = release();
      if (joining?.seenBefore === undefined) return;
      // A re-join that failed: what was held is delivered, and live messages flow again.
      const now = this.groups.get(key);
      if (now?.seenBy(user, member) === undefined) return;
      for (const held of joining.frames) if (held.seq > joining.seenBefore) member.sendFrame(held.frame);
      now.setSeen(user, member, joining.seenBefore);
    };
  }

  /** Ends `member`'s join under way, if any, and returns it. */
  takeJoin(member: HubMember): PendingJoin | undefined {
    return this.pending.take(member);
  }

  /**
   * The join's move: `member` (of `user`) is now in `group`, holding messages
   * up to `joinedAtSeq`. A first join gets every held frame it lacks; a
   * re-join (it stayed in the roster, so it got all but the messages live)
   * gets the held messages it lacks, and its live messages flow again.
   */
  handOver(joining: PendingJoin, user: string, member: HubMember, joinedAtSeq: number, rejoin: boolean): HandOver {
    if (rejoin) this.groups.get(joining.groupKey)?.setSeen(user, member, joinedAtSeq);
    const frames = joining.frames.filter((held) => (held.seq === 0 ? !rejoin : held.seq > joinedAtSeq));
    const messages = frames.reduce((count, held) => count + (held.seq > 0 ? 1 : 0), 0);
    return { frames: frames.map((held) => held.frame), messages };
  }
}
