/**
 * Reconnecting with backoff (backoff.ts), and when to stop: the one retry
 * loop of the client. The ChatClient runs it for a bounded time
 * (`reconnectFor`); the chat screen until the user quits, with a status line
 * that counts down (reconnect-status.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type ErrorCode, errorMessage, ProtocolError } from '../../protocol/errors.js';
import { type BackoffOptions, DEFAULT_BACKOFF, reconnectDelay } from '../backoff.js';
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

export interface RetrySteps<C> {
  /** One try: a fresh signed-in connection. */
  attempt(): Promise<C>;
  /** Until when to try (a time in ms); none: until `stopped`. A last try is made at the deadline. */
  deadline?: number | undefined;
  /** True once the owner gave up (the user quit): the loop stops. */
  stopped?(): boolean;
  /** Before try `attempt` (1-based): `secondsLeft` until it each second, then undefined as it starts. */
  waiting?(secondsLeft: number | undefined, attempt: number, lastError: unknown): void;
}

/** How a retry loop ended without a connection. */
export type RetryEnd = { how: 'stopped' } | { how: 'timed_out'; lastError: unknown };

/**
 * Tries until a connection is made (resolves with it), the deadline passes
 * or `stopped` (resolves with how it ended), or a failure is final (rejects with it).
 */
export async function retryWithBackoff<C>(steps: RetrySteps<C>, backoff: BackoffOptions = DEFAULT_BACKOFF): Promise<{ connection: C } | RetryEnd> {
  const stopped = () => steps.stopped?.() === true;
  const untilDeadline = () => (steps.deadline === undefined ? Number.POSITIVE_INFINITY : steps.deadline - Date.now());
  let lastError: unknown;
  for (let attempt = 1; !stopped(); attempt++) {
    if (untilDeadline() <= 0) return { how: 'timed_out', lastError };
    const due = Date.now() + Math.min(untilDeadline(), reconnectDelay(attempt - 1, backoff));
    for (let left = due - Date.now(); left > 0 && !stopped(); left = due - Date.now()) {
      steps.waiting?.(Math.ceil(left / 1000), attempt, lastError);
      await sleep(Math.min(left, ((left - 1) % 1000) + 1));
    }
    if (stopped()) break;
    steps.waiting?.(undefined, attempt, lastError);
    try {
      return { connection: await steps.attempt() };
    } catch (error) {
      if (isFinalReconnectFailure(error)) throw error;
      lastError = error;
    }
  }
  return { how: 'stopped' };
}

/** Reconnects with backoff for `forMs`; rejects with GaveUpError when the time is up or a failure is final. */
export async function reconnectFor<C>(forMs: number, attempt: () => Promise<C>, backoff: BackoffOptions = DEFAULT_BACKOFF): Promise<C> {
  const started = Date.now();
  let end: Awaited<ReturnType<typeof retryWithBackoff<C>>>;
  try {
    end = await retryWithBackoff({ attempt, deadline: started + forMs }, backoff);
  } catch (error) {
    throw new GaveUpError(`cannot reconnect: ${errorMessage(error)}`, { cause: error });
  }
  if ('connection' in end) return end.connection;
  const lastError = end.how === 'timed_out' ? end.lastError : undefined;
  const why = lastError === undefined ? '' : ` (last try: ${errorMessage(lastError)})`;
  throw new GaveUpError(`connection lost; tried to reconnect for ${Math.round((Date.now() - started) / 1000)} s, in vain${why}`);
}

/** A wait of the retry loop: seconds until the next try (undefined: it starts now), which try, and why the last one failed. */
export interface RetryWait {
  secondsLeft: number | undefined;
  attempt: number;
  lastError: unknown;
}

/** Reconnecting until the owner stops it (the chat screen: until the user quits). */
export interface UntilStopped {
  stopped(): boolean;
  /** Each second of a wait and as each try starts; undefined once the loop ends (or a try succeeded). */
  waiting(wait: RetryWait | undefined): void;
}

/**
 * Reconnects with backoff until `stopped` (resolves undefined) or a try
 * succeeds (resolves with it); a final failure rejects with GaveUpError, the failure its `cause`.
 */
export async function reconnectUntilStopped<C>(until: UntilStopped, attempt: () => Promise<C>, backoff: BackoffOptions = DEFAULT_BACKOFF): Promise<C | undefined> {
  try {
    const end = await retryWithBackoff({
      attempt,
      stopped: () => until.stopped(),
      waiting: (secondsLeft, attempt, lastError) => until.waiting({ secondsLeft, attempt, lastError }),
    }, backoff);
    return 'connection' in end ? end.connection : undefined;
  } catch (error) {
    throw new GaveUpError(errorMessage(error), { cause: error });
  } finally {
    until.waiting(undefined);
  }
}
