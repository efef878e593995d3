/**
 * The groups a connection is in, as its ChatClient knows them, and the last
 * seq seen in each: what a reconnect rejoins. One group per connection today
 * (joining another leaves the one before, as the server does); kept as a set
 * with a current one, so that several groups per connection (`join` with
 * `keep`) add entries beside it.
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
  private readonly groups = new Map<NameKey, JoinedGroup>();
  private currentKey: NameKey | undefined;
  /** The highest seq seen in the group joined last, kept after it is left. */
  private seen = 0;

  /** The group messages are said in; undefined outside a group. */
  get current(): JoinedGroup | undefined {
    return this.currentKey === undefined ? undefined : this.groups.get(this.currentKey);
  }

  /** The highest seq seen in the current group (or, out of it, the one left last). */
  get lastSeq(): number {
    return this.current?.lastSeq ?? this.seen;
  }

  /** Joined `group` (the `joined` reply's spelling), whose last seq is `lastSeq`: now the current one, the one before left. */
  joined(group: string, lastSeq: number): void {
    this.groups.clear();
    this.currentKey = nameKey(group);
    this.groups.set(this.currentKey, { name: group, lastSeq });
    this.seen = lastSeq;
  }

  /** Out of `group` (left, kicked, banned, deleted); without one, out of the current group. */
  left(group?: string): void {
    const key = group === undefined ? this.currentKey : nameKey(group);
    if (key === undefined) return;
    this.groups.delete(key);
    if (key === this.currentKey) this.currentKey = undefined;
  }

  /** A seq seen: a message, an ack, a rejoin's last seq. */
  noteSeq(seq: number | undefined): void {
    if (seq === undefined) return;
    this.seen = Math.max(this.seen, seq);
    const current = this.current;
    if (current !== undefined) current.lastSeq = Math.max(current.lastSeq, seq);
  }

  /** The current group and the last seq seen of it; none outside a group. */
  resumePoint(): ResumePoint | undefined {
    const current = this.current;
    return current && { group: current.name, lastSeq: current.lastSeq };
  }
}
