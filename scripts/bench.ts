#!/usr/bin/env node
/** `npm run bench`: framing throughput (and, later, end-to-end delivery). */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hideBin } from '../src/cli/yargs.js';
import { generateDevCertificates } from '../src/certs/dev-certs.js';
import { strictCli, UsageError } from '../src/cli/common.js';
import { errorMessage } from '../src/protocol/errors.js';
import { type E2eOptions, type E2eResult, type E2eTarget, runE2e } from './bench/e2e.js';
import { runConnections } from './bench/connections.js';
import { runStorm } from './bench/storm.js';
import { keepStormTable, runKeepStorm } from './bench/keep-storm.js';
import { reconnectStormPart, reconnectStormTable } from './bench/reconnect-part.js';
import { runRetention } from './bench/retention.js';
import { type MembershipFigures, runMemberships } from './bench/memberships.js';
import { runDmFlood } from './bench/dm-flood.js';
import { type FramingCase, runFramingBench } from './bench/framing.js';
import { type Child, startChild, startRedis } from './bench/processes.js';
import { type SweepPoint, sweepChart } from './bench/svg.js';
import { count, fixed, table } from './bench/report.js';

/** Connections of the in-process memory-per-membership measurement. */
const MEMBERSHIP_CONNECTIONS = 500;

function framingTable(cases: FramingCase[]): string {
  const rows: string[][] = [];
  for (const result of cases) {
    for (const direction of ['encode', 'decode'] as const) {
      const figures = result[direction];
      for (const variant of ['codec', 'bare', 'json'] as const) {
        rows.push([`${result.name} ${direction}`, variant, count(figures[variant].opsPerSecond), fixed(figures[variant].mbPerSecond),
          variant === 'codec' ? fixed(figures.ratio, 2) : '']);
      }
    }
  }
  return table(['case', 'impl', 'msgs/s', 'MB/s', 'codec/bare'], rows);
}

function e2eTable(results: E2eResult[]): string {
  return table(
    ['target', 'mode', 'offered/s', 'delivered/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'lost', 'dup', 'cpu µs/deliv', 'peak RSS MB'],
    results.map((r) => [r.groupsPerMember > 1 ? `${r.target}, ${r.groupsPerMember} groups each` : r.target, r.mode, r.offeredPerSecond === undefined ? '-' : count(r.offeredPerSecond), count(r.deliveredPerSecond),
      fixed(r.latencyMs.p50, 2), fixed(r.latencyMs.p90, 2), fixed(r.latencyMs.p99, 2), fixed(r.latencyMs.max, 1),
      String(r.lost + (r.closedMembers > 0 ? ` (${r.closedMembers} cut: ${r.errors.join(',')})` : '')), String(r.duplicates), fixed(r.cpuMicrosPerDelivery, 2), fixed(r.peakRssBytes / 1e6, 0)]),
  );
}

/**
 * Starts a fresh system (server, relay, two cluster nodes, or one node with
 * two workers), runs one measurement against it, stops it.
 */
/** Extra server flags of every run (`--metrics`: the servers serve /metrics, to measure what counting costs). */
let extraServerArgs: string[] = [];
/** The server under test (`--server-dist`: another build's, e.g. a baseline worktree's, under the same workload). */
let serverScript = 'src/cli/server.js';

async function measureOnce(target: E2eTarget, certDir: string, options: E2eOptions, profileDir?: string, redisUrl?: string): Promise<E2eResult> {
  const files = ['--cert', path.join(certDir, 'server.crt'), '--key', path.join(certDir, 'server.key')];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'termsender-bench-data-'));
  // Cheap password hashing here only, so that signing in 32 members is quick; the
  // connections part measures logins with the default cost.
  const serverArgs = ['--port', '0', ...files, '--data', dataDir, '--rate-limit', '0', '--log-level', 'warn', '--scrypt-cost', '1024,8,1', ...extraServerArgs];
  // Member 0 creates the quiet groups of a run with several groups per member.
  if ((options.groupsPerMember ?? 1) > 1) serverArgs.push('--create-rate', '0');
  const clusterArgs = redisUrl === undefined ? [] : ['--redis', redisUrl];
  const children: Child[] = [];
  try {
    if (target === 'relay') children.push(await startChild('scripts/bench/relay.js', ['--port', '0', ...files], profileDir));
    else if (target === 'server') children.push(await startChild(serverScript, serverArgs, profileDir));
    else if (target === 'cluster') for (let i = 0; i < 2; i++) children.push(await startChild(serverScript, [...serverArgs, ...clusterArgs], profileDir));
    else children.push(await startChild(serverScript, [...serverArgs, ...clusterArgs, '--workers', '2'], profileDir));
    const pids = () => children.flatMap((child) => (target === 'workers' ? childPids(child.process.pid!) : [child.process.pid!]));
    return await runE2e(target, { pids, ports: children.map((child) => child.port) }, { ...options, runId: randomBytes(3).toString('hex') });
  } finally {
    for (const child of children) await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs `part` with fresh certificates (their folder and CA) and a fresh data folder, removed after. */
async function withCertsAndData<T>(part: (certDir: string, ca: string, dataDir: string) => Promise<T>): Promise<T> {
  const certDir = mkdtempSync(path.join(os.tmpdir(), 'termsender-bench-certs-'));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'termsender-bench-data-'));
  try {
    await generateDevCertificates({ outDir: certDir, hosts: ['localhost', '127.0.0.1'], days: 1, force: true });
    return await part(certDir, readFileSync(path.join(certDir, 'ca.crt'), 'utf8'), dataDir);
  } finally {
    rmSync(certDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function childPids(pid: number): number[] {
  return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
}

async function main(): Promise<void> {
  const argv = await strictCli(hideBin(process.argv), {
    name: 'bench',
    summary: 'Measures framing and end-to-end delivery.',
    details: 'Framing: this codec against bare @msgpack/msgpack (the ceiling) and\nnewline-delimited JSON. End to end: a real server against a bare TLS relay.',
    envExample: 'TERMSENDER_MEMBERS',
  }, {
    json: { type: 'boolean', default: false, describe: 'print one JSON object instead of tables' },
    'duration-ms': { type: 'number', default: 1500, describe: 'time per measurement, split into rounds' },
    rounds: { type: 'number', default: 9, describe: 'rounds per measurement, implementations in turns; the median is reported' },
    'chunk-bytes': { type: 'number', default: 16_384, describe: 'read size used to cut decode streams' },
    only: { type: 'string', choices: ['framing', 'e2e', 'connections', 'storm', 'keep', 'reconnect', 'retention', 'dm-flood'] as const, describe: 'run one part only (storm, keep, reconnect, retention and dm-flood run only when asked)' },
    'dm-flood-seconds': { type: 'number', default: 5, describe: 'dm-flood: seconds per phase (idle, window, rate-limited)' },
    'keep-members': { type: 'number', default: 980, describe: 'keep: members already in groups, each in --keep-per-member of them (980 × 50 / 100: 490 per group, under --presence-max-members)' },
    'keep-per-member': { type: 'number', default: 50, describe: 'keep: groups each member is in (of --max-open-groups groups)' },
    'max-open-groups': { type: 'number', default: 100, describe: 'keep: the groups one client joins with keep at once, then leaves by closing' },
    'reconnect-members': { type: 'number', default: 2000, describe: 'reconnect: members of one group that a server restart drops and that all come back' },
    'reconnect-scrypt-cost': { type: 'string', default: 'default', describe: "reconnect: the server's and the accounts' scrypt cost, N,r,p (or 'default')" },
    'reconnect-first-retry-max-ms': { type: 'number', describe: "reconnect, spread: the first retry's longest delay (default: the client's, 5000)" },
    'reconnect-handshakes-per-turn': { type: 'number', describe: "reconnect: the server's TLS handshakes per event-loop turn (its hidden --handshakes-per-turn; 0: unpaced)" },
    'reconnect-sign-in': { type: 'string', choices: ['token', 'password'] as const, default: 'token' as const, describe: "reconnect: members sign in again with their resume token (this client; the password when it is refused) or with the password only (clients before tokens)" },
    'reconnect-first-retry': { type: 'string', choices: ['spread', 'backoff'] as const, default: 'spread' as const, describe: "reconnect: the members' first retry after the drop: spread over seconds (this client) or within 0.5 s (clients before it)" },
    'retention-stored': { type: 'number', default: 1_000_000, describe: 'retention: messages stored before the server starts pruning 90% of them' },
    'storm-members': { type: 'number', default: 5000, describe: 'storm: members of the one group that all join, then all leave, at once' },
    'storm-name-length': { type: 'number', default: 30, describe: "storm: characters in each member's name (1..32; long names are the attacker's choice)" },
    connections: { type: 'number', default: 5000, describe: 'connections part: idle connections to open (K)' },
    logins: { type: 'number', default: 20, describe: 'connections part: concurrent logins timed with the default password hashing' },
    members: { type: 'number', default: 32, describe: 'e2e: members in the group (N)' },
    senders: { type: 'number', default: 4, describe: 'e2e: members that send (S)' },
    bytes: { type: 'number', default: 100, describe: 'e2e: bytes per message text (B)' },
    seconds: { type: 'number', default: 5, describe: 'e2e: seconds measured per run (T), after a 0.5 s warm-up' },
    mode: { type: 'string', choices: ['max', 'open', 'both'] as const, default: 'both' as const, describe: 'e2e: max (bounded in-flight window), open (fixed offered rate), or both' },
    rate: { type: 'number', describe: 'e2e open loop: offered messages/s, all senders together (default: half the server\'s max rate)' },
    window: { type: 'number', default: 32, describe: 'e2e max mode: messages per sender in flight' },
    redis: { type: 'string', describe: "e2e: also run 2 cluster nodes and 1 node with 2 workers on this Redis (redis://host:port, or 'auto' to start a temporary redis-server)" },
    svg: { type: 'string', describe: 'e2e: sweep the offered rate and write a chart of delivered rate and latency to this SVG file' },
    profile: { type: 'string', describe: 'e2e: write CPU profiles of the server and relay (node --cpu-prof) into this folder' },
    metrics: { type: 'boolean', default: false, describe: 'e2e: start the servers with --metrics 127.0.0.1:0 (to compare the cost of counting)' },
    'groups-per-member': { type: 'number', default: 1, describe: 'e2e max mode: also run the server with each member in this many groups (the busy one not current), for fan-out per delivery and memory per membership' },
    'idle-members': { type: 'number', default: 0, describe: 'e2e: extra members that joined the group before and sit in another group (what activity costs)' },
    'server-dist': { type: 'string', describe: "e2e, storm: run the server of another build's dist folder (e.g. a baseline worktree) under this workload" },
  }, {})
    .check((args) => {
      if (!Number.isInteger(args['storm-name-length']) || args['storm-name-length'] < 1 || args['storm-name-length'] > 32) throw new UsageError('--storm-name-length must be 1..32');
      if (args.senders > args.members - 1) throw new UsageError('--senders must leave at least one member that only listens');
      if (args.bytes < 32 || args.bytes > 4096) throw new UsageError('--bytes must be 32..4096 (the text carries a timestamp)');
      if (!Number.isInteger(args['groups-per-member']) || args['groups-per-member'] < 1 || args['groups-per-member'] > 100) throw new UsageError('--groups-per-member must be a whole number, 1..100');
      if (!Number.isInteger(args['idle-members']) || args['idle-members'] < 0) throw new UsageError('--idle-members must be a whole number, 0 or more');
      for (const flag of ['dm-flood-seconds', 'keep-members', 'keep-per-member', 'max-open-groups', 'retention-stored', 'storm-members', 'reconnect-members', 'duration-ms', 'rounds', 'chunk-bytes', 'members', 'senders', 'seconds', 'window', 'connections', 'logins'] as const) {
        if (!Number.isFinite(args[flag]) || args[flag] <= 0) throw new UsageError(`--${flag} must be a positive number`);
      }
      return true;
    })
    .version(false)
    .parseAsync();

  if (argv.metrics) extraServerArgs = ['--metrics', '127.0.0.1:0'];
  if (argv['server-dist'] !== undefined) serverScript = path.resolve(argv['server-dist'], 'src/cli/server.js');
  const machine = { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length };
  const say = (line: string) => { if (!argv.json) process.stderr.write(`${line}\n`); };
  say(`benchmark on ${machine.cpu} (${machine.cores} cores), node ${machine.node}`);
  const report: Record<string, unknown> = { machine };
  let text = '';

  if (argv.only === 'storm') {
    report['storm'] = await withCertsAndData((certDir, ca, dataDir) => runStorm(certDir, ca, { members: argv['storm-members'], nameLength: argv['storm-name-length'], serverScript }, dataDir, (line) => say(`  ${line}`)));
    const storm = report['storm'] as Awaited<ReturnType<typeof runStorm>>;
    text += `\nJoin/leave storm (${storm.members} members of one group at once, ${storm.nameLength}-character names; burst: one member sends 400 join since 0 on 1,000 texts of 4 KB; bystander pings every 10 ms)\n${table(['phase', 'wall s', 'server CPU s', 'presence frames', 'bystander worst ping ms'],
      (['join', 'leave', 'burst'] as const).map((name) => [name, fixed(storm[name].wallSeconds, 2), fixed(storm[name].cpuSeconds, 2), count(storm[name].presenceFrames), fixed(storm[name].bystanderWorstPingMs, 1)]))}\n`;
  }

  if (argv.only === 'keep') {
    const keep = await withCertsAndData((certDir, ca, dataDir) => runKeepStorm(certDir, ca, {
      members: argv['keep-members'], groups: argv['max-open-groups'], perMember: argv['keep-per-member'], serverScript,
    }, dataDir, (line) => say(`  ${line}`)));
    report['keep'] = keep;
    text += keepStormTable(keep);
  }

  if (argv.only === 'reconnect') {
    const figures = await reconnectStormPart({
      members: argv['reconnect-members'], scryptCost: argv['reconnect-scrypt-cost'], firstRetry: argv['reconnect-first-retry'], firstRetryMaxMs: argv['reconnect-first-retry-max-ms'], nameLength: argv['storm-name-length'], serverScript, signIn: argv['reconnect-sign-in'], handshakesPerTurn: argv['reconnect-handshakes-per-turn'],
    }, say);
    report['reconnect'] = figures;
    text += reconnectStormTable(figures, argv['reconnect-scrypt-cost'], argv['reconnect-first-retry'], argv['reconnect-sign-in']);
  }

  if (argv.only === 'retention') {
    const certDir = mkdtempSync(path.join(os.tmpdir(), 'termsender-bench-certs-'));
    try {
      await generateDevCertificates({ outDir: certDir, hosts: ['localhost', '127.0.0.1'], days: 1, force: true });
      const figures = await runRetention(certDir, readFileSync(path.join(certDir, 'ca.crt'), 'utf8'), argv['retention-stored'], (line) => say(`  ${line}`));
      report['retention'] = figures;
      text += `\nRetention (${count(figures.stored)} messages in ${figures.groups} groups, filled in ${fixed(figures.fillSeconds)} s; one pass of --retention-days 7 deleted ${count(figures.pruned)} in ${figures.batches} batches (longest ${fixed(figures.longestBatchMs)} ms), ${fixed(figures.passSeconds)} s, where one DELETE of the same rows takes ${fixed(figures.oneDeleteSeconds, 2)} s; one client says every 5 ms, one at a time)\n${table(['say -> ack', 'samples', 'p50 ms', 'p99 ms', 'max ms'],
        ([['without pruning', figures.baseline], ['while pruning', figures.pruning]] as const).map(([name, l]) => [name, String(l.samples), fixed(l.p50, 2), fixed(l.p99, 2), fixed(l.max, 1)]))}\n`;
    } finally {
      rmSync(certDir, { recursive: true, force: true });
    }
  }

  if (argv.only === 'dm-flood') {
    const figures = await withCertsAndData((certDir, ca, dataDir) => runDmFlood(certDir, ca, dataDir, argv['dm-flood-seconds'], serverScript, (line) => say(`  ${line}`)));
    report['dmFlood'] = figures;
    text += `\nDirect-message flood (one client floods one account signed in twice, ${figures.seconds} s per phase; window: --rate-limit 0, 32 dms in flight; rate-limited: --rate-limit 20, 1,000/s offered; a bystander pings every 10 ms)\n${table(
      ['phase', 'dms stored/s', 'dm frames/s to the victim', 'server CPU s', 'bystander ping p50 ms', 'p99 ms', 'max ms'],
      figures.phases.map((p) => [p.name, count(p.storedPerSecond), count(p.deliveredPerSecond), fixed(p.serverCpuSeconds, 2), fixed(p.bystander.p50, 2), fixed(p.bystander.p99, 2), fixed(p.bystander.max, 1)]))}\n`;
  }

  if (argv.only !== 'e2e' && argv.only !== 'storm' && argv.only !== 'keep' && argv.only !== 'reconnect' && argv.only !== 'retention' && argv.only !== 'dm-flood') {
    say('framing...');
    const framing = runFramingBench({ durationMs: argv['duration-ms'], rounds: argv.rounds, chunkBytes: argv['chunk-bytes'] });
    report['framing'] = framing;
    text += `\nFraming (${argv['chunk-bytes']}-byte reads; implementations in turns, median of ${argv.rounds} rounds; codec/bare is the median of same-round ratios)\n${framingTable(framing)}\n`;
  }

  if (argv.only === undefined || argv.only === 'e2e' || argv.only === 'connections') {
    const certDir = mkdtempSync(path.join(os.tmpdir(), 'termsender-bench-certs-'));
    try {
      await generateDevCertificates({ outDir: certDir, hosts: ['localhost', '127.0.0.1'], days: 1, force: true });
      const base: E2eOptions = {
        members: argv.members, senders: argv.senders, bytes: argv.bytes, seconds: argv.seconds, mode: 'max', rate: 0,
        window: argv.window, ca: readFileSync(path.join(certDir, 'ca.crt'), 'utf8'), progress: (line) => say(`  ${line}`),
        idleMembers: argv['idle-members'],
      };
      if (argv.only !== 'e2e') {
        say(`connections: ${argv.connections} idle connections to a bare TLS server, then to the server...`);
        const dataDir = mkdtempSync(path.join(os.tmpdir(), 'termsender-bench-conn-'));
        try {
          const figures = await runConnections(certDir, base.ca, argv.connections, argv.logins, dataDir);
          report['connections'] = figures;
          text += `\nIdle connections (${argv.connections}, TLS 1.3, welcome received)\n${table(['target', 'accept s', 'conn/s', 'RSS/conn KB'],
            [figures.bare, figures.server].map((f) => [f.target, fixed(f.acceptSeconds, 2), count(f.connections / f.acceptSeconds), fixed(f.rssPerConnectionBytes / 1024, 1)]))}\n`;
          text += `server/bare RSS per connection: ${fixed(figures.ratio, 2)}\nlogins/s with the default scrypt cost (${figures.logins} at once): ${fixed(figures.loginsPerSecond, 1)}\n`;
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
          rmSync(`${dataDir}-logins`, { recursive: true, force: true });
        }
      }
      const results: E2eResult[] = [];
      let serverMax: E2eResult | undefined;
      if (argv.only !== 'connections' && argv.mode !== 'open') {
        say('end-to-end, max mode: relay, then server...');
        const relay = await measureOnce('relay', certDir, base, argv.profile);
        serverMax = await measureOnce('server', certDir, base, argv.profile);
        results.push(relay, serverMax);
        report['relayRatio'] = serverMax.deliveredPerSecond / relay.deliveredPerSecond;
        if (argv['groups-per-member'] > 1) {
          say(`end-to-end, max mode: server, each member in ${argv['groups-per-member']} groups...`);
          results.push(await measureOnce('server', certDir, { ...base, groupsPerMember: argv['groups-per-member'] }));
          report['memberships'] = await runMemberships(MEMBERSHIP_CONNECTIONS, argv['groups-per-member']);
        }
      }
      if (argv.only !== 'connections' && argv.redis !== undefined && serverMax !== undefined) {
        const redis = argv.redis === 'auto' ? await startRedis() : undefined;
        try {
          const url = redis?.url ?? argv.redis;
          say(`end-to-end, max mode, cluster on ${url}: 2 nodes, then 1 node with 2 workers...`);
          const cluster = await measureOnce('cluster', certDir, base, undefined, url);
          const workers = await measureOnce('workers', certDir, base, undefined, url);
          results.push(cluster, workers);
          report['clusterRatio'] = cluster.deliveredPerSecond / serverMax.deliveredPerSecond;
          report['workersRatio'] = workers.deliveredPerSecond / serverMax.deliveredPerSecond;
        } finally {
          await redis?.stop();
        }
      }
      if (argv.only !== 'connections' && argv.mode !== 'max') {
        const deliveriesPerMessage = argv.members - 1;
        const rate = argv.rate ?? (serverMax ? serverMax.deliveredPerSecond / deliveriesPerMessage / 2 : 1000);
        say(`end-to-end, open loop at ${Math.round(rate)} messages/s...`);
        // Profiled only when max mode did not run (one profile per server start would mix them up otherwise).
        results.push(await measureOnce('server', certDir, { ...base, mode: 'open', rate }, serverMax === undefined ? argv.profile : undefined));
      }
      if (argv.svg !== undefined && serverMax !== undefined && results[0] !== undefined) {
        const maxMessages = serverMax.deliveredPerSecond / (argv.members - 1);
        const points: SweepPoint[] = [];
        for (const fraction of [0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.2]) {
          say(`sweep: offering ${Math.round(fraction * 100)}% of the max rate...`);
          const run = await measureOnce('server', certDir, { ...base, mode: 'open', rate: fraction * maxMessages, seconds: Math.min(argv.seconds, 3) });
          points.push({ offered: fraction * maxMessages * (argv.members - 1), delivered: run.deliveredPerSecond, p50: run.latencyMs.p50, p99: run.latencyMs.p99 });
        }
        writeFileSync(argv.svg, sweepChart(points, results[0].deliveredPerSecond,
          `TermSender: ${argv.members} members, ${argv.senders} senders, ${argv.bytes}-byte texts (${machine.cores} cores, node ${machine.node})`));
        report['sweep'] = points;
      }
      if (results.length > 0) report['e2e'] = results;
      if (results.length > 0) text += `\nEnd to end (${argv.members} members, ${argv.senders} senders, ${argv.bytes}-byte texts, ${argv.seconds} s; server: durable SQLite; cluster and workers: Redis${argv.metrics ? '; servers with --metrics' : ''})\n${e2eTable(results)}\n`;
      const activities = results.filter((r) => r.idleMembers > 0).map((r) => `${r.target} ${r.mode}: ${count(r.activities)}`);
      if (activities.length > 0) text += `${argv['idle-members']} idle members elsewhere; activity messages they received: ${activities.join(', ')}\n`;
      const memberships = report['memberships'] as MembershipFigures | undefined;
      if (memberships !== undefined) text += `memory per membership (in process, ${count(memberships.connections)} connections each joining ${memberships.groupsPerMember - 1} more groups with keep): ${fixed(memberships.heapBytesPerMembership, 0)} bytes of heap\n`;
      if (typeof report['relayRatio'] === 'number') text += `server/relay delivered ratio: ${fixed(report['relayRatio'], 2)}\n`;
      if (typeof report['clusterRatio'] === 'number' && typeof report['workersRatio'] === 'number') {
        text += `cluster (2 nodes) / single node: ${fixed(report['clusterRatio'], 2)}; 2 workers / single node: ${fixed(report['workersRatio'], 2)}\n`;
      }
      if (report['sweep'] !== undefined) text += `sweep chart written to ${argv.svg}\n`;
    } finally {
      rmSync(certDir, { recursive: true, force: true });
    }
  }
  process.stdout.write(argv.json ? `${JSON.stringify(report)}\n` : text);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${errorMessage(error)}\n`);
  process.exitCode = 1;
});
