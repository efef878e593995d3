/**
 * `--max-connections` against the process's open-file limit: each connection
 * is a file descriptor, and accepts beyond the soft limit fail with EMFILE.
 */
import { readFileSync } from 'node:fs';

/** Descriptors the server needs besides its connections: stdio, the store and its WAL, certificates, Redis, listeners. */
export const OWN_FILES_MARGIN = 64;

/** The soft "Max open files" limit of this process (Linux `/proc/self/limits`), or undefined where unknown or unlimited. */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined; // not Linux: nothing to compare with
    }
  }
  const match = /^Max open files\s+(\S+)/m.exec(text);
  const soft = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  return Number.isSafeInteger(soft) ? soft : undefined;
}

/**
 * A one-line warning when `maxConnections` connections plus the server's own
 * files (and `metricsConnections`, the `--metrics` listener's cap) would not fit in `limit`.
 */
export function openFileWarning(maxConnections: number, limit: number | undefined, metricsConnections = 0): string | undefined {
  const own = OWN_FILES_MARGIN + metricsConnections;
  const needed = maxConnections + own;
  if (limit === undefined || needed <= limit) return undefined;
  const ownFiles = metricsConnections === 0 ? `${own} for the server's own files` : `${own} for the server's own files and the --metrics listener`;
  return `--max-connections ${maxConnections} (plus ${ownFiles}) is above this process's open-file limit of ${limit}: `
    + `connections beyond about ${Math.max(0, limit - own)} will fail (EMFILE). Raise it with 'ulimit -n ${needed}' before starting, or lower --max-connections`;
}
