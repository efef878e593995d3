/**
 * The one status line of the retry loop's waits (model/reconnect.ts), updated
 * in place (`-- reconnecting in 4 s (attempt 3)…`), not a line per try: the
 * chat screen shows it while its ChatClient reconnects.
 */
import { errorMessage } from '../protocol/errors.js';
import type { RetryWait } from './model/reconnect.js';
import { renderStatus } from './render-parts.js';
import { sanitizeLine } from './sanitize.js';

/** The status line: when the next try is, which one it is, and why the last one failed. */
export function renderReconnecting(secondsLeft: number | undefined, attempt: number, lastError: unknown): string {
  const when = secondsLeft === undefined ? 'reconnecting' : `reconnecting in ${secondsLeft} s`;
  const why = lastError === undefined ? '' : ` — last try: ${sanitizeLine(errorMessage(lastError))}`;
  return renderStatus(`${when} (attempt ${attempt})…${why}`);
}

/** The status line for a wait of the retry loop; undefined (no line) once it ends. */
export function statusOf(wait: RetryWait | undefined): string | undefined {
  return wait && renderReconnecting(wait.secondsLeft, wait.attempt, wait.lastError);
}
