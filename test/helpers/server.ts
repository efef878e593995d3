/**
 * Test servers: in-process (`startTestServer`) or as the real CLI in a child
 * process (`spawnServer`). Both use the test CA, a temp data dir and a cheap
 * password hash, listen on 127.0.0.1 port 0, and are stopped by `t.after`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS, type Limits } from '../../src/protocol/limits.js';
import type { ServerConfig } from '../../src/server/config.js';
import type { LogLevel } from '../../src/observe/logger.js';
import type { ActivityTimers } from '../../src/server/activity.js';
import type { Clock } from '../../src/server/clock.js';
import type { Store } from '../../src/store/store.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { getTestCertificates } from './certs.js';
import { watchLines } from './lines.js';
import { type FrameClient, WAIT_MS, WireClient } from './wire-client.js';

export const TEST_SCRYPT_COST = { N: 1024, r: 8, p: 1 };
export const TEST_PASSWORD = 'correct horse battery';
const LOG_LEVEL: LogLevel = process.env['TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'silent';

/** The repository root (tests run from dist/test/helpers). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function tempDir(t: TestContext, prefix = 'termsender-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestServerOptions extends Partial<Omit<ServerConfig, 'limits' | 'tls'>> {
  limits?: Partial<Limits>;
  clientCa?: string | Buffer;
  /** A store to use instead of a fresh SQLite one. */
  store?: Store;
  /** The sessions' clock for rate limits and pacing (see TestClock). */
  clock?: Clock;
  /** The timers that space `activity` messages (see ManualTimers). */
  activityTimers?: ActivityTimers;
}

export interface TestServer extends RunningServer {
  port: number;
  config: ServerConfig;
}

export async function startTestServer(t: TestContext, options: TestServerOptions = {}): Promise<TestServer> {
  const certs = await getTestCertificates();
  const { limits, clientCa, store, clock, activityTimers, ...rest } = options;
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    tlsMinVersion: 'TLSv1.3',
    dataDir: rest.dataDir ?? tempDir(t),
    registration: 'open',
    scryptCost: TEST_SCRYPT_COST,
    logLevel: LOG_LEVEL,
    serverName: 'termsender-test',
    ...rest,
    tls: { cert: certs.serverCert, key: certs.serverKey, clientCa },
    limits: { ...DEFAULT_LIMITS, ...limits },
  };
  const server = await startServer(config, { ...(store === undefined ? {} : { store }), ...(clock === undefined ? {} : { clock }),
    ...(activityTimers === undefined ? {} : { activityTimers }) });
  t.after(() => server.close());
  return { ...server, port: server.address.port, config };
}

/** A connected client that has read `welcome` and registered `user` (and joined `group`, created if needed). */
export async function signedInClient(t: TestContext, port: number, user: string, group?: string): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  return signIn(client, user, group);
}

/** Registers `user` on a client that has read `welcome` (and joins `group`, created if needed). */
export async function signIn<C extends FrameClient>(client: C, user: string, group?: string): Promise<C> {
  const auth = await client.request({ type: 'register', user, password: TEST_PASSWORD });
  if (auth.type !== 'auth_ok') throw new Error(`register ${user}: ${JSON.stringify(auth)}`);
  if (group !== undefined) {
    await client.request({ type: 'create_group', group }); // group_exists is fine
    const joined = await client.request({ type: 'join', group });
    if (joined.type !== 'joined') throw new Error(`join ${group}: ${JSON.stringify(joined)}`);
  }
  return client;
}

export interface LaunchedServer {
  child: ChildProcess;
  /** The port of its `listening on` line, once printed. */
  listening: Promise<number>;
  /** Everything the process wrote to stdout and to stderr, line by line. */
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stderr line (already written or still to come) that matches. */
  stderrLine(pattern: RegExp): Promise<string>;
  /** The same for stdout. */
  stdoutLine(pattern: RegExp): Promise<string>;
}

export interface SpawnedServer extends Omit<LaunchedServer, 'listening'> {
  port: number;
}

/** Starts the real CLI (`dist/src/cli/server.js`) without waiting for it; killed by `t.after`. */
export async function launchServer(t: TestContext, args: string[], env: NodeJS.ProcessEnv = {}): Promise<LaunchedServer> {
  const certs = await getTestCertificates();
  const child = spawn(process.execPath, [
    path.join(REPO_ROOT, 'dist/src/cli/server.js'),
    '--port', '0', '--cert', certs.serverCertPath, '--key', certs.serverKeyPath,
    '--scrypt-cost', `${TEST_SCRYPT_COST.N},${TEST_SCRYPT_COST.r},${TEST_SCRYPT_COST.p}`, '--log-level', 'warn',
    ...args,
  ], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  const describe = () => `stdout ${JSON.stringify(out.lines)}, stderr ${JSON.stringify(err.lines)}`;
  const out = watchLines(child.stdout!, describe);
  const err = watchLines(child.stderr!, describe);
  const listening = new Promise<number>((resolve, reject) => {
    out.onLine((line) => {
      const match = /listening on .*:(\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(({ code }) => reject(new Error(`server exited with ${code}: ${err.lines.join('\n')}`)));
  });
  listening.catch(() => undefined); // a test that never waits for it must not see an unhandled rejection
  return { child, listening, stdout: out.lines, stderr: err.lines, exited, stderrLine: err.wait, stdoutLine: out.wait };
}

/** Runs the real CLI and waits (at most WAIT_MS) for its `listening on` line. */
export async function spawnServer(t: TestContext, args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedServer> {
  const { listening, ...launched } = await launchServer(t, args, env);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`server did not listen in time: ${launched.stderr.join('\n')}`)), WAIT_MS);
  });
  try {
    return { ...launched, port: await Promise.race([listening, late]) };
  } finally {
    clearTimeout(timer);
  }
}
