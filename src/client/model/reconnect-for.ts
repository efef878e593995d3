/**
 * Reconnecting, and when to stop: `reconnectFor` tries with backoff
 * (backoff.ts) for a bounded time, until one try succeeds, the time is up, or
 * a failure is final; either end without a connection is a GaveUpError. (The
 * chat screen's loop, with its status line, is reconnect-status.ts.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type ErrorCode, errorMessage, ProtocolError } from '../../protocol/errors.js';
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from '../backoff.js';
import { isPermanent } from '../connect.js';
import { GaveUpError } from './events.js';

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

export async function reconnectFor<C>(forMs: number, attempt: () => Promise<C>, backoff: BackoffOptions = DEFAULT_BACKOFF): Promise<C> {
  const started = Date.now();
  let lastError: unknown;
  for (let tries = 0; ; tries++) {
    const left = started + forMs - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(left, backoffDelay(tries, backoff)));
    try {
      return await attempt();
    } catch (error) {
      if (isFinalReconnectFailure(error)) throw new GaveUpError(`cannot reconnect: ${errorMessage(error)}`, { cause: error });
      lastError = error;
    }
  }
  const why = lastError === undefined ? '' : ` (last try: ${errorMessage(lastError)})`;
  throw new GaveUpError(`connection lost; tried to reconnect for ${Math.round((Date.now() - started) / 1000)} s, in vain${why}`);
}
