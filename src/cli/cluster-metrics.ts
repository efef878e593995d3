/**
 * `--metrics` with `--workers`: the primary serves one `/metrics`, summing
 * what its workers report (prom-client's AggregatorRegistry over the
 * node:cluster channel), and one `/healthz`: every worker listening, not
 * stopping, and Redis answering a ping.
 */
import { Redis } from 'ioredis';
import { AggregatorRegistry } from 'prom-client';
import { errorMessage } from '../protocol/errors.js';
import { redisOptions } from '../redis/connection.js';
import { type Health, HEALTH_TIMEOUT_MS, type HttpEndpoints, startHttpEndpoints } from '../server/http-endpoints.js';
import { ServerMetrics } from '../observe/metrics.js';

/** In a worker: metrics that answer the primary's requests. */
export function workerMetrics(): ServerMetrics {
  const metrics = new ServerMetrics({ enabled: true, cluster: true });
  new AggregatorRegistry(); // installs the worker's answer to the primary
  AggregatorRegistry.setRegistries([metrics.registry]);
  return metrics;
}

export interface PrimaryEndpoints {
  endpoints: HttpEndpoints;
  close(): Promise<void>;
}

/** In the primary: `/metrics` aggregated over the workers; `/healthz` from `workersHealth` and a Redis ping. */
export async function startPrimaryEndpoints(address: { host: string; port: number }, redisUrl: string, workersHealth: () => Health): Promise<PrimaryEndpoints> {
  const aggregator = new AggregatorRegistry();
  const endpoints = await startHttpEndpoints(address.host, address.port, (error) => process.stderr.write(`metrics endpoint failed: ${errorMessage(error)}\n`));
  const redis = new Redis(redisUrl, redisOptions());
  redis.on('error', () => undefined); // the workers report Redis trouble; here it only makes /healthz 503
  redis.connect().catch(() => undefined);
  const redisProblem = async (): Promise<string | undefined> => {
    if (redis.status !== 'ready') return `redis unreachable (${redis.status})`;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => { timer = setTimeout(() => resolve('redis did not answer in time'), HEALTH_TIMEOUT_MS / 2); });
    try {
      return await Promise.race([redis.ping().then(() => undefined, (error: unknown) => `redis ping failed: ${errorMessage(error)}`), late]);
    } finally {
      clearTimeout(timer);
    }
  };
  endpoints.serve({
    metrics: async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() }),
    health: async () => {
      const workers = workersHealth();
      if (workers.status !== 'ok') return workers;
      const problem = await redisProblem();
      return problem === undefined ? workers : { status: 'unavailable', reason: problem };
    },
  });
  return {
    endpoints,
    close: async () => {
      redis.disconnect();
      await endpoints.close();
    },
  };
}
