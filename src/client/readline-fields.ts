/**
 * Two public fields of node:readline's Interface that its types leave out,
 * read with a check (Screen's paste handling and redraws need them).
 */
import type readline from 'node:readline';

/** readline's history, newest first (a public field its types leave out). */
export function historyOf(rl: readline.Interface): string[] {
  const history: unknown = Reflect.get(rl, 'history');
  if (Array.isArray(history) && history.every((entry): entry is string => typeof entry === 'string')) return history;
  return [];
}

/**
 * How many rows above the cursor readline believes its prompt starts (a
 * public field its types leave out): its redraw moves up this many. It is
 * stale after a chunk of typed keys that wrapped the line (readline writes
 * them without a redraw), so it may be fewer than the rows really shown.
 */
export function believedPromptRows(rl: readline.Interface): number {
  const rows: unknown = Reflect.get(rl, 'prevRows');
  return typeof rows === 'number' && rows >= 0 ? rows : rl.getCursorPos().rows;
}
