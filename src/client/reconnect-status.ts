/**
 * Reconnecting with backoff while telling the user about it in one status
 * line that updates in place (`-- reconnecting in 4 s (attempt 3)…`), not a
 * line per try. Knows nothing of sockets or the terminal: the steps are given.
 */
import { errorMessage } from '../protocol/errors.js';
import { type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { retryWithBackoff } from './model/reconnect.js';
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
 * a changed certificate, a disabled account). The status line counts down each second.
 */
export async function reconnectWithBackoff<C>(steps: ReconnectSteps<C>, backoff: BackoffOptions = DEFAULT_BACKOFF): Promise<C | undefined> {
  try {
    const end = await retryWithBackoff({
      attempt: () => steps.attempt(),
      stopped: () => steps.stopped(),
      waiting: (secondsLeft, attempt, lastError) => steps.status(renderReconnecting(secondsLeft, attempt, lastError)),
    }, backoff);
    return 'connection' in end ? end.connection : undefined;
  } finally {
    steps.status(undefined);
  }
}
