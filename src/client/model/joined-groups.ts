/**
 * The groups a connection is in, as its ChatClient knows them, and the last
 * seq seen in each: what a reconnect rejoins. A `join` without `keep` leaves
 * the others (as the server does); with `keep` (January: several groups per
 * connection) the group is added beside them. The current group is the one
 * joined last; when it is left, the one joined before it is current, as the
 * server's rule goes.
 */
import { type NameKey, nameKey } from '../../protocol/names.js';

export interface JoinedGroup {
  /** As the server spells it. */
  readonly name: string;
  /** The highest seq seen in it. */
  lastSeq: number;
}

/** Where a reconnect resumes: a group and the last seq seen (or shown) of it. */
export interface ResumePoint {
  group: string;
  lastSeq: number;
}

export class JoinedGroups {
  /** In the order they were joined (re-joined: moved last): the current group is the last. */
  private readonly groups = new Map<NameKey, JoinedGroup>();
  /** The highest seq seen in the group joined last, kept after it is left. */
  private seen = 0;

  /** The group messages are said in; undefined outside a group. */
  get current(): JoinedGroup | undefined {
    let last: JoinedGroup | undefined;
    for (const group of this.groups.values()) last = group;
    return last;
  }

  /** The highest seq seen in the current group (or, out of it, the one left last). */
  get lastSeq(): number {
    return this.current?.lastSeq ?? this.seen;
  }

  /** Whether the connection is in `group`. */
  has(group: string): boolean {
    return this.groups.has(nameKey(group));
  }

  /** Joined `group` (the `joined` reply's spelling), whose last seq is `lastSeq`: now the current one; without `keep`, the others left. */
  joined(group: string, lastSeq: number, keep = false): void {
    const key = nameKey(group);
    const known = this.groups.get(key);
    if (!keep) this.groups.clear();
    else this.groups.delete(key);
    this.groups.set(key, { name: group, lastSeq: Math.max(lastSeq, keep ? known?.lastSeq ?? 0 : 0) });
    this.seen = lastSeq;
  }

  /** Out of `group` (left, kicked, banned, deleted); without one, out of the current group. */
  left(group?: string): void {
    const key = group === undefined ? (this.current && nameKey(this.current.name)) : nameKey(group);
    if (key !== undefined) this.groups.delete(key);
  }

  /** A seq seen in `group` (without one: the current group): a message, an ack, a rejoin's last seq. */
  noteSeq(seq: number | undefined, group?: string): void {
    if (seq === undefined) return;
    const entry = group === undefined ? this.current : this.groups.get(nameKey(group));
    if (entry === undefined) return;
    entry.lastSeq = Math.max(entry.lastSeq, seq);
    if (entry === this.current) this.seen = Math.max(this.seen, seq);
  }

  /** The current group and the last seq seen of it; none outside a group. */
  resumePoint(): ResumePoint | undefined {
    const current = this.current;
    return current && { group: current.name, lastSeq: current.lastSeq };
  }

  /** The groups besides the current one, in the order joined: what a reconnect rejoins with `keep` before it. */
  others(): ResumePoint[] {
    const current = this.current;
    return [...this.groups.values()].filter((group) => group !== current).map((group) => ({ group: group.name, lastSeq: group.lastSeq }));
  }
}
