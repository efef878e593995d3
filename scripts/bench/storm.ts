/**
 * Join/leave storm: `members` connections in one group all join at once, then
 * all leave at once, on a real server child process. For each phase: the
 * server's CPU seconds and wall time until every reply arrived and the server
 * went idle, the presence frames the members received, and the worst ping
 * round trip of a bystander (signed in, in no group) meanwhile.
 */
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { cpuMicros, startChild } from './processes.js';
import { StormClient } from './storm-client.js';

export interface StormPhase {
  wallSeconds: number;
  cpuSeconds: number;
  presenceFrames: number;
  bystanderWorstPingMs: number;
}

export interface StormResult {
  members: number;
  /** Characters in each member's name (the longer, the sooner the member list outgrows a frame). */
  nameLength: number;
  join: StormPhase;
  leave: StormPhase;
  /** One member asks for BURST_JOINS full histories (1,000 texts of 4 KB) at once. */
  burst: StormPhase;
}

const BURST_JOINS = 400;
const BURST_HISTORY = 1000;

const CONCURRENT_SETUP = 64;
const GROUP = 'storm';

/** Resolves once the process used under 6% of a core over 500 ms (the bystander's pings cost a little). */
export async function idle(pid: number): Promise<void> {
  for (let before = cpuMicros(pid); ;) {
    await sleep(500);
    const now = cpuMicros(pid);
    if (now - before < 30_000) return;
    before = now;
  }
}

function presenceFrames(clients: StormClient[]): number {
  return clients.reduce((sum, client) => sum + (client.counts.get('presence') ?? 0), 0);
}

export async function phase(pid: number, clients: StormClient[], bystander: Worker, run: () => Promise<unknown>): Promise<StormPhase> {
  const reset = once(bystander, 'message');
  bystander.postMessage('reset');
  await reset;
  const presenceBefore = presenceFrames(clients);
  const cpuBefore = cpuMicros(pid);
  const started = performance.now();
  await run();
  await idle(pid);
  const worst = once(bystander, 'message');
  bystander.postMessage('reset');
  const [bystanderWorstPingMs] = (await worst) as [number];
  return {
    wallSeconds: (performance.now() - started) / 1000 - 0.5,
    cpuSeconds: (cpuMicros(pid) - cpuBefore) / 1e6,
    presenceFrames: presenceFrames(clients) - presenceBefore,
    bystanderWorstPingMs,
  };
}

/** Member `i`'s name: `s<i>-` padded with `x` to `length` characters (never shorter than `s<i>`). */
export function stormName(i: number, length: number): string {
  const name = `s${i}`;
  return name.length >= length ? name : `${name}-`.padEnd(length, 'x');
}

export interface StormOptions {
  members: number;
  nameLength: number;
  /** The server to run, relative to the dist folder (or absolute: another build's). */
  serverScript: string;
}

export async function runStorm(certDir: string, ca: string, options: StormOptions, dataDir: string, progress: (line: string) => void): Promise<StormResult> {
  const { members, nameLength } = options;
  const files = ['--cert', path.join(certDir, 'server.crt'), '--key', path.join(certDir, 'server.key')];
  const child = await startChild(options.serverScript, ['--port', '0', ...files, '--data', dataDir, '--log-level', 'warn', '--scrypt-cost', '1024,8,1',
    '--max-connections', String(members + 100), '--query-rate', '0', '--rate-limit', '0']);
  const pid = child.process.pid!;
  const clients: StormClient[] = [];
  const bystander = new Worker(fileURLToPath(new URL('./storm-client.js', import.meta.url)), { workerData: { role: 'bystander', port: child.port, ca } });
  const ready = once(bystander, 'message');
  try {
    const signIn = async (i: number) => {
      const client = await StormClient.connect(child.port, ca);
      await client.request({ type: 'register', user: stormName(i, nameLength), password: 'benchmark password' }, 'auth_ok');
      clients.push(client);
      return client;
    };
    await (await signIn(0)).request({ type: 'create_group', group: GROUP }, 'group_created');
    let next = 1;
    const setUp = async () => {
      while (next < members) await signIn(next++);
    };
    await Promise.all(Array.from({ length: CONCURRENT_SETUP }, setUp));
    await ready;
    await idle(pid);
    progress(`${members} members signed in; all join at once...`);
    const join = await phase(pid, clients, bystander, () => Promise.all(clients.map((client) => client.request({ type: 'join', group: GROUP }, 'joined'))));
    progress('all leave at once...');
    const leave = await phase(pid, clients, bystander, () => Promise.all(clients.map((client) => client.request({ type: 'leave' }, 'left'))));
    progress(`one member asks for ${BURST_JOINS} long histories at once...`);
    const heavy = clients[0]!;
    await heavy.request({ type: 'join', group: GROUP }, 'joined');
    const text = 'x'.repeat(4000);
    for (let id = 1; id <= BURST_HISTORY; id += 1) await heavy.request({ type: 'say', text, id }, 'ack');
    await heavy.request({ type: 'leave' }, 'left');
    await idle(pid);
    const burst = await phase(pid, clients, bystander, () => Promise.all(Array.from({ length: BURST_JOINS }, () => heavy.request({ type: 'join', group: GROUP, since: 0 }, 'joined'))));
    return { members, nameLength, join, leave, burst };
  } finally {
    await bystander.terminate();
    for (const client of clients) client.socket.destroy();
    await child.stop();
  }
}
