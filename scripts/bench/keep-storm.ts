/**
 * One client in many groups at once (January additions), against the others:
 * `members` connections, each in `perMember` of `groups` groups (so each
 * group holds members × perMember / groups of them), on a real server child
 * process. Then one more client joins all `groups` with `keep` at once, joins
 * one without `keep` (leaving the others in one move), joins them all again,
 * and closes (`bye`: its groups are left a few per turn). For each phase: the server's
 * CPU seconds and wall time, the presence frames the members received, and
 * the worst ping round trip of a bystander (signed in, in no group; its own
 * event loop) meanwhile (storm.ts's phases).
 */
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startChild } from './processes.js';
import { idle, phase, type StormPhase } from './storm.js';
import { StormClient } from './storm-client.js';
import { count, fixed, table } from './report.js';

export interface KeepStormOptions {
  members: number;
  groups: number;
  perMember: number;
  serverScript: string;
}

/** A phase, with the server's own longest event-loop delay meanwhile (its `--metrics`), free of the load generator's share of the CPU. */
export type KeepPhase = StormPhase & { serverLoopMaxMs: number };

export interface KeepStormResult extends KeepStormOptions {
  /** Members per group. */
  groupSize: number;
  /** Nothing but the bystander's pings, for a second: what the machine gives without the client. */
  baseline: KeepPhase;
  joinAll: KeepPhase;
  /** A `join` without `keep`: it leaves the other groups-1 in one move. */
  joinOne: KeepPhase;
  close: KeepPhase;
}

/** A free loopback port (for the server's --metrics). */
async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** The server's longest event-loop delay since the last scrape, in ms (the scrape resets it). */
async function loopMaxMs(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return Number(/^termsender_event_loop_delay_seconds\{stat="max"\} (\S+)$/m.exec(text)?.[1] ?? Number.NaN) * 1000;
}

const CONCURRENT_SETUP = 32;

export async function runKeepStorm(certDir: string, ca: string, options: KeepStormOptions, dataDir: string, progress: (line: string) => void): Promise<KeepStormResult> {
  const { members, groups, perMember } = options;
  const files = ['--cert', path.join(certDir, 'server.crt'), '--key', path.join(certDir, 'server.key')];
  const metricsPort = await freePort();
  const child = await startChild(options.serverScript, ['--port', '0', ...files, '--data', dataDir, '--log-level', 'warn', '--scrypt-cost', '1024,8,1', '--metrics', `127.0.0.1:${metricsPort}`,
    '--max-connections', String(members + 100), '--query-rate', '0', '--rate-limit', '0', '--create-rate', '0', '--max-open-groups', String(Math.max(groups, perMember))]);
  const pid = child.process.pid!;
  const clients: StormClient[] = [];
  const bystander = new Worker(fileURLToPath(new URL('./storm-client.js', import.meta.url)), { workerData: { role: 'bystander', port: child.port, ca } });
  const ready = once(bystander, 'message');
  try {
    const owner = await StormClient.connect(child.port, ca);
    await owner.request({ type: 'register', user: 'owner', password: 'benchmark password' }, 'auth_ok');
    for (let g = 0; g < groups; g++) await owner.request({ type: 'create_group', group: `k${g}` }, 'group_created');
    let next = 0;
    const setUp = async () => {
      while (next < members) {
        const i = next++;
        const client = await StormClient.connect(child.port, ca);
        await client.request({ type: 'register', user: `k-member-${i}`, password: 'benchmark password' }, 'auth_ok');
        for (let k = 0; k < perMember; k++) await client.request({ type: 'join', group: `k${(i + k) % groups}`, keep: true }, 'joined');
        clients.push(client);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_SETUP }, setUp));
    await ready;
    await idle(pid);
    progress(`${members} members in ${perMember} groups each; one client joins all ${groups} groups with keep at once...`);
    const attacker = await StormClient.connect(child.port, ca);
    await attacker.request({ type: 'register', user: 'many-groups', password: 'benchmark password' }, 'auth_ok');
    await idle(pid);
    const measured = async (run: () => Promise<unknown>): Promise<KeepPhase> => {
      await loopMaxMs(metricsPort);
      const figures = await phase(pid, clients, bystander, run);
      return { ...figures, serverLoopMaxMs: await loopMaxMs(metricsPort) };
    };
    const baseline = await measured(() => sleep(1000));
    const joinAll = await measured(() => Promise.all(Array.from({ length: groups }, (_, g) => attacker.request({ type: 'join', group: `k${g}`, keep: true }, 'joined'))));
    progress('it joins one without keep, leaving the others at once...');
    const joinOne = await measured(() => attacker.request({ type: 'join', group: 'k0' }, 'joined'));
    await Promise.all(Array.from({ length: groups - 1 }, (_, g) => attacker.request({ type: 'join', group: `k${g + 1}`, keep: true }, 'joined')));
    await idle(pid);
    progress('it closes, leaving them all at once...');
    const close = await measured(async () => {
      attacker.send({ type: 'bye' });
      await once(attacker.socket, 'close');
    });
    return { ...options, groupSize: Math.round((members * perMember) / groups), baseline, joinAll, joinOne, close };
  } finally {
    await bystander.terminate();
    for (const client of clients) client.socket.destroy();
    await child.stop();
  }
}

export function keepStormTable(result: KeepStormResult): string {
  return `\nMany groups at once (${count(result.members)} members, each in ${result.perMember} of ${result.groups} groups: ${count(result.groupSize)} per group; one client joins all ${result.groups} with keep at once, then one without keep, then all again, then closes; bystander pings every 10 ms)\n${table(['phase', 'wall s', 'server CPU s', 'presence frames', 'bystander worst ping ms', 'server loop max ms'],
    (['baseline', 'joinAll', 'joinOne', 'close'] as const).map((name) => [{ baseline: 'nothing (1 s)', joinAll: `join keep ×${result.groups}`, joinOne: 'join (no keep)', close: 'close' }[name], fixed(result[name].wallSeconds, 2), fixed(result[name].cpuSeconds, 2), count(result[name].presenceFrames), fixed(result[name].bystanderWorstPingMs, 1), fixed(result[name].serverLoopMaxMs, 1)]))}\n`;
}
