/**
 * What the server needs stored for group moderation (December additions):
 * each group's owner, topic and private flag, its moderators, invitations and
 * bans. Both stores fill it with the same semantics. Users are stored by name
 * key; every method takes names in any case. Every setter returns false when
 * the group does not exist (checked atomically with the change, so nothing is
 * left behind for a group deleted meanwhile).
 */
import type { NameKey } from '../protocol/names.js';

/** A user's standing in one group. */
export type GroupRole = 'owner' | 'moderator' | 'member';

/** Why, by whom and when a user was banned from a group. */
export interface GroupBan {
  /** Empty when none was given. */
  reason: string;
  /** Display name of who banned. */
  by: string;
  at: number;
}

/** A group's moderation settings. */
export interface GroupSettings {
  /** The name as first written. */
  name: string;
  /** Name key of the creator; undefined for groups made before owners were kept (only admins act for them). */
  ownerKey?: NameKey;
  /** Empty: no topic. */
  topic: string;
  private: boolean;
}

/** What one user is in one group, besides owner (see `GroupSettings.ownerKey`). */
export interface GroupStanding {
  moderator: boolean;
  invited: boolean;
  ban?: GroupBan;
}

export interface ModerationStore {
  /** The group's settings; undefined when there is no such group. */
  groupSettings(group: string): Promise<GroupSettings | undefined>;
  /** Every group's settings, sorted by name key (list_groups). */
  listGroupSettings(): Promise<GroupSettings[]>;
  /** Name keys of the private groups where `user` is a moderator or invited (its own are known by `ownerKey`). */
  privateGroupsOpenTo(user: string): Promise<Set<NameKey>>;
  /** The user's standing in the group (all false when the group or user does not exist). */
  standing(group: string, user: string): Promise<GroupStanding>;
  /** The name keys of the group's moderators among `users` (one read for them all: `who`'s and `joined`'s `roles`). */
  moderatorsAmong(group: string, users: readonly string[]): Promise<Set<NameKey>>;
  setTopic(group: string, topic: string): Promise<boolean>;
  setModerator(group: string, user: string, moderator: boolean): Promise<boolean>;
  setInvited(group: string, user: string, invited: boolean): Promise<boolean>;
  /** `undefined` lifts the ban. */
  setBan(group: string, user: string, ban: GroupBan | undefined): Promise<boolean>;
  /**
   * Removes the group, its history and its moderation rows; its name becomes
   * free. Returns the name as first written, undefined when there was no such
   * group. `by` names who did it (a store shared by nodes announces it).
   */
  deleteGroup(group: string, by: string): Promise<string | undefined>;
}
