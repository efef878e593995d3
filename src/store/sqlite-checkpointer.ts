/**
 * WAL checkpoints off the event loop, while retention deletes in bulk. A
 * checkpoint copies the WAL into the database file and syncs it; run by the
 * store's own connection (SQLite's auto-checkpoint, every 1,000 pages) it
 * stalls every request for tens of ms, and bulk deletes write pages fast.
 * Here a worker thread with a connection of its own runs PASSIVE checkpoints
 * (they never block the writer) whenever asked and not already busy, so that
 * the WAL rarely reaches the auto-checkpoint size during a retention pass.
 */
import { createRequire } from 'node:module';
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

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private busy = false;

  constructor(file: string) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, file } });
    this.worker.on('message', () => { this.busy = false; });
    this.worker.on('error', () => { this.busy = true; }); // gone: never asked again
    this.worker.unref();
  }

  /** Starts a checkpoint unless one is under way. */
  request(): void {
    if (this.busy) return;
    this.busy = true;
    this.worker.postMessage('checkpoint');
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
