/**
 * What every Redis connection of a node shares, whether the store's or the
 * cluster link's: its options, waiting for the first ready, and turning a lost
 * connection into `unavailable`.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { ProtocolError } from '../protocol/errors.js';

/** Options for every Redis connection of a node: fail fast while disconnected, reconnect forever. */
export function redisOptions(): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000),
  };
}

/**
 * Connects and resolves when the connection is ready, however many attempts
 * that takes: a first attempt that fails rejects `connect()`, but the retry
 * strategy goes on trying, so a node started before its Redis waits for it.
 */
export async function connectedOnce(redis: Redis): Promise<void> {
  // Not events.once: it would reject at the first 'error' (a failed attempt).
  const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  redis.connect().catch(() => undefined);
  await ready;
}

/**
 * How long a request waits for Redis before it is answered `unavailable`
 * (a hung Redis, e.g. stopped with SIGSTOP, keeps its connections open).
 */
export const REDIS_REPLY_TIMEOUT_MS = 3_000;

/**
 * Runs a Redis call a request needs: a lost connection, or no reply within
 * REDIS_REPLY_TIMEOUT_MS, is `unavailable`; a reply error stays as it is (a
 * bug). A call answered late may still run when Redis resumes: only the
 * message append guards against that (its deadline, see the Redis store).
 */
export async function guardRedis<T>(redis: Redis, call: () => Promise<T>): Promise<T> {
  if (redis.status !== 'ready') throw new ProtocolError('unavailable', 'the shared store is unreachable; try again');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProtocolError('unavailable', `the shared store did not answer within ${REDIS_REPLY_TIMEOUT_MS / 1000} s; try again`)), REDIS_REPLY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([call(), late]);
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    if (error instanceof Error && error.name === 'ReplyError') throw error;
    throw new ProtocolError('unavailable', 'the shared store is unreachable; try again', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
