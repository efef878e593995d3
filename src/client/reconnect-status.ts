/**
 * Reconnecting with backoff while telling the user about it in one status
 * line that updates in place (`-- reconnecting in 4 s (attempt 3)…`), not a
 * line per try. Knows nothing of sockets or the terminal: the steps are given.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type ErrorCode, errorMessage, ProtocolError } from '../protocol/errors.js';
import { type BackoffOptions, DEFAULT_BACKOFF, reconnectDelay } from './backoff.js';
import { isPermanent } from './connect.js';
import { renderStatus } from './render-parts.js';
import { sanitizeLine } from './sanitize.js';

/** Refusals that may pass while reconnecting (a server starting up, full, or slowing down). */
const PASSING_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['server_busy', 'unavailable', 'internal', 'limit_reached', 'rate_limited', 'too_many_attempts', 'auth_timeout', 'slow_consumer']);

/**
 * A failure that trying again will not cure: a wrong password, a changed
 * certificate, and any other refusal of the sign-in or the rejoin (a disabled
 * account, a ban, a group gone). A lost or refused connection is not one.
 */
export function isFinalReconnectFailure(error: unknown): error is Error {
  return isPermanent(error) || (error instanceof ProtocolError && !PASSING_REFUSALS.has(error.code));
}

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
    const due = Date.now() + reconnectDelay(attempt - 1, backoff);
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
