/**
 * The window logs of `--log-dir` / `/set log on` (docs/client-windows.md): one
 * plain-text file per window and local day (log-paths.ts), each line
 * `HH:MM:SS <from> text` as plain-line.ts makes it (no colour, no escape, no
 * control character). Files are created mode 0600 (one found wider is set back
 * to 0600) and folders 0700; a symbolic link in the file's place is refused.
 * Writes are synchronous appends on a descriptor kept open per window until
 * its day changes, so lines land in the order they arrived. A file that cannot
 * be written is reported once and its window's log stops; the chat goes on.
 */
import { closeSync, constants, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { formatTime } from '../render-parts.js';
import { logFilePath } from './log-paths.js';
import { plainLine } from './plain-line.js';
import type { ScrollLine } from './scroll-back.js';
import type { WindowTarget } from './window-list.js';

export const LOG_FILE_MODE = 0o600;
export const LOG_DIR_MODE = 0o700;

const OPEN_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

export interface LogWriterOptions {
  /** The log folder (`--log-dir`, else log-paths.ts's default). */
  dir: string;
  /** The server, as the client connects to it. */
  host: string;
  port: number;
  /** Told once per file that cannot be written (the file and why). */
  onProblem?: (problem: string) => void;
}

interface OpenLog {
  file: string;
  fd: number;
}

/** `HH:MM:SS` of `ts`, local time. */
function formatSeconds(ts: number): string {
  return `${formatTime(ts)}:${String(new Date(ts).getSeconds()).padStart(2, '0')}`;
}

export class LogWriter {
  /** The open file of each window, by its file's folder. */
  private readonly open = new Map<string, OpenLog>();
  /** Files that failed: nothing more is written to them. */
  private readonly failed = new Set<string>();

  constructor(private readonly options: LogWriterOptions) {}

  /** Appends `line` to the log of `target`'s window for the line's day; the file written, or undefined (status window, a failed file). */
  write(target: WindowTarget, line: ScrollLine): string | undefined {
    const file = logFilePath(this.options.dir, this.options.host, this.options.port, target, line.ts);
    if (file === undefined || this.failed.has(file)) return undefined;
    try {
      const fd = this.descriptor(file);
      writeSync(fd, `${formatSeconds(line.ts)} ${plainLine(line)}\n`);
      return file;
    } catch (error) {
      this.failed.add(file);
      this.closeFolder(path.dirname(file));
      const reason = error instanceof Error ? error.message : String(error);
      this.options.onProblem?.(`log not written to ${file}: ${reason}`);
      return undefined;
    }
  }

  /** Closes every open file (at quit, or `/set log off`). */
  close(): void {
    for (const folder of [...this.open.keys()]) this.closeFolder(folder);
  }

  private descriptor(file: string): number {
    const folder = path.dirname(file);
    const known = this.open.get(folder);
    if (known?.file === file) return known.fd;
    this.closeFolder(folder);
    mkdirSync(folder, { recursive: true, mode: LOG_DIR_MODE });
    const fd = openSync(file, OPEN_FLAGS, LOG_FILE_MODE);
    try {
      fchmodSync(fd, LOG_FILE_MODE);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.open.set(folder, { file, fd });
    return fd;
  }

  private closeFolder(folder: string): void {
    const known = this.open.get(folder);
    if (known === undefined) return;
    this.open.delete(folder);
    closeSync(known.fd);
  }
}
