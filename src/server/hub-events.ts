/**
 * What the hub tells: typed events, published synchronously to its
 * subscribers in the order they subscribed. The cluster link (what to share
 * with other nodes), the delivery counts of the metrics, and `activity`
 * subscribe here instead of being called by name from the hub; `local`
 * says the event started on this node (not received from the link).
 */
import type { AccountMessage } from '../cluster/account-message.js';
import type { GroupEvent } from '../cluster/group-event.js';
import type { ClusterLink } from '../cluster/link.js';
import { assertNever } from '../protocol/errors.js';
import type { DirectMessage, NoticeMessage, PresenceMessage, StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { GroupActivity } from './activity.js';
import type { HubMember } from './hub-member.js';
import type { MetricCounts } from '../observe/metrics.js';

export type HubEvent =
  /** `first`: the user's first connection on this node. */
  | { type: 'signed_in'; member: HubMember; user: string; first: boolean }
  /** `last`: the user's last connection on this node. */
  | { type: 'signed_out'; member: HubMember; user: string; last: boolean }
  /** Into or out of a group; `first`/`last` of the user in the group on this node. */
  | { type: 'moved'; member: HubMember; user: string; group: string; into: boolean; firstOrLast: boolean }
  /** A group's presence, delivered to `delivered` connections here. */
  | { type: 'presence'; presence: PresenceMessage; delivered: number; local: boolean }
  /** A stored message, delivered to `delivered` connections here (once per message, whatever its origin). */
  | { type: 'message_stored'; message: StoredMessage; delivered: number }
  /** A direct message, delivered to `delivered` connections here. */
  | { type: 'direct_message'; message: DirectMessage; delivered: number; local: boolean }
  /** What arrived for a join under way, sent after its reply. */
  | { type: 'join_caught_up'; messages: number; presence: number }
  /** A topic, kick or deletion, applied to the connections here. */
  | { type: 'group_changed'; event: GroupEvent; local: boolean }
  /** A disabled account, its connections here closed. */
  | { type: 'account_closed'; user: string; message: string; local: boolean }
  /** An admin's notice, delivered to `delivered` signed-in connections here. */
  | { type: 'notice'; notice: NoticeMessage; delivered: number; local: boolean }
  /** A message for one account, delivered to `delivered` of its connections here. */
  | { type: 'account_message'; sent: AccountMessage; delivered: number; local: boolean };

export type HubListener = (event: HubEvent) => void;

/** Shares with the other nodes what happened here. */
export function clusterPublisher(link: ClusterLink): HubListener {
  return (event) => {
    switch (event.type) {
      case 'moved': if (event.firstOrLast) link.trackMember(event.group, event.user, event.into); return;
      case 'presence': if (event.local) link.publishPresence(event.presence); return;
      case 'direct_message': if (event.local) link.publishDirect(event.message); return;
      case 'group_changed': if (event.local) link.publishGroupEvent(event.event); return;
      case 'account_closed': if (event.local) link.publishAccountClosed(event.user, event.message); return;
      case 'notice': if (event.local) link.publishNotice(event.notice); return;
      case 'account_message': if (event.local) link.publishAccountMessage(event.sent); return;
      case 'message_stored': case 'join_caught_up': return; // a stored message reaches the others through the store
      case 'signed_in': case 'signed_out': return; // who is online is not shared: a direct message is stored, online or not
      default: assertNever(event);
    }
  };
}

/** Counts deliveries (one addition per fan-out). */
export function deliveryCounter(counts: MetricCounts): HubListener {
  return (event) => {
    switch (event.type) {
      case 'message_stored': counts.deliveries.message += event.delivered; return;
      case 'presence': counts.deliveries.presence += event.delivered; return;
      case 'direct_message': counts.deliveries.direct += event.delivered; return;
      case 'join_caught_up':
        counts.deliveries.message += event.messages;
        counts.deliveries.presence += event.presence;
        return;
      default:
    }
  };
}

/** Feeds `activity` (activity.ts): sign-ins, moves, messages delivered here, groups left for good. */
export function activityFeed(activity: GroupActivity): HubListener {
  return (event) => {
    switch (event.type) {
      case 'signed_in': activity.signedIn(event.member, event.user); return;
      case 'signed_out': activity.signedOut(event.member); return;
      case 'moved':
        if (event.into) activity.entered(event.member, event.group);
        else activity.exited(event.member, event.group);
        return;
      case 'message_stored': activity.messageArrived(event.message); return;
      case 'group_changed': {
        const change = event.event;
        // After the removal (which makes the group idle for the user's connections).
        if (change.kind === 'deleted') activity.forget(change.group);
        else if (change.kind === 'kicked' && (change.banned || change.shutOut === true)) activity.forget(change.group, nameKey(change.user));
        return;
      }
      default:
    }
  };
}
