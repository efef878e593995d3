/**
 * Reconnect storm: `members` clients of one group, signed in and joined, lose
 * the server to a restart (SIGTERM, then the same data folder and port) and
 * all come back at once, each retrying as the project's client does. A talker
 * says a message every 100 ms from before the restart until everyone is back;
 * a bystander (in a worker) pings every 10 ms. Measured: from the new server
 * listening until the last member has resumed (rejoined with `since`), the
 * bystander's round trips meanwhile, and whether any member missed or got
 * twice any message.
 */
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PasswordHasher, type ScryptCost } from '../../src/server/passwords.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { type Child, cpuMicros, freePort, startChild } from './processes.js';
import { type PingFigures, RECONNECT_PASSWORD, ReconnectMember, type RetryPolicy } from './reconnect-member.js';
import { stormName } from './storm.js';

export interface ReconnectStormOptions {
  members: number;
  /** Server to run, relative to the dist folder (or absolute). */
  serverScript: string;
  /** The server's and the accounts' scrypt cost; undefined: the default. */
  scryptCost: ScryptCost | undefined;
  /** The delay before a member's reconnect attempt `attempt` (0-based) after a drop. */
  retry: RetryPolicy;
  nameLength: number;
  /** Members sign in again with the resume token of their last `auth_ok` (the project's client), or with the password only (clients before tokens). */
  signIn: 'token' | 'password';
  /** More server flags (e.g. the hidden `--handshakes-per-turn`). */
  serverArgs?: string[];
}

export interface ReconnectStormResult {
  members: number;
  /** From the new server listening until the last member resumed. */
  allBackSeconds: number;
  /** Members resumed within 30 s of the new server listening. */
  backWithin30s: number;
  /** Half of the members had resumed by then. */
  medianBackSeconds: number;
  serverCpuSeconds: number;
  bystander: PingFigures;
  messages: number;
  /** Seqs up to the last one said that some member never received (summed over members). */
  lost: number;
  duplicates: number;
  /** Failed reconnect attempts, by refusal code. */
  refusals: Record<string, number>;
  /** Sign-ins by resume token after the restart. */
  tokenSignIns: number;
  /** The server's own event-loop delay from listening until everyone was back (its `/metrics`), ms: what the server, not the machine, held a ping back. */
  serverLoopDelay: { p99: number; max: number };
}

/** The server's event-loop delay since the last scrape (the scrape resets it), in ms. */
async function loopDelay(metricsPort: number): Promise<{ p99: number; max: number }> {
  let text = '';
  // The metrics listener may come up a moment after `listening on`.
  for (let attempt = 0; text === ''; attempt++) {
    try {
      text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    } catch (error) {
      if (attempt >= 50) throw error;
      await sleep(100);
    }
  }
  const stat = (name: string) => 1000 * Number(new RegExp(`^termsender_event_loop_delay_seconds\\{stat="${name}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { p99: stat('p99'), max: stat('max') };
}

const GROUP = 'storm';
const CONCURRENT_SETUP = 64;
const TALK_EVERY_MS = 100;
const ALL_BACK_LIMIT_MS = 600_000;

/** The accounts and the group, written straight into the data folder: one hash for all, so that 2,000 accounts at the default cost take one hash. */
async function prepare(dataDir: string, users: string[], cost: ScryptCost | undefined): Promise<void> {
  const hash = await new PasswordHasher(cost === undefined ? {} : { cost }).hash(RECONNECT_PASSWORD);
  const store = SqliteStore.open(dataDir);
  try {
    for (const user of users) await store.accounts.createUser(user, hash);
    await store.groups.createOwnedGroup(GROUP, users[0]!, { maxGroups: 10, maxOwned: 10 });
  } finally {
    await store.close();
  }
}

export async function runReconnectStorm(certDir: string, ca: string, options: ReconnectStormOptions, dataDir: string, progress: (line: string) => void): Promise<ReconnectStormResult> {
  const names = Array.from({ length: options.members }, (_, i) => stormName(i, options.nameLength));
  await prepare(dataDir, [...names, 'talker', 'bystander'], options.scryptCost);
  const files = ['--cert', path.join(certDir, 'server.crt'), '--key', path.join(certDir, 'server.key')];
  const cost = options.scryptCost === undefined ? [] : ['--scrypt-cost', `${options.scryptCost.N},${options.scryptCost.r},${options.scryptCost.p}`];
  const metricsPort = await freePort();
  const args = ['--data', dataDir, '--log-level', 'warn', ...files, ...cost, '--max-connections', String(options.members + 100), '--query-rate', '0', '--rate-limit', '0',
    '--metrics', `127.0.0.1:${metricsPort}`, ...(options.serverArgs ?? [])];
  let child: Child = await startChild(options.serverScript, ['--port', '0', ...args]);
  const port = child.port;
  const members = names.map((name) => new ReconnectMember(name, port, ca, GROUP, options.retry, options.signIn === 'token'));
  const talker = new ReconnectMember('talker', port, ca, GROUP, options.retry);
  const bystander = new Worker(fileURLToPath(new URL('./reconnect-member.js', import.meta.url)), { workerData: { role: 'reconnect-bystander', port, ca, user: 'bystander' } });
  const bystanderReady = once(bystander, 'message');
  try {
    await talker.resume();
    progress('talker in; signing the members in...');
    let next = 0;
    const setUp = async () => {
      for (let i = next++; i < members.length; i = next++) {
        for (;;) {
          try {
            await members[i]!.resume();
            break;
          } catch {
            await sleep(200);
          }
        }
        if (i % 500 === 499) progress(`${i + 1} members signed in and joined`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_SETUP }, setUp));
    await bystanderReady;
    for (let i = 0; i < 20; i++) await talker.say(`before ${i}`);
    progress(`${members.length} members in '${GROUP}'; restarting the server...`);

    let talking = true;
    let said = 20;
    const talk = (async () => {
      while (talking) {
        await talker.back();
        try {
          await talker.say(`during ${said}`);
          said += 1;
        } catch {
          // dropped mid-say: said again once back (the seq counts only when acked)
        }
        await sleep(TALK_EVERY_MS);
      }
    })();
    await child.stop();
    for (let waited = 0; waited < 5_000 && !members.every((member) => member.reconnecting); waited += 10) await sleep(10);
    child = await startChild(options.serverScript, ['--port', String(port), ...args]);
    const listeningAt = performance.now();
    progress('the server is back; waiting for every member...');
    const cpuBefore = cpuMicros(child.process.pid!);
    await loopDelay(metricsPort); // from here
    bystander.postMessage('reset');
    const everyoneBack = Promise.all(members.map((member) => member.back()));
    const giveUp = new AbortController();
    await Promise.race([everyoneBack, sleep(ALL_BACK_LIMIT_MS, undefined, { signal: giveUp.signal }).catch(() => undefined)]);
    giveUp.abort();
    const backTimes = members.map((member) => (member.resumedAt - listeningAt) / 1000).sort((a, b) => a - b);
    const figures = once(bystander, 'message');
    bystander.postMessage('figures');
    const [bystanderFigures] = (await figures) as [PingFigures];
    const serverCpuSeconds = (cpuMicros(child.process.pid!) - cpuBefore) / 1e6;
    const serverLoopDelay = await loopDelay(metricsPort);
    talking = false;
    await talk;
    const lastSeq = talker.lastSeq;
    // Live delivery of the last messages: until every member holds every seq, or 10 s.
    for (let waited = 0; waited < 10_000 && members.some((member) => member.lastSeq < lastSeq); waited += 100) await sleep(100);
    const refusals: Record<string, number> = {};
    for (const member of members) for (const [code, times] of member.refusals) refusals[code] = (refusals[code] ?? 0) + times;
    let lost = 0;
    for (const member of members) for (let seq = 1; seq <= lastSeq; seq++) if (!member.seen.has(seq)) lost += 1;
    return {
      members: members.length,
      allBackSeconds: backTimes.at(-1) ?? 0,
      backWithin30s: backTimes.filter((seconds) => seconds <= 30).length,
      medianBackSeconds: backTimes[Math.floor(backTimes.length / 2)] ?? 0,
      serverCpuSeconds,
      bystander: bystanderFigures,
      messages: lastSeq,
      lost,
      duplicates: members.reduce((sum, member) => sum + member.duplicates, 0),
      refusals,
      tokenSignIns: members.reduce((sum, member) => sum + member.tokenSignIns, 0),
      serverLoopDelay,
    };
  } finally {
    await bystander.terminate();
    talker.stop();
    for (const member of members) member.stop();
    await child.stop();
  }
}
