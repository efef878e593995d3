/**
 * Reconnecting with backoff while telling the user about it in one status
 * line that updates in place (`-- reconnecting in 4 s (attempt 3)…`), not a
 * line per try. Knows nothing of sockets or the terminal: the steps are given.
 */
import { errorMessage } from '../protocol/errors.js';
import { type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { GaveUpError } from './model/events.js';
import { reconnectUntilStopped, type RetryWait } from './model/reconnect.js';
import { renderStatus } from './render-parts.js';
import { sanitizeLine } from './sanitize.js';

export interface ReconnectSteps<C> {
  /** One try: a fresh signed-in connection. */
  attempt(): Promise<C>;
  /** Shows `text` as the status line; undefined removes it. */
  status(text: string | undefined): void;
  /** True once the user quit: the loop stops (resolving undefined). */
  stopped(): boolean;
}

/** The status line: when the next try is, which one it is, and why the last one failed. */
export function renderReconnecting(secondsLeft: number | undefined, attempt: number, lastError: unknown): string {
  const when = secondsLeft === undefined ? 'reconnecting' : `reconnecting in ${secondsLeft} s`;
  const why = lastError === undefined ? '' : ` — last try: ${sanitizeLine(errorMessage(lastError))}`;
  return renderStatus(`${when} (attempt ${attempt})…${why}`);
}

/**
 * Tries until a connection is made (resolves with it), the user quits
 * (undefined), or a failure is final (rejects with it: a wrong password,
 * a changed certificate, a disabled account). The status line counts down
 * each second. The ChatClient runs the same loop for the chat screen.
 */
export async function reconnectWithBackoff<C>(steps: ReconnectSteps<C>, backoff: BackoffOptions = DEFAULT_BACKOFF): Promise<C | undefined> {
  try {
    return await reconnectUntilStopped({ stopped: () => steps.stopped(), waiting: (wait) => steps.status(statusOf(wait)) }, () => steps.attempt(), backoff);
  } catch (error) {
    throw error instanceof GaveUpError && error.cause !== undefined ? error.cause : error;
  }
}

/** The status line for a wait of the retry loop; undefined (no line) once it ends. */
export function statusOf(wait: RetryWait | undefined): string | undefined {
  return wait && renderReconnecting(wait.secondsLeft, wait.attempt, wait.lastError);
}
