/**
 * The user's role and the topic of each group the client is in (several, with
 * windows), as the `joined` replies, `role` and `topic` messages said them,
 * so that the current group's (for the prompt, /help and Tab) follow when
 * another group becomes current (the current one left, kicked, deleted).
 */
import type { GroupRole } from '../protocol/messages.js';
import { nameKey, type NameKey } from '../protocol/names.js';

export interface GroupStanding {
  /** The group's name as the server spells it. */
  group: string;
  role: GroupRole;
  /** Undefined: the server did not say (a server before topics). */
  topic: string | undefined;
}

export class GroupStandings {
  private readonly byGroup = new Map<NameKey, GroupStanding>();

  /** A `joined`: the group's standing as it says. */
  joined(standing: GroupStanding): void {
    this.byGroup.set(nameKey(standing.group), { ...standing });
  }

  /** The user's role in `group` changed (an owner stays owner); nothing for a group it is not in. */
  roleIs(group: string, role: GroupRole): void {
    const standing = this.byGroup.get(nameKey(group));
    if (standing !== undefined && standing.role !== 'owner') standing.role = role;
  }

  topicIs(group: string, topic: string): void {
    const standing = this.byGroup.get(nameKey(group));
    if (standing !== undefined) standing.topic = topic;
  }

  get(group: string): GroupStanding | undefined {
    return this.byGroup.get(nameKey(group));
  }

  /** Out of `group`. */
  forget(group: string): void {
    this.byGroup.delete(nameKey(group));
  }
}
