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
import type { DirectMessage, NoticeMessage, PresenceMessage, StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { AccountMessage } from '../cluster/account-message.js';
import type { GroupEvent } from '../cluster/group-event.js';
import type { ClusterLink } from '../cluster/link.js';
import type { GroupActivity } from './activity.js';
import { deliverDirectHere } from './direct-delivery.js';
import { applyGroupEvent } from './group-events.js';
import { activityFeed, clusterPublisher, deliveryCounter, type HubEvent, type HubListener } from './hub-events.js';
import type { HubMember, Removal } from './hub-member.js';
import { MetricCounts } from '../observe/metrics.js';
import { PendingSignIns, type SignInHold } from './pending-sign-ins.js';
import { openGroups } from './open-groups.js';
import { type SessionState, signedInUser } from './session.js';
import { GroupRosters } from './group-rosters.js';
import { addToTable, removeFromTable, sendToAll, type UserTable } from './user-table.js';

export type { HubMember };

/** Groups a connection leaves per event-loop turn when it leaves many at once (see exitInTurns, and the runner's leaveInTurns). */
export const EXITS_PER_TURN = 8;

export interface HubOptions {
  /** Above this many users of a group on this node, its presence is not delivered here. */
  presenceMaxMembers: number;
  /** Where deliveries are counted (one addition per fan-out). */
  counts?: MetricCounts;
  /** Subscribed to the hub's events, for `activity` (activity.ts). */
  activity?: GroupActivity;
}

export class Hub {
  private readonly online: UserTable = new Map();
  /** The groups with users here, and the joins under way. */
  private readonly rosters = new GroupRosters();
  private readonly signIns = new PendingSignIns();
  /** Connections by id, to find a message's sender when it comes back from the cluster. */
  private readonly byId = new Map<number, HubMember>();
  /** The user each signed-in connection here is signed in as. */
  private readonly signedInAs = new Map<HubMember, string>();
  private readonly listeners: HubListener[] = [];

  constructor(
    private readonly encoder: FrameEncoder,
    private readonly link: ClusterLink,
    private readonly options: HubOptions = { presenceMaxMembers: DEFAULT_LIMITS.presenceMaxMembers },
  ) {
    this.subscribe(clusterPublisher(link));
    this.subscribe(deliveryCounter(options.counts ?? new MetricCounts()));
    if (options.activity !== undefined) this.subscribe(activityFeed(options.activity));
  }

  /** `listener` gets every event from now on, after those that subscribed before. */
  subscribe(listener: HubListener): void {
    this.listeners.push(listener);
  }

  private emit(event: HubEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Starts taking the cluster's events; resolves once the link is ready. */
  async start(): Promise<void> {
    await this.link.start({
      message: (message, origin) => this.deliverMessage(message, this.localSender(origin)),
      presence: (presence) => this.deliverPresence(presence, this.rosters.get(presence.group)?.size ?? 0, false),
      direct: (message) => this.deliverDirect(message, false),
      accountClosed: (user, message) => this.closeAccountHere(user, message, false),
      groupEvent: (event) => this.groupEventHere(event, false),
      notice: (notice) => this.publishNotice(notice, false),
      accountMessage: (sent) => this.sendToAccount(sent, false),
      membersHere: (group) => this.rosters.get(group)?.names() ?? [],
      memberPageHere: (group, after, limit) => this.rosters.get(group)?.page(after, limit) ?? [],
      memberCountsHere: (groups) => groups.map((group) => this.rosters.get(group)?.size ?? 0),
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
   * out, takes it out of the groups it leaves and into those it enters
   * (presence per user and group), and ends what was held for its join.
   * Returns the live frames that arrived for the group it joined while its
   * join was under way and that it does not hold, to be sent after the
   * `joined` reply. `removal`: a kick, ban or deletion takes it out of a
   * group (`{}` for a deletion; a kick's or ban's presence `leave` says so);
   * such a move leaves a join under way alone.
   */
  move(member: HubMember, from: SessionState, to: SessionState, removal?: Removal): Buffer[] {
    const joining = removal === undefined || to.kind === 'closed' ? this.rosters.takeJoin(member) : undefined;
    const before = new Set(openGroups(from).map((open) => nameKey(open.group)));
    const after = new Set(openGroups(to).map((open) => nameKey(open.group)));
    if (from.kind === 'chat') {
      const leaving = openGroups(from).filter((open) => !after.has(nameKey(open.group))).map((open) => open.group);
      if (to.kind === 'closed') this.exitInTurns(leaving, from.user, member);
      else for (const group of leaving) this.exit(group, from.user, member, removal);
    }
    const wasIn = signedInUser(from);
    const isIn = signedInUser(to);
    if (wasIn !== undefined && isIn === undefined) this.signOut(wasIn, member);
    if (wasIn === undefined && isIn !== undefined) this.signIn(isIn, member);
    if (to.kind !== 'chat') return [];
    for (const open of openGroups(to)) if (!before.has(nameKey(open.group))) this.enter(open.group, to.user, member, open.joinedAtSeq);
    if (joining === undefined || joining.groupKey !== nameKey(to.group)) return [];
    const revoked = joining.revoked;
    // After the runner has taken the new state and sent the reply (both synchronous, in the same turn).
    if (revoked !== undefined) queueMicrotask(() => member.removeFromGroup(to.group, revoked));
    const { frames, messages } = this.rosters.handOver(joining, to.user, member, to.joinedAtSeq, before.has(joining.groupKey));
    // Delivered after the `joined` reply.
    if (frames.length > 0) this.emit({ type: 'join_caught_up', messages, presence: frames.length - messages });
    return frames;
  }

  /**
   * Live messages of `group` are kept for `member` from now until its next
   * move (which hands over those it lacks) or until the returned release;
   * a connection in the group already gets them then, not meanwhile.
   */
  holdLiveMessages(member: HubMember, group: string): () => void {
    return this.rosters.hold(member, this.signedInAs.get(member) ?? '', group);
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
    this.closeAccountHere(user, message, true);
  }

  private closeAccountHere(user: string, message: string, local: boolean): void {
    this.signIns.revoke(user, message);
    const entry = this.online.get(nameKey(user));
    // A copy: each close signs its connection out of the table being read.
    for (const member of [...(entry?.connections.keys() ?? [])]) member.fail(new ProtocolError('account_disabled', message));
    this.emit({ type: 'account_closed', user, message, local });
  }

  /**
   * A topic, kick or deletion: applied to this node's connections in the
   * group now, and to every other node's through the link.
   */
  groupEvent(event: GroupEvent): void {
    this.groupEventHere(event, true);
  }

  private groupEventHere(event: GroupEvent, local: boolean): void {
    applyGroupEvent(event, this.rosters.connectionsIn(event.group, (userKey) => this.online.get(userKey)?.connections), this.encoder, nameKey);
    this.emit({ type: 'group_changed', event, local });
  }

  private signIn(user: string, member: HubMember): void {
    const revoked = this.signIns.take(member);
    // Closed between its password check and now: after the runner's reply, as a live session would be.
    if (revoked !== undefined) queueMicrotask(() => member.fail(new ProtocolError('account_disabled', revoked)));
    this.byId.set(member.connectionId, member);
    this.signedInAs.set(member, user);
    this.emit({ type: 'signed_in', member, user, first: addToTable(this.online, user, member) });
  }

  private signOut(user: string, member: HubMember): void {
    this.byId.delete(member.connectionId);
    this.signedInAs.delete(member);
    this.emit({ type: 'signed_out', member, user, last: removeFromTable(this.online, user, member) });
  }

  /** Puts the connection in the group; it already holds messages up to `seenSeq`. */
  private enter(group: string, user: string, member: HubMember, seenSeq: number): void {
    const { first, size } = this.rosters.enter(group, user, member, seenSeq);
    this.emit({ type: 'moved', member, user, group, into: true, firstOrLast: first });
    if (first) this.deliverPresence({ type: 'presence', group, user, event: 'join' }, size, true);
  }

  private exit(group: string, user: string, member: HubMember, removal: Removal = {}): void {
    const { last, size } = this.rosters.exit(group, user, member);
    this.emit({ type: 'moved', member, user, group, into: false, firstOrLast: last });
    if (last && size !== undefined) this.deliverPresence({ type: 'presence', group, user, event: 'leave', ...removal }, size + 1, true);
  }

  /**
   * A closed connection leaves its groups EXITS_PER_TURN per event-loop turn:
   * one in 100 groups of hundreds would otherwise send tens of thousands of
   * presence frames in one turn, and everyone else would wait for it. Until
   * it leaves a group it stays counted there (its frames go nowhere); nothing
   * can bring it back.
   */
  private exitInTurns(groups: string[], user: string, member: HubMember): void {
    for (const group of groups.slice(0, EXITS_PER_TURN)) this.exit(group, user, member);
    if (groups.length > EXITS_PER_TURN) setImmediate(() => this.exitInTurns(groups.slice(EXITS_PER_TURN), user, member));
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

  /** A stored direct message: to every connection of both sides, on every node, but `sender` (direct-delivery.ts). */
  publishDirect(message: DirectMessage, sender?: HubMember): void {
    this.deliverDirect(message, true, sender);
  }

  /** An admin's notice: to every signed-in connection here, and (`local`: it started here) on every other node. */
  publishNotice(notice: NoticeMessage, local = true): void {
    this.emit({ type: 'notice', notice, delivered: sendToAll(this.online, this.encoder.encode(notice)), local });
  }

  /** A message to every connection of one account: here, and (`local`: it started here) on every other node. */
  sendToAccount(sent: AccountMessage, local = true): void {
    this.emit({ type: 'account_message', sent, delivered: sendToAll(this.online, this.encoder.encode(sent.message), nameKey(sent.user)), local });
  }

  private deliverMessage(message: StoredMessage, sender: HubMember | undefined): void {
    const delivered = this.deliverLocal(message.group, this.encoder.encode({ type: 'msg', ...message }), sender, message.seq);
    this.emit({ type: 'message_stored', message, delivered });
  }

  private deliverDirect(message: DirectMessage, local: boolean, sender?: HubMember): void {
    const delivered = deliverDirectHere(this.online, message, this.encoder.encode(message), sender);
    this.emit({ type: 'direct_message', message, delivered, local });
  }

  /** Writes `frame` to this node's connections in the group (GroupRosters.send); returns how many got it. */
  private deliverLocal(group: string, frame: Buffer, sender: HubMember | undefined, seq: number, skipUser?: string): number {
    return this.rosters.send(group, frame, sender, seq, skipUser);
  }

  private localSender(origin: string): HubMember | undefined {
    const separator = origin.lastIndexOf(':');
    if (origin.slice(0, separator) !== this.link.nodeId) return undefined;
    return this.byId.get(Number(origin.slice(separator + 1)));
  }

  /** `usersHere`: the group's users on this node, the one joining or leaving included. */
  private deliverPresence(presence: PresenceMessage, usersHere: number, local: boolean): void {
    const delivered = usersHere > this.options.presenceMaxMembers ? 0
      : this.deliverLocal(presence.group, this.encoder.encode(presence), undefined, 0, presence.user);
    this.emit({ type: 'presence', presence, delivered, local });
  }
}
