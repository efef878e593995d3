/**
 * Reconnecting for a bounded time: tries with backoff (backoff.ts) until one
 * try succeeds, the time is up, or a failure is final (a wrong password, a
 * changed certificate, a refused rejoin: reconnect-status.ts). Either end
 * without a connection is a GaveUpError.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../protocol/errors.js';
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from '../backoff.js';
import { isFinalReconnectFailure } from '../reconnect-status.js';
import { GaveUpError } from './events.js';

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
