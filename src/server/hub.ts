/**
 * Who is online and who is in which group, and delivery to them. A frame meant
 * for many recipients arrives here encoded once; the same bytes go to all.
 * Presence is per user: `join` when a user's first connection enters a group,
 * `leave` when its last one goes. With a cluster link, membership is
 * mirrored to the other nodes and their events are delivered here.
 *
 * Large groups get no presence: a node delivers a group's presence to its
 * connections only while it has at most `presenceMaxMembers` users in that
 * group (counting the one who joins or leaves), so a crowd joining or leaving
 * costs O(n), not O(n²). On a single node that is the group's size.
 *
 * A connection's place here follows its session state, and `move` is the one
 * way it changes: signed in or out, into a group or out of it.
 */
import { ProtocolError } from '../protocol/errors.js';
import type { FrameEncoder } from '../protocol/frame.js';
import { DEFAULT_LIMITS } from '../protocol/limits.js';
import type { DirectMessage, GroupNotice, PresenceMessage, StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { GroupEvent } from '../cluster/group-event.js';
import type { ClusterLink } from '../cluster/link.js';
import { applyGroupEvent } from './group-events.js';
import { type GroupActivity, NO_ACTIVITY } from './activity.js';
import { MetricCounts } from './metrics.js';
import { PendingSignIns, type SignInHold } from './pending-sign-ins.js';
import type { HubMember } from './hub-member.js';
import { GroupRoster } from './group-roster.js';
import { addToTable, removeFromTable, type UserTable } from './user-table.js';
import type { SessionState } from './session.js';

export type { HubMember };

/** The user a state is signed in as; undefined before sign-in and after close. */
function signedInUser(state: SessionState): string | undefined {
  return state.kind === 'group_select' || state.kind === 'chat' ? state.user : undefined;
}

/** A join under way: live messages for the group are kept until the reply is out. */
interface PendingJoin {
  groupKey: string;
  frames: Array<{ frame: Buffer; seq: number }>;
  /** Kicked, banned or deleted while the join was under way: applied right after the join's reply. */
  revoked?: GroupNotice;
}

export interface HubOptions {
  /** Above this many users of a group on this node, its presence is not delivered here. */
  presenceMaxMembers: number;
  /** Where deliveries are counted (one addition per fan-out). */
  counts?: MetricCounts;
  /** Told of sign-ins, moves and every message delivered here, for `activity` (activity.ts). */
  activity?: GroupActivity;
}

export class Hub {
  private readonly online: UserTable = new Map();
  /** Group key → the users in it now. */
  private readonly groups = new Map<string, GroupRoster>();
  private readonly pending = new Map<HubMember, PendingJoin>();
  private readonly signIns = new PendingSignIns();
  /** Connections by id, to find a message's sender when it comes back from the cluster. */
  private readonly byId = new Map<number, HubMember>();
  private readonly counts: MetricCounts;
  private readonly activity: GroupActivity;

  constructor(
    private readonly encoder: FrameEncoder,
    private readonly link: ClusterLink,
    private readonly options: HubOptions = { presenceMaxMembers: DEFAULT_LIMITS.presenceMaxMembers },
  ) {
    this.counts = options.counts ?? new MetricCounts();
    this.activity = options.activity ?? NO_ACTIVITY;
  }

  /** Starts taking the cluster's events; resolves once the link is ready. */
  async start(): Promise<void> {
    await this.link.start({
      message: (message, origin) => this.deliverMessage(message, this.localSender(origin)),
      presence: (presence) => this.deliverPresence(presence, this.groups.get(nameKey(presence.group))?.size ?? 0),
      direct: (message) => this.deliverDirect(message),
      accountClosed: (user, message) => this.closeAccountHere(user, message),
      groupEvent: (event) => this.groupEventHere(event),
      membersHere: (group) => this.groups.get(nameKey(group))?.names() ?? [],
      memberPageHere: (group, after, limit) => this.groups.get(nameKey(group))?.page(after, limit) ?? [],
      memberCountsHere: (groups) => groups.map((group) => this.groups.get(nameKey(group))?.size ?? 0),
    });
  }

  /**
   * The tag a member's stored messages carry, so that they come back to it
   * marked as its own: `nodeId:connectionId` in a cluster; empty on a node
   * alone, where the sender is handed over as it is.
   */
  originOf(member: HubMember): string {
    return this.link.sharesStoredMessages ? `${this.link.nodeId}:${member.connectionId}` : '';
  }

  /**
   * Moves a connection from one session state to the next: signs it in or
   * out, takes it out of its group and into a new one, and ends what was held
   * for its join. Returns the live frames that arrived for the group it enters
   * while its join was under way and that it does not hold, to be sent after
   * the `joined` reply.
   */
  move(member: HubMember, from: SessionState, to: SessionState): Buffer[] {
    const joining = this.pending.get(member);
    this.pending.delete(member);
    const sameGroup = from.kind === 'chat' && to.kind === 'chat' && from.group === to.group;
    if (from.kind === 'chat' && !sameGroup) this.exit(from.group, from.user, member);
    const wasIn = signedInUser(from);
    const isIn = signedInUser(to);
    if (wasIn !== undefined && isIn === undefined) this.signOut(wasIn, member);
    if (wasIn === undefined && isIn !== undefined) this.signIn(isIn, member);
    if (to.kind !== 'chat' || sameGroup) return [];
    this.enter(to.group, to.user, member, to.joinedAtSeq);
    if (joining === undefined || joining.groupKey !== nameKey(to.group)) return [];
    const revoked = joining.revoked;
    // After the runner has taken the new state and sent the reply (both synchronous, in the same turn).
    if (revoked !== undefined) queueMicrotask(() => member.removeFromGroup(to.group, revoked));
    const handedOver = joining.frames.filter((held) => held.seq === 0 || held.seq > to.joinedAtSeq);
    // Delivered after the `joined` reply: counted here, as deliverLocal counts the others.
    for (const held of handedOver) this.counts.deliveries[held.seq > 0 ? 'message' : 'presence'] += 1;
    return handedOver.map((held) => held.frame);
  }

  /**
   * Live messages of `group` are kept for `member` from now until its next
   * move (which hands over those it lacks) or until the returned release.
   */
  holdLiveMessages(member: HubMember, group: string): () => void {
    const joining: PendingJoin = { groupKey: nameKey(group), frames: [] };
    this.pending.set(member, joining);
    return () => {
      if (this.pending.get(member) === joining) this.pending.delete(member);
    };
  }

  /** A login's sign-in as `user`, from a correct password on: a close of the account meanwhile revokes it. */
  holdSignIn(member: HubMember, user: string, signal: AbortSignal): SignInHold {
    return this.signIns.hold(member, user, signal);
  }

  /**
   * A disabled account: its connections get `account_disabled` and close,
   * on this node now and on every other node through the link; its logins
   * under way are refused.
   */
  closeAccount(user: string, message: string): void {
    this.closeAccountHere(user, message);
    this.link.publishAccountClosed(user, message);
  }

  private closeAccountHere(user: string, message: string): void {
    this.signIns.revoke(user, message);
    const entry = this.online.get(nameKey(user));
    if (entry === undefined) return;
    // A copy: each close signs its connection out of the table being read.
    for (const member of [...entry.connections.keys()]) member.fail(new ProtocolError('account_disabled', message));
  }

  /**
   * A topic, kick or deletion: applied to this node's connections in the
   * group now, and to every other node's through the link.
   */
  groupEvent(event: GroupEvent): void {
    this.groupEventHere(event);
    this.link.publishGroupEvent(event);
  }

  private groupEventHere(event: GroupEvent): void {
    const key = nameKey(event.group);
    const users = this.groups.get(key)?.users;
    applyGroupEvent(event, {
      members: (userKey) => {
        const entries = userKey === undefined ? [...(users?.values() ?? [])] : [users?.get(userKey)];
        return entries.flatMap((entry) => [...(entry?.connections.keys() ?? [])]);
      },
      holdForJoins: (frame) => {
        for (const joining of this.pending.values()) if (joining.groupKey === key) joining.frames.push({ frame, seq: 0 });
      },
      revokeJoins: (notice, userKey) => {
        const own = userKey === undefined ? undefined : this.online.get(userKey)?.connections;
        for (const [member, joining] of this.pending) if (joining.groupKey === key && (own === undefined || own.has(member))) joining.revoked = notice;
      },
      forgetActivity: (userKey) => this.activity.forget(event.group, userKey),
    }, this.encoder, nameKey);
  }

  /** The user's display name when it is online (on any node). */
  async onlineName(user: string): Promise<string | undefined> {
    return this.online.get(nameKey(user))?.name ?? (await this.link.onlineName(user));
  }

  private signIn(user: string, member: HubMember): void {
    const revoked = this.signIns.take(member);
    // Closed between its password check and now: after the runner's reply, as a live session would be.
    if (revoked !== undefined) queueMicrotask(() => member.fail(new ProtocolError('account_disabled', revoked)));
    this.byId.set(member.connectionId, member);
    if (addToTable(this.online, user, member)) this.link.trackOnline(user, true);
    this.activity.signedIn(member, user);
  }

  private signOut(user: string, member: HubMember): void {
    this.byId.delete(member.connectionId);
    this.activity.signedOut(member);
    if (removeFromTable(this.online, user, member)) this.link.trackOnline(user, false);
  }

  /** Puts the connection in the group; it already holds messages up to `seenSeq`. */
  private enter(group: string, user: string, member: HubMember, seenSeq: number): void {
    const key = nameKey(group);
    let users = this.groups.get(key);
    if (users === undefined) {
      users = new GroupRoster();
      this.groups.set(key, users);
    }
    this.activity.entered(member, group);
    if (users.add(user, member, seenSeq)) {
      this.link.trackMember(group, user, true);
      this.announce({ type: 'presence', group, user, event: 'join' }, users.size);
    }
  }

  private exit(group: string, user: string, member: HubMember): void {
    const key = nameKey(group);
    this.activity.exited(member, group);
    const users = this.groups.get(key);
    if (users === undefined) return;
    if (users.remove(user, member)) {
      this.link.trackMember(group, user, false);
      this.announce({ type: 'presence', group, user, event: 'leave' }, users.size + 1);
    }
    if (users.size === 0) this.groups.delete(key);
  }

  /** Display names of the users in the group now (on every node). */
  async members(group: string): Promise<string[]> {
    return this.link.members(group);
  }

  /** At most `limit` display names of the group's users (on every node) after `after`, in name-key order. */
  async memberPage(group: string, after: string | undefined, limit: number): Promise<string[]> {
    return this.link.memberPage(group, after, limit);
  }

  async memberCounts(groups: string[]): Promise<number[]> {
    return this.link.memberCounts(groups);
  }

  /**
   * A message was stored. On a node alone it is delivered now; in a cluster
   * the store announced it and it comes back through the link, in seq order.
   */
  publishMessage(message: StoredMessage, sender: HubMember): void {
    if (!this.link.sharesStoredMessages) this.deliverMessage(message, sender);
  }

  /** A direct message: to every connection of its recipient, on every node. */
  publishDirect(message: DirectMessage): void {
    this.deliverDirect(message);
    this.link.publishDirect(message);
  }

  private deliverMessage(message: StoredMessage, sender: HubMember | undefined): void {
    this.deliverLocal(message.group, this.encoder.encode({ type: 'msg', ...message }), sender, message.seq);
    this.activity.messageArrived(message);
  }

  private deliverDirect(message: DirectMessage): void {
    const entry = this.online.get(nameKey(message.to));
    if (entry === undefined) return;
    const frame = this.encoder.encode(message);
    for (const member of entry.connections.keys()) member.sendFrame(frame);
    this.counts.deliveries.direct += entry.connections.size;
  }

  /**
   * Writes `frame` to every connection of this node in the group, except
   * `sender`, except the connections of `skipUser` (presence about itself),
   * and, for a message (`seq` > 0), except those that hold it from their join.
   */
  private deliverLocal(group: string, frame: Buffer, sender: HubMember | undefined, seq: number, skipUser?: string): void {
    const key = nameKey(group);
    const sent = this.groups.get(key)?.send(frame, sender, seq, skipUser) ?? 0;
    if (seq > 0) this.counts.deliveries.message += sent;
    else this.counts.deliveries.presence += sent;
    for (const [member, joining] of this.pending) {
      if (joining.groupKey === key && member !== sender) joining.frames.push({ frame, seq });
    }
  }

  private localSender(origin: string): HubMember | undefined {
    const separator = origin.lastIndexOf(':');
    if (origin.slice(0, separator) !== this.link.nodeId) return undefined;
    return this.byId.get(Number(origin.slice(separator + 1)));
  }

  /** `usersHere`: the group's users on this node, the one joining or leaving included. */
  private announce(presence: PresenceMessage, usersHere: number): void {
    this.deliverPresence(presence, usersHere);
    this.link.publishPresence(presence);
  }

  private deliverPresence(presence: PresenceMessage, usersHere: number): void {
    if (usersHere > this.options.presenceMaxMembers) return;
    this.deliverLocal(presence.group, this.encoder.encode(presence), undefined, 0, presence.user);
  }
}
