#!/usr/bin/env node
/**
 * `npm start` / `termsender-server`: the only server code that reads argv or
 * env or decides the exit status. Builds a ServerConfig and starts the server.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { hideBin, yargs } from './yargs.js';
import { defaultDevHosts, generateDevCertificates } from '../certs/dev-certs.js';
import { DEFAULT_LIMITS, DEFAULT_PORT } from '../protocol/limits.js';
import type { ServerConfig } from '../server/config.js';
import { parseCidrList } from '../server/ip-address.js';
import { LOG_LEVELS } from '../server/logger.js';
import { DEFAULT_SCRYPT_COST, type ScryptCost } from '../server/passwords.js';
import { startServer } from '../server/server.js';
import { SERVER_NAME } from '../version.js';
import { strictCli, UsageError, withEnvNames } from './common.js';
import { announceListening, isWorkerProcess, runPrimary } from './workers.js';

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
    throw new UsageError(`--ip-limit-exempt: ${(error as Error).message}`, { cause: error });
  }
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, { cause: error });
  }
}

async function main(): Promise<void> {
  const argv = await strictCli(yargs(hideBin(process.argv)), {
    name: 'termsender-server',
    summary: 'Runs the TermSender chat server.',
    details: 'TLS, with length-prefixed MessagePack frames (docs/protocol.md).',
    envExample: 'TERMSENDER_PORT=9000',
  })
    .options(withEnvNames({
      host: { type: 'string', default: '127.0.0.1', describe: 'address to listen on' },
      port: { type: 'number', default: DEFAULT_PORT, describe: 'port; 0 picks a free one' },
      cert: { type: 'string', default: DEFAULT_CERT, describe: 'server certificate, PEM' },
      key: { type: 'string', default: DEFAULT_KEY, describe: 'server private key, PEM' },
      'client-ca': { type: 'string', describe: 'require client certificates signed by this CA (mutual TLS)' },
      'tls-min': { choices: ['1.2', '1.3'] as const, default: '1.3' as const, describe: 'lowest TLS version' },
      data: { type: 'string', default: 'data/', describe: 'folder of the SQLite store' },
      sync: { choices: ['normal', 'full'] as const, default: 'normal' as const, describe: "SQLite commits: 'normal' survives a crash of the server, 'full' also a power loss (slower)" },
      redis: { type: 'string', describe: 'redis://host:port: run as one node of a cluster sharing accounts, groups and messages through Redis' },
      'member-ttl': { type: 'number', default: 15, describe: 'cluster mode: seconds after which a dead node\'s members disappear' },
      workers: { type: 'number', default: 1, describe: 'processes sharing the port; above 1 needs --redis' },
      'max-frame': { type: 'number', default: DEFAULT_LIMITS.maxFrame, describe: 'largest frame body accepted, bytes' },
      'max-connections': { type: 'number', default: DEFAULT_LIMITS.maxConnections, describe: 'connections beyond this get server_busy' },
      'query-rate': { type: 'number', default: DEFAULT_LIMITS.queryRate, describe: 'join/history/who/list_groups per second per connection, bursts of twice that; beyond it the connection is read more slowly (no error); 0 = off' },
      'rate-limit': { type: 'number', default: DEFAULT_LIMITS.rateLimit, describe: 'say/dm per second per connection, bursts of twice that; 0 = off' },
      'auth-timeout': { type: 'number', default: DEFAULT_LIMITS.authTimeoutMs / 1000, describe: 'seconds a connection may stay unauthenticated' },
      'idle-timeout': { type: 'number', default: DEFAULT_LIMITS.idleTimeoutMs / 1000, describe: 'seconds without a frame before a client is closed' },
      'max-groups': { type: 'number', default: DEFAULT_LIMITS.maxGroups, describe: 'groups the server holds; creating more gets limit_reached' },
      'create-rate': { type: 'number', default: DEFAULT_LIMITS.createRatePerHour, describe: 'groups one account may create per hour (all at once at most); counted per node, in memory; 0 = off' },
      'max-groups-per-user': { type: 'number', default: DEFAULT_LIMITS.maxGroupsPerUser, describe: 'groups one account may own; creating more gets limit_reached' },
      'presence-max-members': { type: 'number', default: DEFAULT_LIMITS.presenceMaxMembers, describe: 'groups with more members than this get no join/leave presence (clients use who)' },
      'max-output': { type: 'number', default: DEFAULT_LIMITS.maxPendingOutput, describe: 'unsent bytes to one client before it is cut off as a slow consumer' },
      'max-per-ip': { type: 'number', default: DEFAULT_LIMITS.maxPerIp, describe: 'connections at once from one address (an IPv6 /64 counts as one); more get server_busy' },
      'ip-limit-exempt': { type: 'string', default: DEFAULT_LIMITS.ipLimitExempt.join(','), describe: "addresses (CIDR list, or 'none') that --max-per-ip and --register-rate do not apply to" },
      'register-rate': { type: 'number', default: DEFAULT_LIMITS.registerRate, describe: 'accounts one address may create per 10 minutes; more get rate_limited; 0 = no limit' },
      registration: { choices: ['open', 'closed'] as const, default: 'open' as const, describe: 'whether new accounts may register' },
      'log-level': { choices: LOG_LEVELS, default: 'info' as const, describe: 'log detail, JSON lines on stderr' },
      'scrypt-cost': {
        type: 'string', default: `${DEFAULT_SCRYPT_COST.N},${DEFAULT_SCRYPT_COST.r},${DEFAULT_SCRYPT_COST.p}`,
        describe: 'password hashing cost N,r,p; lower only for tests',
      },
    }))
    .check((args) => {
      const positive: Array<[string, number]> = [['max-frame', args['max-frame']], ['max-connections', args['max-connections']],
        ['auth-timeout', args['auth-timeout']], ['idle-timeout', args['idle-timeout']], ['max-output', args['max-output']], ['max-groups', args['max-groups']]];
      for (const [flag, value] of positive) {
        if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${flag} must be a positive number`);
      }
      if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65_535) throw new UsageError('--port must be 0..65535');
      if (!Number.isInteger(args['max-frame']) || args['max-frame'] > 0xffff_ffff) throw new UsageError('--max-frame must be a whole number of bytes below 2^32');
      for (const flag of ['rate-limit', 'query-rate'] as const) {
        if (!Number.isFinite(args[flag]) || args[flag] < 0) throw new UsageError(`--${flag} must be 0 or more`);
      }
      for (const flag of ['create-rate', 'max-groups-per-user', 'presence-max-members'] as const) {
        if (!Number.isInteger(args[flag]) || args[flag] < (flag === 'create-rate' ? 0 : 1) || args[flag] > 1_000_000) {
          throw new UsageError(`--${flag} must be a whole number from ${flag === 'create-rate' ? 0 : 1} to 1000000`);
        }
      }
      if (!Number.isInteger(args.workers) || args.workers < 1) throw new UsageError('--workers must be 1 or more');
      if (args.workers > 1 && args.redis === undefined) throw new UsageError('--workers above 1 needs --redis (the workers share everything through it)');
      if (args.redis !== undefined && !/^redis:\/\/[^\s/:]+(:\d{1,5})?\/?$/.test(args.redis)) throw new UsageError('--redis must look like redis://host:port');
      if (!Number.isInteger(args['max-per-ip']) || args['max-per-ip'] < 1) throw new UsageError('--max-per-ip must be a whole number, 1 or more');
      if (!Number.isInteger(args['register-rate']) || args['register-rate'] < 0) throw new UsageError('--register-rate must be a whole number, 0 or more');
      exemptRanges(args['ip-limit-exempt']);
      if (!Number.isFinite(args['member-ttl']) || args['member-ttl'] <= 0) throw new UsageError('--member-ttl must be a positive number of seconds');
      return true;
    })
    .version(SERVER_NAME)
    .parseAsync();

  const usingDefaults = argv.cert === DEFAULT_CERT && argv.key === DEFAULT_KEY;
  if (usingDefaults && !existsSync(argv.cert) && !existsSync(argv.key) && !isWorkerProcess()) {
    const outDir = path.dirname(DEFAULT_CERT);
    const result = await generateDevCertificates({ outDir, hosts: defaultDevHosts, days: 365, force: false });
    process.stdout.write(`generated development certificates in ${outDir}/ (clients trust ${outDir}/ca.crt; server fingerprint ${result.fingerprint})\n`);
  }

  if (argv.workers > 1 && !isWorkerProcess()) {
    process.exitCode = await runPrimary(argv.workers, argv.host, argv.port);
    return;
  }

  const config: ServerConfig = {
    host: argv.host,
    port: argv.port,
    tls: {
      cert: readPem(argv.cert, '--cert'),
      key: readPem(argv.key, '--key'),
      clientCa: argv['client-ca'] === undefined ? undefined : readPem(argv['client-ca'], '--client-ca'),
    },
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
      maxPendingOutput: argv['max-output'],
      maxGroups: argv['max-groups'],
      maxPerIp: argv['max-per-ip'],
      ipLimitExempt: exemptRanges(argv['ip-limit-exempt']),
      registerRate: argv['register-rate'],
      createRatePerHour: argv['create-rate'],
      maxGroupsPerUser: argv['max-groups-per-user'],
      presenceMaxMembers: argv['presence-max-members'],
    },
    scryptCost: parseScryptCost(argv['scrypt-cost']),
    logLevel: argv['log-level'],
    serverName: SERVER_NAME,
    redis: argv.redis === undefined ? undefined : { url: argv.redis, memberTtlMs: argv['member-ttl'] * 1000 },
  };

  try {
    tls.createSecureContext({ cert: config.tls.cert, key: config.tls.key, ...(config.tls.clientCa ? { ca: config.tls.clientCa } : {}) });
  } catch (error) {
    throw new UsageError(`--cert ${argv.cert} / --key ${argv.key}${argv['client-ca'] ? ` / --client-ca ${argv['client-ca']}` : ''}: not a usable PEM certificate and key (${(error as Error).message})`, { cause: error });
  }
  const server = await startServer(config);
  const shown = server.address.host.includes(':') ? `[${server.address.host}]` : server.address.host;
  announceListening(`listening on ${shown}:${server.address.port}`);

  const stop = (signal: NodeJS.Signals): void => {
    process.stderr.write(`${signal}: shutting down\n`);
    server.close().then(
      () => { process.exitCode = 0; },
      (error: unknown) => {
        process.stderr.write(`termsender-server: shutdown failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
      },
    ).finally(() => process.exit());
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`termsender-server: ${message}\n`);
  // A start that failed may leave handles open (a Redis client retrying, a worker's channel to its primary).
  process.exit(1);
});
