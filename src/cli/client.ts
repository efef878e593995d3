#!/usr/bin/env node
/**
 * `npm run client` / `termsender`: the only client code that reads argv or env
 * or decides the exit status. Interactive on a terminal, line mode otherwise.
 *
 * Exit status: 0 done, 1 failure, 2 usage error, 3 certificate check failed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Options } from 'yargs';
import { runInteractive } from '../client/app.js';
import { configureColors } from '../client/colors.js';
import { DEFAULT_BACKOFF, DEFAULT_FIRST_RETRY_MAX_MS } from '../client/backoff.js';
import { DEFAULT_SERVER_TIMEOUT_MS } from '../client/client.js';
import { CertificateError, normalizeFingerprint } from '../client/connect.js';
import { runLineMode } from '../client/line-mode.js';
import { ERROR_MEANINGS } from '../client/render.js';
import { configDir, knownServersFile } from '../client/known-servers.js';
import { boundedLine, sanitizeText } from '../client/sanitize.js';
import { InputClosedError, Screen } from '../client/terminal.js';
import { errorMessage, ProtocolError } from '../protocol/errors.js';
import { DEFAULT_PORT } from '../protocol/limits.js';
import { isValidName, NAME_RULE } from '../protocol/names.js';
import { VERSION } from '../version.js';
import { configDefaults } from './config-file.js';
import { type RangeTable, strictCli, UsageError } from './common.js';
import { hideBin } from './yargs.js';

const DEFAULT_CA = 'certs/ca.crt';
/** An hour: the longest wait that still means something (and fits a timer). */
const MAX_TIMEOUT_SECONDS = 3_600;
/** Line mode keeps reconnecting for a minute by default; for a day at most. */
const DEFAULT_RECONNECT_FOR_SECONDS = 60;
const MAX_RECONNECT_FOR_SECONDS = 86_400;
/** Characters of one line on standard error at most (it may quote a server's free text). */
const MAX_ERROR_LINE = 1_000;

function explain(error: unknown): string {
  if (error instanceof ProtocolError) {
    const meaning = ERROR_MEANINGS[error.code];
    // A message that already says the meaning (`this account is disabled by root: spam`) is said once.
    if (error.message.toLowerCase().startsWith(meaning.toLowerCase())) return `${error.message} (${error.code})`;
    return `${meaning} (${error.code}: ${error.message})`;
  }
  return errorMessage(error);
}

const CLIENT_HELP = {
  name: 'termsender',
  summary: 'Chat on a TermSender server.',
  details: 'Interactive on a terminal. When standard input is not a terminal, each input\nline is sent as one message and each message received is printed as one line.\n'
    + 'Exit status: 0 done, 1 failure (a line not sent, the connection lost for good, a refused\nsign-in), 2 usage error, 3 certificate check failed (a changed fingerprint, or an\nunknown server in line mode).',
  envExample: 'TERMSENDER_PASSWORD',
};

const CLIENT_OPTIONS = {
  host: { type: 'string', default: 'localhost', describe: 'server to connect to' },
  port: { type: 'number', default: DEFAULT_PORT, describe: 'server port' },
  ca: { type: 'string', describe: `CA that must have signed the server certificate (default: the system's CAs and ${DEFAULT_CA} if it exists, then trust on first use)` },
  fingerprint: { type: 'string', describe: "pin the server certificate's SHA-256 fingerprint (AB:CD:… or hex)" },
  cert: { type: 'string', describe: 'client certificate for mutual TLS' },
  key: { type: 'string', describe: 'client key for mutual TLS' },
  user: { type: 'string', describe: 'user name (asked when missing)' },
  password: { type: 'string', describe: 'password (asked, hidden, when missing)' },
  register: { type: 'boolean', default: false, describe: 'create the account instead of logging in' },
  group: { type: 'string', describe: 'group to join (asked when missing)' },
  create: { type: 'boolean', default: false, describe: 'with --group: create it first if missing' },
  config: { type: 'string', describe: 'JSON file of flag defaults (default $XDG_CONFIG_HOME/termsender/client.json when it exists)' },
  timeout: { type: 'number', default: DEFAULT_SERVER_TIMEOUT_MS / 1000, describe: 'seconds the server may take to greet and to answer each request' },
  'log-dir': { type: 'string', describe: 'write each window to DIR/HOST_PORT/GROUP-or-@USER/YYYY-MM-DD.log (mode 0600); /set log on|off at the prompt' },
  'reconnect-for': { type: 'number', default: DEFAULT_RECONNECT_FOR_SECONDS, describe: 'line mode: seconds to keep reconnecting after the connection drops, each line still sent once (0: exit at once)' },
  // For tests: a restarted server is found again within a second instead of up to five.
  'first-retry-max': { type: 'number', default: DEFAULT_FIRST_RETRY_MAX_MS / 1000, hidden: true, describe: 'seconds the first reconnect try after a drop waits at most (spread over 0.25 s to this)' },
} satisfies Record<string, Options>;

async function main(): Promise<number> {
  const commandLine = hideBin(process.argv);
  const ranges: RangeTable<typeof CLIENT_OPTIONS> = { port: { min: 1, max: 65_535, integer: true }, 'reconnect-for': { min: 0, max: MAX_RECONNECT_FOR_SECONDS, integer: true }, 'first-retry-max': { min: 0.25, max: 60 } };
  const base = configDefaults(CLIENT_HELP.name, commandLine, process.env, CLIENT_OPTIONS, ranges, path.join(configDir(process.env), 'client.json'));
  const argv = await strictCli(commandLine, CLIENT_HELP, CLIENT_OPTIONS, ranges, process.env, base)
    .check((args) => {
      if (args.fingerprint !== undefined && normalizeFingerprint(args.fingerprint) === undefined) {
        throw new UsageError('--fingerprint must be a SHA-256 fingerprint: 64 hex digits, colons optional');
      }
      if ((args.cert === undefined) !== (args.key === undefined)) throw new UsageError('--cert and --key go together');
      if (!(args.timeout > 0 && args.timeout <= MAX_TIMEOUT_SECONDS)) throw new UsageError(`--timeout must be a number of seconds above 0, at most ${MAX_TIMEOUT_SECONDS}`);
      if (args.user !== undefined && !isValidName(args.user)) throw new UsageError(`--user must be ${NAME_RULE}`);
      if (args.group !== undefined && !isValidName(args.group)) throw new UsageError(`--group must be ${NAME_RULE}`);
      return true;
    })
    .version(`termsender ${VERSION}`)
    .parseAsync();

  if (process.argv.slice(2).some((arg) => arg === '--password' || arg.startsWith('--password='))) {
    process.stderr.write('termsender: warning: a password on the command line can be read by other users of this machine (ps); prefer TERMSENDER_PASSWORD, or type it when asked\n');
  }

  const tls = {
    host: argv.host,
    port: argv.port,
    caFile: argv.ca,
    fingerprint: argv.fingerprint,
    trust: { extraCaFile: existsSync(DEFAULT_CA) ? DEFAULT_CA : undefined, knownServers: knownServersFile(process.env) },
    certFile: argv.cert,
    keyFile: argv.key,
    timeoutMs: argv.timeout * 1000,
  };
  const backoff = { ...DEFAULT_BACKOFF, firstRetryMaxMs: argv['first-retry-max'] * 1000 };

  if (!process.stdin.isTTY) {
    configureColors(false, process.env);
    if (argv.user === undefined || argv.password === undefined || argv.group === undefined) {
      throw new UsageError('line mode (standard input is not a terminal) needs --user, --password (or TERMSENDER_PASSWORD) and --group');
    }
    // Input not read to its end (the connection gave up) must not keep the process alive.
    return runLineMode(
      { tls, user: argv.user, password: argv.password, register: argv.register, group: argv.group, create: argv.create, reconnectFor: argv['reconnect-for'], backoff },
      { input: process.stdin, out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${boundedLine(line, MAX_ERROR_LINE)}\n`) },
    ).finally(() => process.stdin.destroy());
  }

  configureColors(process.stdout.isTTY === true, process.env);
  const screen = new Screen(process.stdin, process.stdout);
  try {
    return await runInteractive({ tls, user: argv.user, password: argv.password, register: argv.register, group: argv.group, create: argv.create, backoff, logDir: argv['log-dir'] }, screen);
  } finally {
    screen.close();
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    if (error instanceof InputClosedError) {
      process.exitCode = 0;
      return;
    }
    // Error texts may quote what the server sent: filtered like everything else from the network.
    // A certificate error may span lines (both fingerprints, the line to remove).
    const text = error instanceof CertificateError ? sanitizeText(explain(error)) : boundedLine(explain(error), MAX_ERROR_LINE);
    process.stderr.write(`termsender: ${text}\n`);
    process.exitCode = error instanceof CertificateError ? 3 : error instanceof UsageError ? 2 : 1;
  },
);
