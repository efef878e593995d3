/** Runs the real client CLI (`dist/src/cli/client.js`) as a child process with piped stdio. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from './server.js';
import { WAIT_MS } from './wire-client.js';

export const CLIENT_BIN = path.join(REPO_ROOT, 'dist/src/cli/client.js');

export interface ClientProcess {
  child: ChildProcessWithoutNullStreams;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
  /** Resolves with the first stdout line matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
  /** Resolves with the first stderr line matching `pattern`. */
  errorLine(pattern: RegExp): Promise<string>;
}

type Waiter = { pattern: RegExp; resolve: (line: string) => void };

/** Collects a stream's lines and lets tests wait for one that matches. */
function lineWatcher(input: NodeJS.ReadableStream, describe: () => string) {
  const lines: string[] = [];
  const waiters: Waiter[] = [];
  createInterface({ input }).on('line', (line) => {
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
  return { lines, wait };
}

export function runClient(t: TestContext, args: string[], env: NodeJS.ProcessEnv = {}): ClientProcess {
  const child = spawn(process.execPath, [CLIENT_BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  const describe = () => `stdout ${JSON.stringify(out.lines)}, stderr ${JSON.stringify(err.lines)}`;
  const out = lineWatcher(child.stdout, describe);
  const err = lineWatcher(child.stderr, describe);
  return { child, stdout: out.lines, stderr: err.lines, exited, line: out.wait, errorLine: err.wait };
}
