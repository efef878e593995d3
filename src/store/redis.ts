/**
 * The shared store for cluster mode: accounts, groups, per-group seqs and
 * message history in Redis (ioredis), one object per concern (store.ts):
 * redis-accounts.ts, redis-groups.ts, redis-moderation.ts,
 * redis-read-markers.ts, redis-retention.ts, redis-message-deletions.ts, redis-resume-tokens.ts. Every call goes through one
 * guard (unavailable while the data marker says Redis lost its data, timed
 * for the metrics). Writes resolve once Redis has accepted them (durability
 * is Redis's: see docs/scaling.md for appendonly).
 */
import { Redis } from 'ioredis';
import { ProtocolError } from '../protocol/errors.js';
import { connectedOnce, guardRedis, type RedisGuard, redisOptions } from '../redis/connection.js';
import { REDIS_KEYS } from '../redis/keys.js';
import { RedisAccounts } from './redis-accounts.js';
import { RedisBlocks } from './redis-blocks.js';
import { RedisConversations } from './redis-conversations.js';
import { RedisDataMarker } from './redis-data-marker.js';
import { RedisGroups } from './redis-groups.js';
import { RedisMessageDeletions } from './redis-message-deletions.js';
import { RedisModeration } from './redis-moderation.js';
import { RedisReadMarkers } from './redis-read-markers.js';
import { RedisResumeTokens } from './redis-resume-tokens.js';
import { RedisRetention } from './redis-retention.js';
import type { Store, StoreHealth } from './store.js';

export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly accounts: RedisAccounts;
  readonly groups: RedisGroups;
  readonly moderation: RedisModeration;
  readonly markers: RedisReadMarkers;
  readonly retention: RedisRetention;
  readonly deletions: RedisMessageDeletions;
  readonly resumeTokens: RedisResumeTokens;
  readonly conversations: RedisConversations;
  readonly blocks: RedisBlocks;

  private readonly marker: RedisDataMarker;

  private constructor(private readonly redis: Redis, private readonly observe: (seconds: number) => void, onDataLost: (reason: string) => void) {
    this.marker = new RedisDataMarker(redis, onDataLost);
    const guard: RedisGuard = (call) => this.guard(call);
    this.accounts = new RedisAccounts(redis, guard);
    this.groups = new RedisGroups(redis, guard);
    this.moderation = new RedisModeration(redis, guard);
    this.markers = new RedisReadMarkers(redis, guard);
    this.retention = new RedisRetention(redis, guard);
    this.deletions = new RedisMessageDeletions(redis, guard);
    this.resumeTokens = new RedisResumeTokens(redis, guard);
    this.conversations = new RedisConversations(redis, guard);
    this.blocks = new RedisBlocks(redis, guard);
  }

  /**
   * Resolves once Redis answers: while it does not, the connection retries (each failure goes to `onError`).
   * `onDataLost`: Redis lost its data under this node (redis-data-marker.ts); the store answers `unavailable` from then on.
   */
  static async connect(url: string, onError: (error: Error) => void, observe: (seconds: number) => void = () => undefined,
    onDataLost: (reason: string) => void = () => undefined): Promise<RedisStore> {
    const redis = new Redis(url, redisOptions());
    redis.on('error', onError);
    await connectedOnce(redis);
    const store = new RedisStore(redis, observe, onDataLost);
    await store.marker.start();
    return store;
  }

  /** Whether the connection is ready now. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** Unreachable, data lost, or no PONG within `timeoutMs`; with the ping's time when it was answered. */
  async health(timeoutMs: number): Promise<StoreHealth> {
    const started = performance.now();
    const problem = await this.probe(timeoutMs);
    return problem === undefined ? { pingSeconds: (performance.now() - started) / 1000 } : { problem };
  }

  async changeMark(): Promise<number> {
    return Number(await this.guard(() => this.redis.get(REDIS_KEYS.adminChanges)) ?? 0);
  }

  async close(): Promise<void> {
    this.marker.close();
    if (this.redis.status === 'end') return;
    await this.redis.quit().then(() => undefined, () => this.redis.disconnect());
  }

  /** Why Redis cannot serve now, or undefined while it can. */
  private async probe(timeoutMs: number): Promise<string | undefined> {
    if (this.redis.status !== 'ready') return `redis unreachable (${this.redis.status})`;
    if (this.marker.problem !== undefined) return this.marker.problem;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => { timer = setTimeout(() => resolve(`redis did not answer within ${timeoutMs} ms`), timeoutMs); });
    try {
      return await Promise.race([this.redis.ping().then(() => undefined, (error: unknown) => `redis ping failed: ${String(error)}`), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    const problem = this.marker.problem;
    if (problem !== undefined) throw new ProtocolError('unavailable', problem);
    const started = performance.now();
    const result = await guardRedis(this.redis, call);
    this.observe((performance.now() - started) / 1000);
    return result;
  }
}
