/**
 * What a node shares with the other nodes of a cluster. A node alone has a
 * link that shares nothing (LocalLink) and answers from the hub's own tables.
 * In cluster mode (Redis), stored messages reach every node through the
 * store's own announcement, in seq order; this link carries the rest.
 */
import type { DirectMessage, NoticeMessage, PresenceMessage, StoredMessage } from '../protocol/messages.js';
import type { AccountMessage } from './account-message.js';
import type { GroupEvent } from './group-event.js';

export interface ClusterEvents {
  /** A message stored by any node (this one included), with the connection that sent it. */
  message(message: StoredMessage, origin: string): void;
  presence(presence: PresenceMessage, origin: string): void;
  direct(message: DirectMessage, origin: string): void;
  /** An account was disabled: its connections get `account_disabled` (with `message`) and close. */
  accountClosed(user: string, message: string, origin: string): void;
  /** A topic, kick or deletion in a group (see GroupEvent). */
  groupEvent(event: GroupEvent, origin: string): void;
  /** An admin's notice: for every signed-in connection. */
  notice(notice: NoticeMessage, origin: string): void;
  /** A message for every connection of one account (a conversation's `message_deleted`). */
  accountMessage(sent: AccountMessage, origin: string): void;
}

/** What a link may ask of its node: take the cluster's events; answer from its own tables (a node alone). */
export interface LocalNode extends ClusterEvents {
  /** Display names of the group's users on this node. */
  membersHere(group: string): string[];
  /** At most `limit` display names of the group's users on this node after `after`, in name-key order. */
  memberPageHere(group: string, after: string | undefined, limit: number): string[];
  memberCountsHere(groups: string[]): number[];
}

export interface ClusterLink {
  /** This node's id, unique in the cluster. */
  readonly nodeId: string;
  /**
   * True when every stored message reaches every node, its sender's included,
   * through `message` events (a shared store announces it); false when the
   * hub delivers each message as its sender stores it.
   */
  readonly sharesStoredMessages: boolean;
  /** Starts receiving events; resolves once subscribed. */
  start(node: LocalNode): Promise<void>;
  publishPresence(presence: PresenceMessage): void;
  publishDirect(message: DirectMessage): void;
  /** Tells every other node to close the account's connections. */
  publishAccountClosed(user: string, message: string): void;
  /** Tells every other node of a topic, kick or deletion (a shared store may announce deletions itself). */
  publishGroupEvent(event: GroupEvent): void;
  /** Tells every other node of an admin's notice. */
  publishNotice(notice: NoticeMessage): void;
  /** Tells every other node of a message for one account's connections. */
  publishAccountMessage(sent: AccountMessage): void;
  /** This node now has (or no longer has) `user` in `group` / online. */
  trackMember(group: string, user: string, present: boolean): void;
  /** Cluster-wide: display names in the group now. */
  members(group: string): Promise<string[]>;
  /** Cluster-wide: at most `limit` display names in the group after `after`, in name-key order. */
  memberPage(group: string, after: string | undefined, limit: number): Promise<string[]>;
  /** Cluster-wide member counts, one per group. */
  memberCounts(groups: string[]): Promise<number[]>;
  close(): Promise<void>;
}
