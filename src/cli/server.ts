#!/usr/bin/env node
/**
 * `npm start` / `termsender-server`: the only server code that reads argv or
 * env or decides the exit status. Builds a ServerConfig and starts the server.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Options } from 'yargs';
import { hideBin } from './yargs.js';
import { defaultDevHosts, generateDevCertificates } from '../certs/dev-certs.js';
import { errorMessage } from '../protocol/errors.js';
import { DEFAULT_LIMITS, DEFAULT_PORT, MAX_FRAME_CEILING } from '../protocol/limits.js';
import { isValidName, NAME_RULE } from '../protocol/names.js';
import type { ServerConfig } from '../server/config.js';
import { parseCidrList } from '../server/ip-address.js';
import { createLogger, LOG_LEVELS } from '../observe/logger.js';
import { DEFAULT_RETENTION_INTERVAL_MS } from '../server/retention.js';
import { DEFAULT_SCRYPT_COST, type ScryptCost } from '../server/passwords.js';
import { parseHostPort, showHostPort } from '../server/http-endpoints.js';
import { METRICS_MAX_CONNECTIONS } from '../server/http-connections.js';
import { startServer } from '../server/server.js';
import { ExpiryWarnings } from '../server/certificate-expiry.js';
import { type CertificateFacts, type LoadedTls, loadTlsFiles, TlsFilesError, type TlsPaths } from '../server/tls-context.js';
import { sqliteBindingProblem } from '../store/sqlite-binding.js';
import { workerMetrics } from './cluster-metrics.js';
import { SERVER_NAME } from '../version.js';
import { exitWithUsageError, type RangeTable, strictCli, UsageError } from './common.js';
import { configDefaults } from './config-file.js';
import { openFileLimit, openFileWarning } from './open-files.js';
import { announceListening, isWorkerProcess, runPrimary } from './workers.js';
import { certificateOfFile, fingerprintLine, reloadedNotice, reloadTlsOnSighup } from './tls-reload.js';

const DEFAULT_CERT = 'certs/server.crt';
const DEFAULT_KEY = 'certs/server.key';

function parseScryptCost(value: string): ScryptCost {
  const parts = value.split(',').map((part) => Number(part.trim()));
  const [N, r, p] = parts;
  if (parts.length !== 3 || N === undefined || r === undefined || p === undefined || !parts.every(Number.isSafeInteger)
    || N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1) {
    throw new UsageError(`--scrypt-cost must be N,r,p with N a power of two (got '${value}')`);
  }
  return { N, r, p };
}

/** `--ip-limit-exempt`: the CIDR ranges of a comma-separated list, or none for `none`. */
function exemptRanges(value: string): string[] {
  try {
    return parseCidrList(value).length === 0 ? [] : value.split(',').map((range) => range.trim());
  } catch (error) {
    throw new UsageError(`--ip-limit-exempt: ${errorMessage(error)}`, { cause: error });
  }
}

/** `--admins a,b`: the names, each checked against the name rule. */
function adminNames(value: string | undefined): string[] {
  if (value === undefined) return [];
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!isValidName(name)) throw new UsageError(`--admins: '${name.slice(0, 64)}' is not a valid name (${NAME_RULE})`);
  }
  return names;
}

const SERVER_HELP = {
  name: 'termsender-server',
  summary: 'Runs the TermSender chat server.',
  details: 'TLS, with length-prefixed MessagePack frames (docs/protocol.md).',
  envExample: 'TERMSENDER_PORT=9000',
};

const SERVER_OPTIONS = {
  host: { type: 'string', default: '127.0.0.1', describe: 'address to listen on' },
  port: { type: 'number', default: DEFAULT_PORT, describe: 'port; 0 picks a free one' },
  cert: { type: 'string', default: DEFAULT_CERT, describe: 'server certificate, PEM' },
  key: { type: 'string', default: DEFAULT_KEY, describe: 'server private key, PEM' },
  'client-ca': { type: 'string', describe: 'require client certificates signed by this CA (mutual TLS)' },
  'tls-min': { type: 'string', choices: ['1.2', '1.3'] as const, default: '1.3' as const, describe: 'lowest TLS version' },
  data: { type: 'string', default: 'data/', describe: 'folder of the SQLite store; one server per folder' },
  sync: { type: 'string', choices: ['normal', 'full'] as const, default: 'normal' as const, describe: "SQLite commits: 'normal' survives a crash of the server, 'full' also a power loss (slower)" },
  redis: { type: 'string', describe: 'redis://host:port: run as one node of a cluster sharing accounts, groups and messages through Redis' },
  'member-ttl': { type: 'number', default: 15, describe: 'cluster mode: seconds after which a dead node\'s members disappear' },
  workers: { type: 'number', default: 1, describe: 'processes sharing the port; above 1 needs --redis' },
  'max-frame': { type: 'number', default: DEFAULT_LIMITS.maxFrame, describe: 'largest frame body accepted, bytes (small values leave no room for long texts)' },
  'max-connections': { type: 'number', default: DEFAULT_LIMITS.maxConnections, describe: 'connections beyond this get server_busy (each needs an open file: see ulimit -n)' },
  'query-rate': { type: 'number', default: DEFAULT_LIMITS.queryRate, describe: 'join/history/who/list_groups per second per connection, bursts of twice that; beyond it the connection is read more slowly (no error); 0 = off' },
  'rate-limit': { type: 'number', default: DEFAULT_LIMITS.rateLimit, describe: 'say/dm per second per connection, bursts of twice that; 0 = off' },
  'auth-timeout': { type: 'number', default: DEFAULT_LIMITS.authTimeoutMs / 1000, describe: 'seconds a connection may stay unauthenticated' },
  'idle-timeout': { type: 'number', default: DEFAULT_LIMITS.idleTimeoutMs / 1000, describe: 'seconds without a frame before a client is closed' },
  'handshake-timeout': { type: 'number', default: DEFAULT_LIMITS.handshakeTimeoutMs / 1000, describe: 'seconds a connection may take to finish its TLS handshake' },
  'handshakes-per-turn': { type: 'number', default: DEFAULT_LIMITS.handshakesPerTurn, hidden: true, describe: 'TLS handshakes started per event-loop turn at most (0: unpaced)' },
  'max-groups': { type: 'number', default: DEFAULT_LIMITS.maxGroups, describe: 'groups the server holds; creating more gets limit_reached' },
  'create-rate': { type: 'number', default: DEFAULT_LIMITS.createRatePerHour, describe: 'groups one account may create per hour (all at once at most); counted per node, in memory; 0 = off' },
  'max-groups-per-user': { type: 'number', default: DEFAULT_LIMITS.maxGroupsPerUser, describe: 'groups one account may own; creating more gets limit_reached' },
  'presence-max-members': { type: 'number', default: DEFAULT_LIMITS.presenceMaxMembers, describe: 'groups with more members than this get no join/leave presence (clients use who)' },
  'max-open-groups': { type: 'number', default: DEFAULT_LIMITS.maxOpenGroups, describe: 'groups one connection may be in at once (join with keep); more get limit_reached' },
  'max-output': { type: 'number', default: DEFAULT_LIMITS.maxPendingOutput, describe: 'unsent bytes to one client before it is cut off as a slow consumer' },
  'max-per-ip': { type: 'number', default: DEFAULT_LIMITS.maxPerIp, describe: 'connections at once from one address (an IPv6 /64 counts as one); more get server_busy' },
  'ip-limit-exempt': { type: 'string', default: DEFAULT_LIMITS.ipLimitExempt.join(','), describe: "addresses (CIDR list, or 'none') that --max-per-ip and --register-rate do not apply to" },
  'register-rate': { type: 'number', default: DEFAULT_LIMITS.registerRate, describe: 'accounts one address may create per 10 minutes; more get rate_limited; 0 = no limit' },
  admins: { type: 'string', describe: 'comma-separated account names given the admin role at start (accounts that exist)' },
  'retention-days': { type: 'number', default: 0, describe: 'delete messages older than this many days, in the background; 0 = keep forever' },
  'retention-messages': { type: 'number', default: 0, describe: 'keep at most this many messages per group (the newest), deleting older ones in the background; 0 = no limit' },
  'retention-interval': { type: 'number', default: DEFAULT_RETENTION_INTERVAL_MS / 1000, hidden: true, describe: 'seconds between retention passes' },
  registration: { type: 'string', choices: ['open', 'closed'] as const, default: 'open' as const, describe: 'whether new accounts may register' },
  config: { type: 'string', describe: 'JSON file of flag defaults (keys: flag names without --); flags and variables win over it' },
  metrics: { type: 'string', describe: 'HOST:PORT: serve GET /metrics (Prometheus) and GET /healthz over plain HTTP there; keep it on a private interface' },
  'log-level': { type: 'string', choices: LOG_LEVELS, default: 'info' as const, describe: 'log detail, on stderr' },
  'log-format': { type: 'string', choices: ['json', 'text', 'auto'] as const, default: 'auto' as const, describe: 'log lines as JSON or as text; auto: text when stderr is a terminal' },
  'scrypt-cost': {
    type: 'string', default: `${DEFAULT_SCRYPT_COST.N},${DEFAULT_SCRYPT_COST.r},${DEFAULT_SCRYPT_COST.p}`,
    describe: 'password hashing cost N,r,p; lower only for tests',
  },
} satisfies Record<string, Options>;

/** Longest timer Node keeps (setTimeout clamps longer ones to 1 ms), in seconds. */
const MAX_TIMER_SECONDS = Math.floor(0x7fff_ffff / 1000);
const PER_SECOND = { min: 0, max: 1_000_000, unit: 'per second', note: '0 turns it off' };
const TIMEOUT = { min: 1, max: MAX_TIMER_SECONDS, unit: 'seconds' };

/** What each numeric flag accepts: values outside cannot work at all. */
const SERVER_RANGES: RangeTable<typeof SERVER_OPTIONS> = {
  port: { min: 0, max: 65_535, integer: true, note: '0 picks a free one' },
  'member-ttl': TIMEOUT,
  workers: { min: 1, max: 256, integer: true },
  // Below 1 KiB a login or a group list does not fit; texts near MAX_TEXT_BYTES need about 4.2 KiB.
  'max-frame': { min: 1024, max: MAX_FRAME_CEILING, integer: true, unit: 'bytes' },
  'max-connections': { min: 1, max: 10_000_000, integer: true },
  'query-rate': PER_SECOND,
  'rate-limit': PER_SECOND,
  'auth-timeout': TIMEOUT,
  'idle-timeout': TIMEOUT,
  'handshake-timeout': TIMEOUT,
  'handshakes-per-turn': { min: 0, max: 10_000, integer: true, note: '0 turns pacing off' },
  'max-groups': { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true },
  'max-output': { min: 1024, max: Number.MAX_SAFE_INTEGER, integer: true, unit: 'bytes' },
  'create-rate': { min: 0, max: 1_000_000, integer: true, unit: 'per hour', note: '0 turns it off' },
  'max-groups-per-user': { min: 1, max: 1_000_000, integer: true },
  'presence-max-members': { min: 1, max: 1_000_000, integer: true },
  'max-open-groups': { min: 1, max: 1_000_000, integer: true },
  'max-per-ip': { min: 1, max: 10_000_000, integer: true },
  'register-rate': { min: 0, max: 1_000_000, integer: true, unit: 'per 10 minutes', note: '0 turns it off' },
  'retention-days': { min: 0, max: 36_500, integer: true, unit: 'days', note: '0 keeps forever' },
  'retention-messages': { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, unit: 'messages per group', note: '0 = no limit' },
  'retention-interval': { min: 0.1, max: MAX_TIMER_SECONDS, unit: 'seconds' },
};

/** The TLS files at start: a file that cannot be used is a usage error. */
function startingTls(paths: TlsPaths): LoadedTls {
  try {
    return loadTlsFiles(paths);
  } catch (error) {
    throw error instanceof TlsFilesError ? new UsageError(error.message, { cause: error }) : error;
  }
}

async function main(): Promise<void> {
  const commandLine = hideBin(process.argv);
  const base = configDefaults(SERVER_HELP.name, commandLine, process.env, SERVER_OPTIONS, SERVER_RANGES);
  const argv = await strictCli(commandLine, SERVER_HELP, SERVER_OPTIONS, SERVER_RANGES, process.env, base)
    .check((args) => {
      parseScryptCost(args['scrypt-cost']);
      if (args.workers > 1 && args.redis === undefined) throw new UsageError('--workers above 1 needs --redis (the workers share everything through it)');
      if (args.redis !== undefined && !/^redis:\/\/[^\s/:]+(:\d{1,5})?\/?$/.test(args.redis)) throw new UsageError('--redis must look like redis://host:port');
      exemptRanges(args['ip-limit-exempt']);
      adminNames(args.admins);
      if (args.metrics !== undefined && parseHostPort(args.metrics) === undefined) throw new UsageError('--metrics must look like HOST:PORT (e.g. 127.0.0.1:9464)');
      return true;
    })
    .version(SERVER_NAME)
    .parseAsync();
  const logFormat = argv['log-format'] === 'auto' ? (process.stderr.isTTY ? 'text' : 'json') : argv['log-format'];
  const logger = createLogger(argv['log-level'], undefined, logFormat);
  logger.debug('settings', Object.fromEntries(Object.keys(SERVER_OPTIONS).map((flag) => [flag, String(argv[flag])])));
  if (!isWorkerProcess()) {
    const warning = openFileWarning(argv['max-connections'], openFileLimit(), argv.metrics === undefined ? 0 : METRICS_MAX_CONNECTIONS);
    if (warning !== undefined) logger.warn(warning);
  }

  const bindingProblem = argv.redis === undefined ? sqliteBindingProblem() : undefined;
  if (bindingProblem !== undefined) throw new Error(bindingProblem);

  const usingDefaults = argv.cert === DEFAULT_CERT && argv.key === DEFAULT_KEY;
  if (usingDefaults && !existsSync(argv.cert) && !existsSync(argv.key) && !isWorkerProcess()) {
    const outDir = path.dirname(DEFAULT_CERT);
    const result = await generateDevCertificates({ outDir, hosts: defaultDevHosts, days: 365, force: false });
    process.stdout.write(`generated development certificates in ${outDir}/ (clients trust ${outDir}/ca.crt; server fingerprint ${result.fingerprint})\n`);
  }

  const tlsPaths: TlsPaths = { cert: argv.cert, key: argv.key, clientCa: argv['client-ca'] };
  // The primary of --workers, or a server alone, warns of a certificate near its end; workers report their reloads to it.
  const expiry = new ExpiryWarnings(logger);
  const announceCertificate = (certificate: CertificateFacts): void => {
    process.stdout.write(`${fingerprintLine(certificate)}\n`);
    expiry.watch(certificate);
  };
  if (argv.workers > 1 && !isWorkerProcess()) {
    const metricsAddress = argv.metrics === undefined ? undefined : parseHostPort(argv.metrics);
    const metrics = metricsAddress === undefined || argv.redis === undefined ? undefined : { address: metricsAddress, redisUrl: argv.redis };
    const certificate = certificateOfFile(argv.cert);
    if (certificate !== undefined) expiry.watch(certificate);
    process.exitCode = await runPrimary(argv.workers, argv.host, argv.port, logger, certificate === undefined ? [] : [fingerprintLine(certificate)], metrics, announceCertificate);
    return;
  }

  const tlsAtStart = startingTls(tlsPaths);

  const config: ServerConfig = {
    host: argv.host,
    port: argv.port,
    tls: tlsAtStart.files,
    tlsMinVersion: argv['tls-min'] === '1.2' ? 'TLSv1.2' : 'TLSv1.3',
    dataDir: argv.data,
    sync: argv.sync,
    registration: argv.registration,
    limits: {
      ...DEFAULT_LIMITS,
      maxFrame: argv['max-frame'],
      maxConnections: argv['max-connections'],
      rateLimit: argv['rate-limit'],
      queryRate: argv['query-rate'],
      authTimeoutMs: argv['auth-timeout'] * 1000,
      idleTimeoutMs: argv['idle-timeout'] * 1000,
      handshakeTimeoutMs: argv['handshake-timeout'] * 1000,
      handshakesPerTurn: argv['handshakes-per-turn'],
      maxPendingOutput: argv['max-output'],
      maxGroups: argv['max-groups'],
      maxPerIp: argv['max-per-ip'],
      ipLimitExempt: exemptRanges(argv['ip-limit-exempt']),
      registerRate: argv['register-rate'],
      createRatePerHour: argv['create-rate'],
      maxGroupsPerUser: argv['max-groups-per-user'],
      presenceMaxMembers: argv['presence-max-members'],
      maxOpenGroups: argv['max-open-groups'],
    },
    scryptCost: parseScryptCost(argv['scrypt-cost']),
    logLevel: argv['log-level'],
    logFormat,
    serverName: SERVER_NAME,
    admins: adminNames(argv.admins),
    retention: { days: argv['retention-days'], messages: argv['retention-messages'], intervalMs: argv['retention-interval'] * 1000 },
    redis: argv.redis === undefined ? undefined : { url: argv.redis, memberTtlMs: argv['member-ttl'] * 1000 },
    // A worker's metrics are served by its primary.
    metrics: argv.metrics === undefined || isWorkerProcess() ? undefined : parseHostPort(argv.metrics),
    processes: argv.workers,
  };

  const onStoreLost = (): void => {
    process.exitCode = 1;
    process.exit();
  };
  const server = await startServer(config, { logger, onStoreLost, ...(argv.metrics !== undefined && isWorkerProcess() ? { metrics: workerMetrics() } : {}) });
  const stop = (signal: NodeJS.Signals): void => {
    logger.info('shutting down', { signal });
    server.close().then(
      () => { process.exitCode = 0; },
      (error: unknown) => {
        logger.error('shutdown failed', {}, error);
        process.exitCode = 1;
      },
    ).finally(() => process.exit());
  };
  // Before 'listening on': a signal sent as soon as that line is read must find the handler (without one, it kills outright).
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  reloadTlsOnSighup(server, tlsPaths, logger, isWorkerProcess() ? (certificate) => process.send?.(reloadedNotice(certificate)) : announceCertificate);
  const shown = server.address.host.includes(':') ? `[${server.address.host}]` : server.address.host;
  announceListening(`listening on ${shown}:${server.address.port}`);
  if (server.metricsAddress !== undefined) process.stdout.write(`metrics on ${showHostPort(server.metricsAddress)}\n`);
  if (!isWorkerProcess()) announceCertificate(tlsAtStart.certificate);
}

main().catch((error: unknown) => {
  // A value found unusable after parsing (a certificate file that does not load): a usage error too.
  // A worker's (--workers) reason only: the primary's line follows it, and --help is the primary's to point at.
  if (error instanceof UsageError && !isWorkerProcess()) exitWithUsageError(SERVER_HELP.name, error.message);
  process.stderr.write(`termsender-server: ${errorMessage(error)}\n`);
  // A start that failed may leave handles open (a Redis client retrying, a worker's channel to its primary).
  process.exit(1);
});
