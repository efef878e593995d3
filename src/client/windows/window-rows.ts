/**
 * What switching to a window prints: its scroll-back from memory, with a day
 * line where the local date changes (day-markers.ts, as the chat screen
 * prints them live: none before today's lines when the first is of today).
 * Nothing is fetched. Pure.
 */
import { DayMarkers } from '../day-markers.js';
import type { ScrollLine } from './scroll-back.js';

export type WindowRow = { kind: 'day'; text: string } | { kind: 'line'; line: ScrollLine };

/** The rows of `lines` (oldest first), a day marker before each line of a new day; `now` is the day the screen starts at. */
export function windowRows(lines: readonly ScrollLine[], now: number = Date.now()): WindowRow[] {
  const markers = new DayMarkers(now);
  const rows: WindowRow[] = [];
  for (const line of lines) {
    const marker = markers.before(line.ts);
    if (marker !== undefined) rows.push({ kind: 'day', text: marker });
    rows.push({ kind: 'line', line });
  }
  return rows;
}
