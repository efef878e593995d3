/** The store the configuration names: SQLite in the data folder (locked against a second server), or Redis. */
import { errorMessage } from '../protocol/errors.js';
import { type FolderLock, lockDataFolder } from '../store/folder-lock.js';
import { RedisStore } from '../store/redis.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import type { ServerConfig } from './config.js';
import type { Logger } from '../observe/logger.js';
import type { ServerMetrics } from '../observe/metrics.js';

/** The store, and for SQLite the data folder's lock that keeps a second server out. */
export async function openStore(config: ServerConfig, logger: Logger, metrics: ServerMetrics, onDataLost: (reason: string) => void): Promise<{ store: Store; lock?: FolderLock }> {
  if (config.redis === undefined) {
    let lock: FolderLock | undefined;
    try {
      lock = lockDataFolder(config.dataDir);
      const store = SqliteStore.open(config.dataDir, {
        synchronous: config.sync ?? 'normal',
        onFailure: (reason) => logger.error('store failing', { data: config.dataDir, reason }),
        onCommit: (seconds) => metrics.observeStore('sqlite_commit', seconds),
      });
      return { store, lock };
    } catch (error) {
      lock?.release();
      const reason = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
      throw new Error(`cannot use ${config.dataDir} as the data folder (${reason})`, { cause: error });
    }
  }
  const { url } = config.redis;
  return { store: await RedisStore.connect(url, (error) => logger.warn('redis unreachable; retrying', { url, reason: error.message }),
    (seconds) => metrics.observeStore('redis_command', seconds), onDataLost) };
}

