/** Name-key order: the member lists' pages (the hub's sorted rosters, and a cluster's list sorted per call). */
import { nameKey } from './names.js';

/** The first index of `sorted` whose key is above `key` (`orEqual`: at or above). */
export function firstAbove(sorted: readonly string[], key: string, orEqual: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const value = sorted[middle]!;
    if (value < key || (!orEqual && value === key)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** At most `limit` of `names` whose key sorts after `after`'s, in name-key order: for lists not kept sorted (a cluster's). */
export function pageByNameKey(names: readonly string[], after: string | undefined, limit: number): string[] {
  const keyed = names.map((name) => ({ key: nameKey(name), name }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const keys = keyed.map((entry) => entry.key);
  const start = after === undefined ? 0 : firstAbove(keys, nameKey(after), false);
  return keyed.slice(start, start + limit).map((entry) => entry.name);
}

/** The items whose name key sorts after the cursor's (all when there is none): a page's `after` (list_groups, blocked). */
export function afterCursor<T>(items: T[], after: string | undefined, nameOf: (item: T) => string): T[] {
  if (after === undefined) return items;
  const cursor = nameKey(after);
  return items.filter((item) => nameKey(nameOf(item)) > cursor);
}
