/**
 * The server never sends a frame longer than its own max_frame. A reply whose
 * list would not fit (a long history, many groups) is cut to the longest
 * prefix or suffix that fits, and says so with `more: true`.
 */
import { LENGTH_PREFIX_BYTES } from '../protocol/frame.js';
import type { ServerContext } from './context.js';

/** Room kept for the `id` the connection adds to a reply. */
const ID_FIELD_RESERVE = 16;
/** A MessagePack array header: fixarray, array 16, array 32. */
const arrayHeaderBytes = (count: number): number => (count <= 15 ? 1 : count <= 0xffff ? 3 : 5);

export interface Fitted<T, M> {
  /** The items kept. */
  items: T[];
  /** Whether some were left out. */
  cut: boolean;
  /** `build(items, cut)`: the message to send. */
  message: M;
}

/**
 * The most items, kept from the `head` or the `tail` of `items`, for which
 * `build(subset, cut)` encodes within the server's max_frame, and that
 * message. `build` puts the subset in one array and nothing else of it in the
 * message. One encode when all fit; otherwise each item is encoded once
 * (MessagePack writes a value the same wherever it stands, so the message's
 * size is a sum) and the cut message once more to check: the work is about
 * three encodes of the list, whatever its length.
 */
export function fit<T, M extends object>(
  context: Pick<ServerContext, 'encoder' | 'config'>,
  items: T[],
  keep: 'head' | 'tail',
  build: (subset: T[], cut: boolean) => M,
): Fitted<T, M> {
  const budget = context.config.limits.maxFrame + LENGTH_PREFIX_BYTES - ID_FIELD_RESERVE;
  const size = (message: object): number => context.encoder.encode(message).length;
  const whole = build(items, false);
  if (size(whole) <= budget) return { items, cut: false, message: whole };
  const ordered = keep === 'head' ? items : [...items].reverse();
  let total = size(build([], true)) - arrayHeaderBytes(0);
  let count = 0;
  for (const item of ordered) {
    const itemBytes = size([item]) - LENGTH_PREFIX_BYTES - arrayHeaderBytes(1);
    if (total + itemBytes + arrayHeaderBytes(count + 1) > budget) break;
    total += itemBytes;
    count += 1;
  }
  const subset = (kept: number): T[] => (keep === 'head' ? items.slice(0, kept) : items.slice(items.length - kept));
  let message = build(subset(count), true);
  // The sum is exact; the check keeps a frame over max_frame impossible should an encoder ever differ.
  while (count > 0 && size(message) > budget) message = build(subset(--count), true);
  return { items: subset(count), cut: true, message };
}
