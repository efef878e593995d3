/** Whether the store answers, for `/healthz`: see Store.health. */
import type { Store } from '../store/store.js';
import { HEALTH_TIMEOUT_MS } from './http-endpoints.js';
import type { ServerMetrics } from '../observe/metrics.js';

/** A store's ping may take this long before it counts as not answering. */
const PING_TIMEOUT_MS = HEALTH_TIMEOUT_MS / 2;

/** Why the store cannot serve now, or undefined while it can. */
export async function storeProblem(store: Store, metrics: ServerMetrics): Promise<string | undefined> {
  const health = await store.health(PING_TIMEOUT_MS);
  if (health.pingSeconds !== undefined) metrics.observeStore('redis_ping', health.pingSeconds);
  return health.problem;
}
