/** Whether the store answers, for `/healthz`: SQLite's recorded failure or a lost file, Redis's ping. */
import { RedisStore } from '../store/redis.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { HEALTH_TIMEOUT_MS } from './http-endpoints.js';
import type { ServerMetrics } from '../observe/metrics.js';

/** A store's ping may take this long before it counts as not answering. */
const PING_TIMEOUT_MS = HEALTH_TIMEOUT_MS / 2;

/** Why the store cannot serve now, or undefined while it can. */
export async function storeProblem(store: Store, metrics: ServerMetrics): Promise<string | undefined> {
  if (store instanceof SqliteStore) return store.failure;
  if (store instanceof RedisStore) {
    const started = performance.now();
    const problem = await store.probe(PING_TIMEOUT_MS);
    if (problem === undefined) metrics.observeStore('redis_ping', (performance.now() - started) / 1000);
    return problem;
  }
  return undefined;
}
