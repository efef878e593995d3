/**
 * The SQLite store's database handle, shared by its concern modules
 * (sqlite-users.ts, sqlite-groups.ts, sqlite-moderation.ts,
 * sqlite-read-markers.ts, sqlite-retention.ts): whether the store is open,
 * and the one path of every write, which turns failures beneath the store
 * (see sqlite-file.ts) into `unavailable` and reports them once per episode.
 */
import type Database from 'better-sqlite3';
import { ProtocolError } from '../protocol/errors.js';
import { type DatabaseFile, isStorageFailure } from './sqlite-file.js';

/** A write run by the store: refused when it cannot store, failures beneath it made `unavailable`. */
export type Writer = <T>(write: () => T) => T;

export class SqliteDatabase {
  private closed = false;
  /** Set for good once the database file is gone: every write is refused from then on. */
  private lost: ProtocolError | undefined;
  /** A storage failure was reported and nothing has succeeded since. */
  private failing = false;

  constructor(
    readonly db: Database.Database,
    readonly file: DatabaseFile,
    private readonly onFailure: (reason: string) => void,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Set once the file is known lost: what every write (a pending append too) is refused with. */
  get lostError(): ProtocolError | undefined {
    return this.lost;
  }

  /** Why the store cannot store now, or undefined while it can. */
  get failure(): string | undefined {
    if (this.lost === undefined && !this.closed && this.file.gone) this.fileLost(); // one fstat
    return this.lost?.message ?? (this.failing ? 'storing failed; see the log' : undefined);
  }

  ensureOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  /** Runs a write, with failures beneath the store turned into `unavailable`. */
  readonly writing: Writer = <T>(write: () => T): T => {
    this.ensureWritable();
    try {
      return write();
    } catch (error) {
      throw this.storageFailure(error);
    }
  };

  /** A write went through: the failure episode (if any) is over. */
  succeeded(): void {
    this.failing = false;
  }

  /** A failure beneath the store is `unavailable` (and logged once); anything else stays as it is (a bug). */
  storageFailure(error: unknown): unknown {
    if (!isStorageFailure(error)) return error;
    if (!this.failing) {
      this.failing = true;
      this.onFailure(`storing failed: ${error.message} (${error.code})`);
    }
    return new ProtocolError('unavailable', 'the server cannot store anything right now; try again later', { cause: error });
  }

  /** The file is gone (or known gone): every write is refused from now on; reported once. */
  fileLost(): ProtocolError {
    if (this.lost === undefined) {
      const reason = `the database file ${this.file.path} was deleted or replaced while the server ran; nothing more is stored until it restarts`;
      this.lost = new ProtocolError('unavailable', 'the server cannot store anything right now; try again later');
      this.onFailure(reason);
    }
    return this.lost;
  }

  /** Marks the store closed; every call from now on fails. */
  markClosed(): void {
    this.closed = true;
  }

  /** Closes the connection and the file handle (after `markClosed` and the last writes). */
  release(): void {
    this.db.close();
    this.file.close();
  }

  /** A write may go ahead: the store is open and its file still there. */
  private ensureWritable(): void {
    this.ensureOpen();
    if (this.lost !== undefined || this.file.gone) throw this.fileLost();
  }
}
