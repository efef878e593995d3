/** Runs the real client CLI (`dist/src/cli/client.js`) as a child process with piped stdio. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { getTestCertificates } from './certs.js';
import { watchLines } from './lines.js';
import { REPO_ROOT } from './server.js';

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

/**
 * Seconds a test client's first reconnect try after a drop waits at most (the
 * client's hidden --first-retry-max; 5 by default): a restarted server is found
 * again within half a second. The later tries back off as always.
 */
export const TEST_FIRST_RETRY_MAX = '0.5';

export function runClient(t: TestContext, args: string[], env: NodeJS.ProcessEnv = {}): ClientProcess {
  const child = spawn(process.execPath, [CLIENT_BIN, ...args], {
    cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', TERMSENDER_FIRST_RETRY_MAX: TEST_FIRST_RETRY_MAX, ...env },
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  const describe = () => `stdout ${JSON.stringify(out.lines)}, stderr ${JSON.stringify(err.lines)}`;
  const out = watchLines(child.stdout, describe);
  const err = watchLines(child.stderr, describe);
  return { child, stdout: out.lines, stderr: err.lines, exited, line: out.wait, errorLine: err.wait };
}

/** The client command, quoted for a shell (tmux), against a test server on 127.0.0.1 trusting the test CA. */
export async function clientCommand(port: number, ...args: string[]): Promise<string> {
  const certs = await getTestCertificates();
  return [process.execPath, CLIENT_BIN, '--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--first-retry-max', TEST_FIRST_RETRY_MAX, ...args].map((part) => `'${part}'`).join(' ');
}
