/**
 * What can go wrong beneath the SQLite store: the database file deleted or
 * replaced under a running server (its folder removed, a backup restored over
 * it), a full disk, an I/O error. None of these is the request's fault, and
 * none may end in an acknowledgement of a message that was not kept.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

/** The database file, held open to notice when its path no longer leads to it. */
export class DatabaseFile {
  private readonly fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  /** True once no path leads to the file: unlinked, or replaced by another file. One fstat. */
  get gone(): boolean {
    return fstatSync(this.fd).nlink === 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** SQLite result codes that mean the storage failed (disk full, I/O, permissions), not the statement. */
const STORAGE_FAILURE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PERM)/;

export function isStorageFailure(error: unknown): error is InstanceType<typeof Database.SqliteError> {
  return error instanceof Database.SqliteError && STORAGE_FAILURE.test(error.code);
}
