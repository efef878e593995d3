/** A child process's output, line by line, with a way to wait for a line that matches. */
import { createInterface } from 'node:readline';
import { WAIT_MS } from './wire-client.js';

type Waiter = { pattern: RegExp; resolve: (line: string) => void };

export interface LineWatcher {
  /** Every line so far. */
  lines: string[];
  /** Resolves with the first line (already read or still to come) matching `pattern`; rejects after WAIT_MS. */
  wait(pattern: RegExp): Promise<string>;
  /** Calls `listener` with every line from now on. */
  onLine(listener: (line: string) => void): void;
}

/** `describe` says what was seen, for the message of a wait that timed out. */
export function watchLines(input: NodeJS.ReadableStream, describe: () => string): LineWatcher {
  const lines: string[] = [];
  const waiters: Waiter[] = [];
  const reader = createInterface({ input });
  reader.on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const wait = (pattern: RegExp): Promise<string> => {
    const seen = lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern}; ${describe()}`)), WAIT_MS);
      waiters.push({ pattern, resolve: (line) => { clearTimeout(timer); resolve(line); } });
    });
  };
  return { lines, wait, onLine: (listener) => reader.on('line', listener) };
}
