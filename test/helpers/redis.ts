/**
 * A real redis-server for cluster tests: on a free loopback port, with its
 * own temp dir and append-only persistence (unless asked not to); stopped by `t.after`. Tests skip
 * (and say so) where redis-server is not installed.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { tempDir } from './server.js';
import { WAIT_MS } from './wire-client.js';

export function hasRedis(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface TestRedis {
  url: string;
  /** Stops it cleanly (the append-only file is written). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, nothing is answered, until `thaw`. */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
}

/** `persist: false`: no append-only file, so that a restart comes back empty (as a Redis without persistence does). */
export async function startRedis(t: TestContext, options: { persist?: boolean } = {}): Promise<TestRedis> {
  const dir = tempDir(t, 'termsender-redis-');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const process = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', options.persist === false ? 'no' : 'yes',
      '--save', '', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = process;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), WAIT_MS);
      const probe = () => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.end('PING\r\n');
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', () => setTimeout(probe, 20));
      };
      process.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      process.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      process.once('exit', () => reject(new Error(`redis-server exited: ${output}`)));
      probe();
    });
  };
  const stop = async () => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  const frozen = { value: false };
  t.after(() => {
    if (frozen.value) child?.kill('SIGCONT');
    return stop();
  });
  return {
    url: `redis://127.0.0.1:${port}`, stop, start,
    freeze: () => { frozen.value = child?.kill('SIGSTOP') === true; },
    thaw: () => {
      child?.kill('SIGCONT');
      frozen.value = false;
    },
  };
}
