/**
 * Any of the project's commands as an operator runs it: `node dist/…` with
 * exactly the arguments and TERMSENDER_* variables given (none inherited
 * from the test's own environment), output line by line, killed by `t.after`.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { type LineWatcher, watchLines } from './lines.js';
import { REPO_ROOT } from './server.js';
import { WAIT_MS } from './wire-client.js';

/** How long a command that should end may take (generating RSA keys on a busy machine included). */
const EXIT_WAIT_MS = 2 * WAIT_MS;

export const SERVER_SCRIPT = 'dist/src/cli/server.js';
export const CLIENT_SCRIPT = 'dist/src/cli/client.js';
export const GEN_CERTS_SCRIPT = 'dist/scripts/gen-certs.js';

export interface CommandOptions {
  /** TERMSENDER_* and other variables, over the test's environment without its TERMSENDER_* ones. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run under `ulimit -n` this (through bash), as an operator's shell would. */
  openFileLimit?: number;
}

export interface CommandRun {
  child: ChildProcessWithoutNullStreams;
  stdout: LineWatcher;
  stderr: LineWatcher;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the process exited and its output was read to the end. */
  closed: Promise<void>;
}

/** The test's environment minus TERMSENDER_*, plus `extra`. */
export function commandEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('TERMSENDER_'));
  return { ...Object.fromEntries(inherited), NO_COLOR: '1', ...extra };
}

export function runCommand(t: TestContext, script: string, args: readonly string[], options: CommandOptions = {}): CommandRun {
  const nodeArgs = [path.join(REPO_ROOT, script), ...args];
  const [file, argv] = options.openFileLimit === undefined
    ? [process.execPath, nodeArgs]
    : ['bash', ['-c', `ulimit -n ${options.openFileLimit} && exec "$0" "$@"`, process.execPath, ...nodeArgs]];
  const child = spawn(file, argv, { cwd: options.cwd ?? REPO_ROOT, env: commandEnv(options.env) });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const closed = once(child, 'close').then(() => undefined);
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  const describe = () => `exit ${child.exitCode ?? child.signalCode}, stdout ${JSON.stringify(stdout.lines)}, stderr ${JSON.stringify(stderr.lines)}`;
  const stdout = watchLines(child.stdout, describe);
  const stderr = watchLines(child.stderr, describe);
  return { child, stdout, stderr, exited, closed };
}

/** The port of a server's `listening on HOST:PORT` line, once printed; rejects if it exits first. */
export async function listeningPort(run: CommandRun): Promise<number> {
  const exitedFirst = run.exited.then(({ code, signal }) => {
    throw new Error(`server exited (${code ?? signal}) before listening: ${run.stderr.lines.join('\n')}`);
  });
  const line = await Promise.race([run.stdout.wait(/listening on /), exitedFirst]);
  return Number(/:(\d+)$/.exec(line)?.[1]);
}

/** Runs a command to its end: its exit code and output. Rejects (safety net only) if it is still running after EXIT_WAIT_MS. */
export async function finished(run: CommandRun): Promise<{ code: number | null; stdout: string[]; stderr: string[] }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${EXIT_WAIT_MS} ms: stdout ${JSON.stringify(run.stdout.lines)}, stderr ${JSON.stringify(run.stderr.lines)}`)), EXIT_WAIT_MS);
  });
  const { code } = await Promise.race([run.exited, late]).finally(() => clearTimeout(timer));
  await run.closed;
  return { code, stdout: run.stdout.lines, stderr: run.stderr.lines };
}

/** SIGTERM, then the exit status (0 for a clean shutdown). */
export async function stop(run: CommandRun): Promise<number | null> {
  run.child.kill('SIGTERM');
  return (await run.exited).code;
}
