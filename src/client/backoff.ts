/** Reconnect delays: exponential with full jitter, capped; the first retry after a drop spread wider. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** [0, 1); injected for tests. */
  random: () => number;
  /**
   * Reconnecting only: the first retry after a drop waits uniformly between
   * `initialMs / 2` and this, so that the clients a server restart dropped all
   * at once come back spread out (absent: as the later tries, within `initialMs`).
   */
  firstRetryMaxMs?: number;
}

/** The first retry after a drop waits at most this long by default (the client's hidden --first-retry-max lowers it for tests). */
export const DEFAULT_FIRST_RETRY_MAX_MS = 5_000;

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, random: Math.random, firstRetryMaxMs: DEFAULT_FIRST_RETRY_MAX_MS };

/** The delay before reconnect attempt `attempt` (0-based): uniform in [ceiling/2, ceiling]. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + options.random() * (ceiling / 2));
}

/** The delay before reconnect attempt `attempt` (0-based) after a drop: the first spread over `firstRetryMaxMs`, then backoffDelay. */
export function reconnectDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  if (attempt > 0 || options.firstRetryMaxMs === undefined) return backoffDelay(attempt, options);
  const shortest = options.initialMs / 2;
  return Math.round(shortest + options.random() * Math.max(0, options.firstRetryMaxMs - shortest));
}
