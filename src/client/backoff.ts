/** Reconnect delays: exponential with full jitter, capped. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** [0, 1); injected for tests. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, random: Math.random };

/** The delay before reconnect attempt `attempt` (0-based): uniform in [ceiling/2, ceiling]. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + options.random() * (ceiling / 2));
}
