/**
 * Reconnecting with backoff while telling the user about it in one status
 * line that updates in place (`-- reconnecting in 4 s (attempt 3)…`), not a
 * line per try. Knows nothing of sockets or the terminal: the steps are given.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../protocol/errors.js';
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { isFinalReconnectFailure } from './model/reconnect-for.js';
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
  let lastError: unknown;
  for (let attempt = 1; !steps.stopped(); attempt++) {
    const due = Date.now() + backoffDelay(attempt - 1, backoff);
    for (let left = due - Date.now(); left > 0 && !steps.stopped(); left = due - Date.now()) {
      steps.status(renderReconnecting(Math.ceil(left / 1000), attempt, lastError));
      await sleep(Math.min(left, ((left - 1) % 1000) + 1));
    }
    if (steps.stopped()) break;
    steps.status(renderReconnecting(undefined, attempt, lastError));
    try {
      const connection = await steps.attempt();
      steps.status(undefined);
      return connection;
    } catch (error) {
      if (isFinalReconnectFailure(error)) {
        steps.status(undefined);
        throw error;
      }
      lastError = error;
    }
  }
  steps.status(undefined);
  return undefined;
}
