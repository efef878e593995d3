/**
 * Removes expired `node|user` entries from a group's member set (entries of
 * a node that died or lost Redis for longer than the TTL) and says which users
 * thereby left the group. ZREM answers 1 to exactly one caller, so when every
 * node sweeps, each departure is reported once, by the node that removed it.
 */
import type { Redis } from 'ioredis';
import { nameKey } from '../protocol/names.js';

/** The user of a `node|user` member entry. */
export const userOf = (entry: string): string => entry.slice(entry.indexOf('|') + 1);

/**
 * Removes the `expired` entries (found before `now`) of `membersKey`;
 * returns the users whose last entry this call removed. Entries of
 * `ownNode` are removed but not reported: that node's own departures were
 * announced when they happened.
 */
export async function sweepExpiredMembers(redis: Redis, membersKey: string, expired: readonly string[], now: number, ownNode: string): Promise<string[]> {
  const stillThere = new Set((await redis.zrangebyscore(membersKey, now, '+inf')).map((entry) => nameKey(userOf(entry))));
  const left: string[] = [];
  for (const entry of expired) {
    if ((await redis.zrem(membersKey, entry)) !== 1) continue; // another node swept it
    const user = userOf(entry);
    if (!entry.startsWith(`${ownNode}|`) && !stillThere.has(nameKey(user))) {
      stillThere.add(nameKey(user));
      left.push(user);
    }
  }
  return left;
}
