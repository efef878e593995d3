/**
 * End-to-end delivery: N members in one group over real TLS, S of them
 * sending B-byte texts, for T seconds. Against the TermSender server (durable
 * SQLite storage on) or the bare relay, so the two can be compared in one run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyHistogram } from './histogram.js';
import { type DeliveryStats, Member, stampText } from './load.js';
import { cpuMicros, memory } from './processes.js';

export type E2eMode = 'open' | 'max';
export type E2eTarget = 'server' | 'relay' | 'cluster' | 'workers';

export interface E2eOptions {
  members: number;
  senders: number;
  bytes: number;
  seconds: number;
  mode: E2eMode;
  /** Offered messages per second, all senders together (open loop). */
  rate: number;
  /** Messages per sender not yet seen by the observer (max mode). */
  window: number;
  /** PEM of the CA that signed the target's certificate. */
  ca: string;
  progress: (line: string) => void;
  /** Makes user and group names unique when several runs share one Redis. */
  runId?: string;
  /**
   * Extra members (server targets) that joined the busy group before and sit
   * in another group: what `activity` costs the hot path. They send nothing
   * and their deliveries are not counted.
   */
  idleMembers?: number;
  /**
   * Groups each member is in (server targets; January additions): above 1,
   * each member joins G-1 quiet groups with `keep` after the busy one, so the
   * busy group is not its current group, and senders name it in `say`.
   */
  groupsPerMember?: number;
}

/** The processes under test: CPU and memory are summed over `pids`; members spread over `ports`. */
export interface E2eSystem {
  pids: () => number[];
  ports: number[];
}

export interface E2eResult {
  target: E2eTarget;
  mode: E2eMode;
  members: number;
  senders: number;
  bytes: number;
  offeredPerSecond: number | undefined;
  sent: number;
  deliveredPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** Members cut off during the run, and the error codes they were sent. */
  closedMembers: number;
  errors: string[];
  idleMembers: number;
  /** `activity` messages the idle members received. */
  activities: number;
  serverCpuMicros: number;
  cpuMicrosPerDelivery: number;
  peakRssBytes: number;
  groupsPerMember: number;
}

const WARMUP_MS = 500;
const DRAIN_MS = 5_000;
const TICK_MS = 5;
const GROUP = 'bench';

async function joinAll(target: E2eTarget, ports: number[], options: E2eOptions, stats: DeliveryStats): Promise<Member[]> {
  const members: Member[] = [];
  const suffix = options.runId ?? '';
  for (let i = 0; i < options.members; i++) {
    const member = await Member.connect(ports[i % ports.length]!, options.ca, stats);
    members.push(member);
    await member.welcomed();
    if (target === 'relay') continue;
    await member.request({ type: 'register', user: `m${i}${suffix}`, password: 'benchmark password', id: 1 }, 'auth_ok');
    if (i === 0) await member.request({ type: 'create_group', group: `${GROUP}${suffix}`, id: 2 }, 'group_created');
    await member.request({ type: 'join', group: `${GROUP}${suffix}`, id: 3 }, 'joined');
  }
  return members;
}

/** Every member also joins G-1 quiet groups with `keep` (member 0 creates them). */
async function joinQuietGroups(members: Member[], options: E2eOptions): Promise<void> {
  const groups = options.groupsPerMember ?? 1;
  const suffix = options.runId ?? '';
  for (let k = 1; k < groups; k++) await members[0]!.request({ type: 'create_group', group: `${GROUP}${suffix}-q${k}`, id: 4 }, 'group_created');
  for (const member of members) {
    for (let k = 1; k < groups; k++) await member.request({ type: 'join', group: `${GROUP}${suffix}-q${k}`, keep: true, id: 5 }, 'joined');
  }
}

/** Members who joined the busy group, then moved to a quiet one (after the busy group exists). */
async function idleElsewhere(ports: number[], options: E2eOptions, stats: DeliveryStats): Promise<Member[]> {
  const idle: Member[] = [];
  const suffix = options.runId ?? '';
  for (let i = 0; i < (options.idleMembers ?? 0); i++) {
    const member = await Member.connect(ports[i % ports.length]!, options.ca, stats);
    idle.push(member);
    await member.welcomed();
    await member.request({ type: 'register', user: `idle${i}${suffix}`, password: 'benchmark password', id: 1 }, 'auth_ok');
    if (i === 0) await member.request({ type: 'create_group', group: `quiet${suffix}`, id: 2 }, 'group_created');
    await member.request({ type: 'join', group: `${GROUP}${suffix}`, id: 3 }, 'joined');
    await member.request({ type: 'join', group: `quiet${suffix}`, id: 4 }, 'joined');
  }
  return idle;
}

function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = () => (condition() || performance.now() > deadline ? resolve() : setTimeout(check, 10));
    check();
  });
}

const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);

export async function runE2e(target: E2eTarget, system: E2eSystem, options: E2eOptions): Promise<E2eResult> {
  const stats: DeliveryStats = { delivered: 0, duplicates: 0, outOfOrder: 0, latency: new LatencyHistogram(), measuring: false, windowDelivered: 0, closed: 0, errors: [] };
  const members = await joinAll(target, system.ports, options, stats);
  const idleStats: DeliveryStats = { ...stats, latency: new LatencyHistogram(), errors: [], activities: 0 };
  const idle = target === 'relay' ? [] : await idleElsewhere(system.ports, options, idleStats);
  const pids = system.pids();
  if (target !== 'relay') await joinQuietGroups(members, options);
  // In several groups, the busy one is not current: `say` names it.
  const named = (options.groupsPerMember ?? 1) > 1 ? { group: `${GROUP}${options.runId ?? ''}` } : {};
  const senders = members.slice(0, options.senders);
  const observer = members[members.length - 1]!;
  const sent = new Array<number>(senders.length).fill(0);
  let running = true;
  const say = (index: number) => {
    sent[index] = sent[index]! + 1;
    senders[index]!.send({ type: 'say', text: stampText(index, sent[index]!, options.bytes), ...named });
  };

  const cpuBefore = cpuOf(pids);
  const started = performance.now();
  let ticker: NodeJS.Timeout | undefined;
  if (options.mode === 'max') {
    // Each sender keeps `window` messages that the observer has not seen yet.
    observer.onDelivery = (sender) => {
      if (running && sender < senders.length) say(sender);
    };
    for (let index = 0; index < senders.length; index++) for (let k = 0; k < options.window; k++) say(index);
  } else {
    const perSender = options.rate / senders.length;
    ticker = setInterval(() => {
      const due = Math.floor(((performance.now() - started) / 1000) * perSender);
      for (let index = 0; index < senders.length; index++) while (sent[index]! < due) say(index);
    }, TICK_MS);
  }
  const progress = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    options.progress(`${target} ${options.mode}: ${elapsed.toFixed(0)} s, ${Math.round(stats.delivered / elapsed).toLocaleString('en')} deliveries/s`);
  }, 1000);

  await sleep(WARMUP_MS);
  stats.measuring = true;
  const windowStart = performance.now();
  await sleep(options.seconds * 1000);
  stats.measuring = false;
  const windowSeconds = (performance.now() - windowStart) / 1000;
  running = false;
  clearInterval(ticker);
  clearInterval(progress);

  const totalSent = sent.reduce((sum, count) => sum + count, 0);
  const expected = totalSent * (options.members - 1);
  await until(() => stats.delivered + stats.duplicates >= expected, DRAIN_MS);
  const serverCpu = cpuOf(pids) - cpuBefore;
  const peak = pids.reduce((sum, pid) => sum + memory(pid).peak, 0);
  for (const member of [...members, ...idle]) member.close();

  return {
    target,
    mode: options.mode,
    members: options.members,
    senders: options.senders,
    bytes: options.bytes,
    offeredPerSecond: options.mode === 'open' ? options.rate : undefined,
    sent: totalSent,
    deliveredPerSecond: stats.windowDelivered / windowSeconds,
    latencyMs: {
      p50: stats.latency.percentile(0.5), p90: stats.latency.percentile(0.9), p99: stats.latency.percentile(0.99), max: stats.latency.max,
    },
    lost: Math.max(0, expected - stats.delivered),
    duplicates: stats.duplicates,
    outOfOrder: stats.outOfOrder,
    closedMembers: stats.closed + idleStats.closed,
    errors: [...new Set([...stats.errors, ...idleStats.errors])],
    idleMembers: idle.length,
    activities: idleStats.activities ?? 0,
    serverCpuMicros: serverCpu,
    cpuMicrosPerDelivery: stats.delivered > 0 ? serverCpu / stats.delivered : 0,
    peakRssBytes: peak,
    groupsPerMember: target === 'relay' ? 1 : (options.groupsPerMember ?? 1),
  };
}
