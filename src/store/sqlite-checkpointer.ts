/**
 * WAL checkpoints off the event loop, once retention deletes in bulk. A
 * checkpoint copies the WAL into the database file and syncs it; run by the
 * store's own connection (SQLite's auto-checkpoint, every 1,000 pages) it
 * stalls every request for tens to hundreds of ms, and bulk deletes fill the
 * WAL fast. Once started, a worker thread with a connection of its own runs a
 * PASSIVE checkpoint (never blocking the writer) every CHECKPOINT_EVERY_MS and
 * whenever asked, unless one is under way; the store's own auto-checkpoint
 * then stays only as a fallback at FALLBACK_PAGES (should the worker fall far
 * behind or die).
 */
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
parentPort.on('message', () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* the next request tries again; auto-checkpoint stays as the fallback */ }
  parentPort.postMessage('done');
});
`;

const CHECKPOINT_EVERY_MS = 200;
/** The store's connection checkpoints by itself only past this many WAL pages (40 MB at 4 KiB pages). */
const FALLBACK_PAGES = 10_000;

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  /** Starts the worker for the database `db` has open at `file`, and moves `db`'s own auto-checkpoint to the fallback size. */
  static start(db: Database.Database, file: string): SqliteCheckpointer {
    const checkpointer = new SqliteCheckpointer(file);
    db.pragma(`wal_autocheckpoint = ${FALLBACK_PAGES}`);
    return checkpointer;
  }

  private constructor(file: string) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, file } });
    this.worker.on('message', () => { this.busy = false; });
    this.worker.on('error', () => { this.busy = true; }); // gone: never asked again
    this.worker.unref();
    this.timer = setInterval(() => this.request(), CHECKPOINT_EVERY_MS);
    this.timer.unref();
  }

  /** Starts a checkpoint unless one is under way. */
  request(): void {
    if (this.busy) return;
    this.busy = true;
    this.worker.postMessage('checkpoint');
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.worker.terminate();
  }
}
