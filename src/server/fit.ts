/**
 * The server never sends a frame longer than its own max_frame. A reply whose
 * list would not fit (a long history, many groups) is cut to the longest
 * prefix or suffix that fits, and says so with `more: true`.
 */
import type { FrameEncoder } from '../protocol/frame.js';
import { LENGTH_PREFIX_BYTES } from '../protocol/frame.js';

/** Room kept for the `id` the connection adds to a reply. */
const ID_FIELD_RESERVE = 16;

export interface FittedList<T> {
  items: T[];
  cut: boolean;
}

/**
 * The most items, kept from the `head` or the `tail` of `items`, for which
 * `build(subset)` encodes within `maxFrame`. Binary search: a handful of
 * encodes, and only for replies that are too long.
 */
export function fitList<T>(
  encoder: FrameEncoder,
  maxFrame: number,
  items: T[],
  keep: 'head' | 'tail',
  build: (subset: T[], cut: boolean) => object,
): FittedList<T> {
  const budget = maxFrame + LENGTH_PREFIX_BYTES - ID_FIELD_RESERVE;
  const subset = (count: number): T[] => (keep === 'head' ? items.slice(0, count) : items.slice(items.length - count));
  const fits = (count: number): boolean => encoder.encode(build(subset(count), count < items.length)).length <= budget;
  if (fits(items.length)) return { items, cut: false };
  let low = 0;
  let high = items.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return { items: subset(low), cut: true };
}
