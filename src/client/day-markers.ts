/**
 * Dates on the chat screen: a `-- Tuesday 1 December 2026 --` line where the
 * local date changes between two messages shown, and the full date in front
 * of the time of a message not from today (in /history). Always the local
 * date of this machine (the TZ the client runs in), and English names fixed
 * here, so that the lines do not depend on a locale.
 */
import kleur from 'kleur';
import { formatTime } from './render-parts.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** The local calendar day of `ts`, as a key that compares equal for the same day. */
export function localDayKey(ts: number): string {
  const date = new Date(ts);
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/** `Tuesday 1 December 2026`, in local time. */
export function formatDay(ts: number): string {
  const date = new Date(ts);
  return `${WEEKDAYS[date.getDay()]!} ${date.getDate()} ${MONTHS[date.getMonth()]!} ${date.getFullYear()}`;
}

export function renderDayMarker(ts: number): string {
  return kleur.dim(`-- ${formatDay(ts)} --`);
}

/** `HH:MM` for a time today; `Mon 30 Nov 2026 09:05` for any other day. */
export function formatStamp(ts: number, now: number): string {
  if (localDayKey(ts) === localDayKey(now)) return formatTime(ts);
  const date = new Date(ts);
  return `${WEEKDAYS[date.getDay()]!.slice(0, 3)} ${date.getDate()} ${MONTHS[date.getMonth()]!.slice(0, 3)} ${date.getFullYear()} ${formatTime(ts)}`;
}

/**
 * Remembers the day of the last message shown. The first day is today (when
 * the screen opened): messages of an earlier day get a marker, and so does
 * the first one of today after them.
 */
export class DayMarkers {
  private lastDay: string;

  constructor(now: number = Date.now()) {
    this.lastDay = localDayKey(now);
  }

  /** The marker to print before a message of `ts`, if its day differs from the last one shown. */
  before(ts: number): string | undefined {
    const day = localDayKey(ts);
    if (day === this.lastDay) return undefined;
    this.lastDay = day;
    return renderDayMarker(ts);
  }
}
