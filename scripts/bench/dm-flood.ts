/**
 * A flood of direct messages to one account (issue 22 item 6): what it costs
 * the others. A real server on a fresh data folder; the victim is signed in
 * twice (both connections read everything); a bystander (a worker thread, its
 * pings timed on an event loop of their own) pings every 10 ms; one flooder
 * sends `dm`s to the victim. Measured per phase: the bystander's round trips,
 * the direct messages stored per second, the server's CPU.
 * - `idle`: nobody floods (the baseline).
 * - `window`: `--rate-limit 0`, the flooder keeps 32 `dm`s in flight: as fast
 *   as the server stores them (the worst case, beyond what the rate limit lets one connection do).
 * - `rate-limited`: the default `--rate-limit` (20/s), the flooder offers 1,000/s and most are refused `rate_limited`.
 */
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PasswordHasher } from '../../src/server/passwords.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { type Child, cpuMicros, startChild } from './processes.js';
import { type PingFigures, RECONNECT_PASSWORD } from './reconnect-member.js';
import { StormClient } from './storm-client.js';

export interface DmFloodPhase {
  name: 'idle' | 'window' | 'rate-limited';
  bystander: PingFigures;
  /** Direct messages acknowledged per second (stored). */
  storedPerSecond: number;
  /** `dm` frames the victim's two connections received per second, together. */
  deliveredPerSecond: number;
  serverCpuSeconds: number;
}

export interface DmFloodResult {
  seconds: number;
  phases: DmFloodPhase[];
}

const WINDOW = 32;
const TEXT = 'flood '.repeat(16);

async function prepare(dataDir: string): Promise<void> {
  const hash = await new PasswordHasher({ cost: { N: 1024, r: 8, p: 1 } }).hash(RECONNECT_PASSWORD);
  const store = SqliteStore.open(dataDir);
  try {
    for (const user of ['victim', 'flooder', 'bystander']) await store.accounts.createUser(user, hash);
  } finally {
    await store.close();
  }
}

async function signedIn(port: number, ca: string, user: string): Promise<StormClient> {
  const client = await StormClient.connect(port, ca);
  await client.request({ type: 'login', user, password: RECONNECT_PASSWORD }, 'auth_ok');
  return client;
}

/** One phase on a fresh server (`rateLimit`: its --rate-limit); `flood` runs until `until` (performance.now()) and returns the dms acknowledged. */
async function phase(name: DmFloodPhase['name'], certDir: string, ca: string, dataDir: string, rateLimit: string, seconds: number, serverScript: string): Promise<DmFloodPhase> {
  const files = ['--cert', path.join(certDir, 'server.crt'), '--key', path.join(certDir, 'server.key')];
  const child: Child = await startChild(serverScript, ['--port', '0', '--data', dataDir, '--log-level', 'warn', ...files, '--scrypt-cost', '1024,8,1', '--rate-limit', rateLimit]);
  const bystander = new Worker(fileURLToPath(new URL('./reconnect-member.js', import.meta.url)), { workerData: { role: 'reconnect-bystander', port: child.port, ca, user: 'bystander' } });
  const clients: StormClient[] = [];
  try {
    await once(bystander, 'message');
    const victims = [await signedIn(child.port, ca, 'victim'), await signedIn(child.port, ca, 'victim')];
    const flooder = await signedIn(child.port, ca, 'flooder');
    clients.push(...victims, flooder);
    const deliveredBefore = victims.reduce((sum, victim) => sum + (victim.counts.get('dm') ?? 0), 0);
    bystander.postMessage('reset');
    const cpuBefore = cpuMicros(child.process.pid!);
    const started = performance.now();
    const until = started + seconds * 1000;
    let stored = 0;
    if (name === 'window') {
      while (performance.now() < until) {
        const acks = Array.from({ length: WINDOW }, () => flooder.next('ack'));
        for (let i = 0; i < WINDOW; i++) flooder.send({ type: 'dm', to: 'victim', text: TEXT, id: i + 1 });
        await Promise.all(acks);
        stored += WINDOW;
      }
    } else if (name === 'rate-limited') {
      while (performance.now() < until) {
        flooder.send({ type: 'dm', to: 'victim', text: TEXT, id: 1 });
        await sleep(1);
      }
      await sleep(100);
      stored = flooder.counts.get('ack') ?? 0;
    } else await sleep(seconds * 1000);
    const elapsed = (performance.now() - started) / 1000;
    const serverCpuSeconds = (cpuMicros(child.process.pid!) - cpuBefore) / 1e6;
    const figures = once(bystander, 'message');
    bystander.postMessage('figures');
    const [ping] = (await figures) as [PingFigures];
    const delivered = victims.reduce((sum, victim) => sum + (victim.counts.get('dm') ?? 0), 0) - deliveredBefore;
    return { name, bystander: ping, storedPerSecond: stored / elapsed, deliveredPerSecond: delivered / elapsed, serverCpuSeconds };
  } finally {
    await bystander.terminate();
    for (const client of clients) client.socket.destroy();
    await child.stop();
  }
}

export async function runDmFlood(certDir: string, ca: string, dataDir: string, seconds: number, serverScript: string, progress: (line: string) => void): Promise<DmFloodResult> {
  await prepare(dataDir);
  const phases: DmFloodPhase[] = [];
  for (const [name, rateLimit] of [['idle', '0'], ['window', '0'], ['rate-limited', '20']] as const) {
    progress(`${name}...`);
    phases.push(await phase(name, certDir, ca, dataDir, rateLimit, seconds, serverScript));
  }
  return { seconds, phases };
}
