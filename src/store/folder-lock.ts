/**
 * One server per data folder: `DIR/server.lock` holds the PID (and, on
 * Linux, the start time) of the server using the folder. It is created
 * atomically with its content (a hard link of a finished temp file), removed
 * when the server stops or the process exits, and judged stale, removed and
 * retried once when its process is gone: a `kill -9`'d server does not block
 * the next start, also while it is a zombie (state `Z`: dead, not yet reaped
 * by its parent, as under some supervisors and containers). The start time
 * tells a reused PID from the holder.
 *
 * Only servers take it: other readers of the store (SQLite allows several)
 * are not locked out.
 */
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../protocol/errors.js';

export const LOCK_FILE = 'server.lock';

/** The folder is locked by a live process. */
export class DataFolderInUseError extends Error {
  constructor(readonly folder: string, readonly pid: number, readonly lockFile: string) {
    super(`in use by another server, PID ${pid}; lock file ${lockFile}`);
    this.name = 'DataFolderInUseError';
  }
}

export interface FolderLock {
  readonly file: string;
  /** Removes the lock file if it is still this process's. Idempotent. */
  release(): void;
}

interface Holder {
  pid: number;
  /** /proc start time in clock ticks, when known. */
  startTime: string | undefined;
}

/** What /proc/PID/stat says of a process: its state (field 3) and start time (field 22), read after the command name, which may hold spaces and parentheses. */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return undefined; // not Linux, or the process is gone: liveness is judged by the signal probe alone
  }
}

function parseHolder(content: string): Holder | undefined {
  const [pidText, startTime] = content.trim().split(/\s+/);
  const pid = Number(pidText);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, startTime: startTime || undefined } : undefined;
}

function isAlive(holder: Holder): boolean {
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const now = procStat(holder.pid);
  if (now === undefined) return true;
  // A zombie (killed, not yet reaped by its parent) or a dead process answers the signal probe but holds nothing.
  if (now.state === 'Z' || now.state === 'X') return false;
  return holder.startTime === undefined || now.startTime === holder.startTime;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** Creates `file` holding `content`, atomically: false if it exists. */
function createWith(file: string, content: string): boolean {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/** Takes the folder's lock (creating the folder owner-only if missing), or throws DataFolderInUseError. */
export function lockDataFolder(folder: string): FolderLock {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = path.join(folder, LOCK_FILE);
  const mine = `${process.pid} ${procStat(process.pid)?.startTime ?? ''}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createWith(file, mine)) return heldLock(file, mine);
    const content = readOrEmpty(file);
    if (content === '') continue; // released meanwhile
    const holder = parseHolder(content);
    if (holder !== undefined && isAlive(holder)) throw new DataFolderInUseError(folder, holder.pid, file);
    // Stale: its process is gone. Remove it unless another start replaced it meanwhile.
    if (readOrEmpty(file) === content) unlinkSync(file);
  }
  throw new Error(`could not take ${file}: another server is starting on the same folder`);
}

function heldLock(file: string, mine: string): FolderLock {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      if (readOrEmpty(file) === mine) unlinkSync(file);
    } catch (error) {
      // A lock file left behind is judged stale by the next start: worth a warning, not a failed exit.
      process.emitWarning(`could not remove ${file}: ${errorMessage(error)}`);
    }
  };
  process.on('exit', release);
  return { file, release };
}
