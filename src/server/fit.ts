/**
 * The server never sends a frame longer than its own max_frame. A reply whose
 * list would not fit (a long history, many groups) is cut to the longest
 * prefix or suffix that fits, and says so with `more: true`.
 */
import { LENGTH_PREFIX_BYTES } from '../protocol/frame.js';
import type { ServerContext } from './context.js';

/** Room kept for the `id` the connection adds to a reply. */
const ID_FIELD_RESERVE = 16;

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
 * message. Binary search: a handful of encodes, and only for replies that are
 * too long.
 */
export function fit<T, M extends object>(
  context: Pick<ServerContext, 'encoder' | 'config'>,
  items: T[],
  keep: 'head' | 'tail',
  build: (subset: T[], cut: boolean) => M,
): Fitted<T, M> {
  const budget = context.config.limits.maxFrame + LENGTH_PREFIX_BYTES - ID_FIELD_RESERVE;
  const subset = (count: number): T[] => (keep === 'head' ? items.slice(0, count) : items.slice(items.length - count));
  const fits = (count: number): boolean => context.encoder.encode(build(subset(count), count < items.length)).length <= budget;
  if (fits(items.length)) return { items, cut: false, message: build(items, false) };
  let low = 0;
  let high = items.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  const kept = subset(low);
  return { items: kept, cut: true, message: build(kept, true) };
}
