/**
 * Unread messages across groups (protocol.md, December additions): what the
 * server said of the groups the user is not in (`list_groups` entries with
 * `unread`/`last_seq`, and `activity`), which group `/next` goes to, and the
 * read marker moved forward for what the chat screen showed (`mark_read`, at
 * most once per interval, and at once on flush). Knows nothing of sockets or
 * the terminal.
 */
import type { ActivityMessage, GroupSummary } from '../../protocol/messages.js';
import { type NameKey, nameKey } from '../../protocol/names.js';

export interface UnreadGroup {
  name: string;
  /** The group's last seq, as last heard. */
  lastSeq: number;
  /** Messages after the user's read marker. */
  unread: number;
  /** `activity` reports that held a mention of the user, since the group was last read. */
  mentions: number;
}

/** Where `/next` goes: the group, and the read marker to join `since`. */
export interface NextGroup {
  name: string;
  since: number;
  unread: number;
}

function byNameKey(a: UnreadGroup, b: UnreadGroup): number {
  const [x, y] = [nameKey(a.name), nameKey(b.name)];
  return x < y ? -1 : x > y ? 1 : 0;
}

export class UnreadTracker {
  private readonly groups = new Map<NameKey, UnreadGroup>();
  /** The groups the account joined (a number `unread` in the list, or a join here): `activity` counts only for these. */
  private readonly joined = new Set<NameKey>();

  /**
   * The server's list, in place of what was known of the groups in it.
   * Entries with `unread: null` (never joined) or without the fields (an
   * older server) count as nothing unread. `complete`: the list was not cut,
   * so a group missing from it is gone.
   */
  fromList(list: readonly GroupSummary[], complete = true): void {
    const listed = new Set<NameKey>();
    for (const group of list) {
      const key = nameKey(group.name);
      listed.add(key);
      const unread = typeof group.unread === 'number' ? group.unread : 0;
      if (group.unread === null) this.joined.delete(key);
      else this.joined.add(key);
      const known = this.groups.get(key);
      this.groups.set(key, { name: group.name, lastSeq: group.last_seq ?? known?.lastSeq ?? 0, unread, mentions: unread > 0 ? known?.mentions ?? 0 : 0 });
    }
    if (complete) for (const key of [...this.groups.keys()]) if (!listed.has(key)) this.groups.delete(key);
  }

  /**
   * An `activity` report: the latest counts; false (ignored) for a group the
   * account never joined, which a server has no reason to report.
   */
  activity(report: ActivityMessage): boolean {
    if (!this.joined.has(nameKey(report.group))) return false;
    const known = this.groups.get(nameKey(report.group));
    this.groups.set(nameKey(report.group), {
      name: report.group, lastSeq: report.last_seq, unread: report.unread,
      mentions: (known?.mentions ?? 0) + (report.mention ? 1 : 0),
    });
    return true;
  }

  /** The user is reading `group` (its messages up to `lastSeq` are shown): nothing in it is unread. */
  read(group: string, lastSeq: number): void {
    const key = nameKey(group);
    this.joined.add(key);
    const known = this.groups.get(key);
    this.groups.set(key, { name: known?.name ?? group, lastSeq: Math.max(lastSeq, known?.lastSeq ?? 0), unread: 0, mentions: 0 });
  }

  /** The group is gone (deleted). */
  forget(group: string): void {
    this.groups.delete(nameKey(group));
    this.joined.delete(nameKey(group));
  }

  get(group: string): UnreadGroup | undefined {
    return this.groups.get(nameKey(group));
  }

  /** The groups other than `current` with unread messages, by name. */
  others(current: string | undefined): UnreadGroup[] {
    const skip = current === undefined ? undefined : nameKey(current);
    return [...this.groups.values()].filter((group) => group.unread > 0 && nameKey(group.name) !== skip).sort(byNameKey);
  }

  /**
   * The next group with unread messages after `current` in name order
   * (wrapping around); undefined when there is none. A group with a mention
   * is not preferred: the order stays predictable.
   */
  next(current: string | undefined): NextGroup | undefined {
    const candidates = this.others(current);
    if (candidates.length === 0) return undefined;
    const after = current === undefined ? undefined : nameKey(current);
    const chosen = (after === undefined ? undefined : candidates.find((group) => nameKey(group.name) > after)) ?? candidates[0]!;
    return { name: chosen.name, since: Math.max(0, chosen.lastSeq - chosen.unread), unread: chosen.unread };
  }
}

export interface ReadMarkTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: ReadMarkTimers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The smallest interval between two `mark_read` of one client. */
export const MARK_READ_INTERVAL_MS = 1_000;

/**
 * Moves the read marker forward for what was shown: `shown(group, seq)` after
 * each message shown; `send` runs at most once per interval (with the latest
 * seq), and at once on `flush` (on leave, on a switch of group, on exit).
 */
export class ReadMarks {
  private pending: { group: string; seq: number } | undefined;
  private readonly marked = new Map<NameKey, number>();
  private timer: unknown;

  constructor(
    private readonly send: (group: string, seq: number) => void,
    private readonly intervalMs = MARK_READ_INTERVAL_MS,
    private readonly timers: ReadMarkTimers = REAL_TIMERS,
  ) {}

  shown(group: string, seq: number): void {
    if (seq <= (this.marked.get(nameKey(group)) ?? 0)) return;
    if (this.pending !== undefined && nameKey(this.pending.group) !== nameKey(group)) this.flush();
    if (this.pending !== undefined && seq <= this.pending.seq) return;
    this.pending = { group, seq };
    this.timer ??= this.timers.set(() => {
      this.timer = undefined;
      this.flush();
    }, this.intervalMs);
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (pending === undefined) return;
    this.marked.set(nameKey(pending.group), pending.seq);
    this.send(pending.group, pending.seq);
  }
}
