/**
 * What a reconnect rejoins, group by group (January: several groups per
 * connection), and what it takes from the rejoins: the current group and the
 * others, each since the last seq seen (or shown) there, or, with a line in
 * flight there, the last seq seen before it was sent; afterwards each group's
 * seq, the groups refused left, and each group's missed messages past what
 * was seen before the drop.
 */
import type { JoinedGroups } from './joined-groups.js';
import type { Rejoined, Reopened } from './rejoin.js';

/** One group to rejoin: `seen` before the drop, and the `since` asked (lower with a line in flight). */
export interface RejoinTarget {
  group: string;
  seen: number;
  since: number;
}

/** The current group (rejoined last, so it stays current) and the others. */
export interface RejoinPlan {
  current: RejoinTarget | undefined;
  others: RejoinTarget[];
  /** The highest seq seen in the current group (or the one left last). */
  seen: number;
}

/** Where each group resumes: `shownSeq` as the view showed it, else the seq seen; `inFlightSince` for a line whose ack was lost. */
export function planRejoin(groups: JoinedGroups, shownSeq: ((group: string) => number | undefined) | undefined, inFlightSince: (group: string) => number | undefined): RejoinPlan {
  const target = (group: string, lastSeq: number): RejoinTarget => {
    const seen = shownSeq?.(group) ?? lastSeq;
    return { group, seen, since: Math.min(seen, inFlightSince(group) ?? seen) };
  };
  const point = groups.resumePoint();
  return {
    current: point && target(point.group, point.lastSeq),
    others: groups.others().map(({ group, lastSeq }) => target(group, lastSeq)),
    seen: point === undefined ? groups.lastSeq : shownSeq?.(point.group) ?? point.lastSeq,
  };
}

/** What the rejoins bring once the fresh connection is adopted. */
export interface RejoinTaken {
  /** The groups whose rejoin was not refused: where a line in flight is looked for. */
  found: Rejoined[];
  /** The current group's rejoin, its missed messages past what was seen. */
  current: Rejoined | undefined;
  /** The others', likewise. */
  others: Rejoined[];
}

/** Notes each group's seq (a group refused is left: not rejoined again) and keeps what was missed past what was seen. */
export function takeRejoined(groups: JoinedGroups, plan: RejoinPlan, reopened: Pick<Reopened, 'rejoined' | 'others'>): RejoinTaken {
  const { rejoined } = reopened;
  groups.noteSeq(rejoined?.lastSeq);
  for (const other of reopened.others) {
    if (other.refused === undefined) groups.noteSeq(other.lastSeq, other.group);
    else groups.left(other.group);
  }
  const found = [...reopened.others, ...(rejoined === undefined ? [] : [rejoined])].filter((group) => group.refused === undefined);
  const current = rejoined && { ...rejoined, missed: rejoined.missed.filter((message) => message.seq > plan.seen) };
  const others = reopened.others.map((other, at) => ({ ...other, missed: other.missed.filter((message) => message.seq > plan.others[at]!.seen) }));
  return { found, current, others };
}
