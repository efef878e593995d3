#!/usr/bin/env node
/**
 * `npm run admin -- COMMAND` / `termsender-admin`: account administration on
 * the store itself (SQLite folder or Redis), whether or not a server runs.
 * It never takes the data folder's lock: SQLite (WAL, busy timeout) lets it
 * write beside a running server, which reads accounts afresh at each login
 * and admin request.
 *
 * Exit status: 0 done, 1 failure (one line saying why), 2 usage error.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Screen } from '../client/terminal.js';
import { errorMessage } from '../protocol/errors.js';
import type { AccountRole } from '../protocol/messages.js';
import { isValidName, NAME_RULE } from '../protocol/names.js';
import { newPasswordProblem, textProblem } from '../protocol/validate.js';
import { MAX_REASON_BYTES } from '../protocol/limits.js';
import { PasswordHasher } from '../server/passwords.js';
import { RedisStore } from '../store/redis.js';
import { DATABASE_FILE, SqliteStore } from '../store/sqlite.js';
import { sqliteBindingProblem } from '../store/sqlite-binding.js';
import type { Store } from '../store/store.js';
import { AdminFailure, type AdminCommand, type AdminOutput, runAdminCommand } from './admin-actions.js';
import { backupDatabase } from './admin-backup.js';
import { exitWithUsageError, strictCli, UsageError } from './common.js';
import { hideBin } from './yargs.js';

/** How long to wait for Redis before giving up (the store itself would retry forever). */
const REDIS_WAIT_MS = 5_000;

const ADMIN_HELP = {
  name: 'termsender-admin',
  summary: [
    'Usage: termsender-admin COMMAND [ARGS] [--data DIR | --redis URL] [--json]',
    'Administers accounts in the store (SQLite folder or Redis), with or without a running server.',
    '',
    'Commands:',
    '  users                      list accounts: name, role, created, last login, disabled',
    '  create-user USER [--admin] asks for the password twice on a terminal, or reads TERMSENDER_PASSWORD;',
    '                             also when registration is closed',
    '  set-role USER admin|user',
    '  reset-password USER        asks twice on a terminal, or reads TERMSENDER_PASSWORD',
    '  disable USER [--reason T]  its logins are refused (open connections: use disable_user)',
    '  enable USER',
    '  groups                     list groups: name, owner, private, messages, last activity',
    '  delete-group GROUP         the group, its history and its moderation are gone',
    '  backup FILE [--force]      a consistent copy of the SQLite database (also while the server runs),',
    '                             checked; mode 0600; an existing FILE only with --force',
  ].join('\n'),
  details: 'Exit status: 0 done, 1 failure, 2 usage error.',
  envExample: 'TERMSENDER_DATA=/var/lib/termsender',
};

const ADMIN_OPTIONS = {
  data: { type: 'string', default: 'data/', describe: 'folder of the SQLite store (as the server\'s --data)' },
  redis: { type: 'string', describe: 'redis://host:port: the store of a cluster instead' },
  json: { type: 'boolean', default: false, describe: 'print JSON instead of text' },
  reason: { type: 'string', describe: 'disable: why (shown to the user at login)' },
  admin: { type: 'boolean', default: false, describe: 'create-user: with the admin role' },
  force: { type: 'boolean', default: false, describe: 'backup: replace an existing FILE' },
} as const;

/** Flags that go with one command only. */
interface CommandFlags {
  /** Whether the flag is on the command line (not only in its variable). */
  typed: (flag: string) => boolean;
  reason: string | undefined;
  admin: boolean;
  force: boolean;
}

/** What the command line asks for: a command on the store, or a backup of the SQLite file. */
type PlannedCommand = AdminCommand | { kind: 'backup'; file: string; force: boolean };

const COMMANDS = 'users, create-user, set-role, reset-password, disable, enable, groups, delete-group, backup';

function userArgument(value: string | undefined, command: string): string {
  if (value === undefined) throw new UsageError(`${command} needs a USER`);
  if (!isValidName(value)) throw new UsageError(`'${value.slice(0, 64)}' is not a user name (${NAME_RULE})`);
  return value;
}

/** The command of the positional arguments; everything checkable before the store is opened. */
function parseCommand(words: string[], flags: CommandFlags, password: () => Promise<string>): () => Promise<PlannedCommand> {
  const [name, first, second] = words;
  const { reason } = flags;
  const expect = (count: number): void => {
    if (words.length - 1 > count) throw new UsageError(`${name} takes ${count === 0 ? 'no arguments' : `${count} argument${count > 1 ? 's' : ''}`}`);
  };
  // Typed for another command: a mistake. Exported (TERMSENDER_FORCE is gen-certs' too): none of this command's business.
  for (const [flag, command] of [['reason', 'disable'], ['admin', 'create-user'], ['force', 'backup']] as const) {
    if (flags.typed(flag) && name !== command) throw new UsageError(`--${flag} goes with ${command} only`);
  }
  switch (name) {
    case 'create-user': {
      expect(1);
      const user = userArgument(first, name);
      const role: AccountRole = flags.admin ? 'admin' : 'user';
      return async () => ({ kind: 'create-user', user, password: await password(), role });
    }
    case 'backup': {
      expect(1);
      if (first === undefined || first === '') throw new UsageError('backup needs a FILE to write');
      const file = first;
      return async () => ({ kind: 'backup', file, force: flags.force });
    }
    case 'users':
    case 'groups': {
      expect(0);
      const kind = name;
      return async () => ({ kind });
    }
    case 'set-role': {
      expect(2);
      const user = userArgument(first, name);
      if (second !== 'admin' && second !== 'user') throw new UsageError('set-role needs a role: admin or user');
      const role: AccountRole = second;
      return async () => ({ kind: 'set-role', user, role });
    }
    case 'reset-password': {
      expect(1);
      const user = userArgument(first, name);
      return async () => ({ kind: 'reset-password', user, password: await password() });
    }
    case 'disable': {
      expect(1);
      const user = userArgument(first, name);
      const problem = reason === undefined || reason === '' ? undefined
        : textProblem(reason) ?? (Buffer.byteLength(reason) > MAX_REASON_BYTES ? `it is over ${MAX_REASON_BYTES} bytes` : undefined);
      if (problem !== undefined) throw new UsageError(`--reason: ${problem}`);
      return async () => ({ kind: 'disable', user, reason: reason ?? '' });
    }
    case 'enable':
      expect(1);
      return async () => ({ kind: 'enable', user: userArgument(first, name) });
    case 'delete-group': {
      expect(1);
      if (first === undefined) throw new UsageError('delete-group needs a GROUP');
      if (!isValidName(first)) throw new UsageError(`'${first.slice(0, 64)}' is not a group name (${NAME_RULE})`);
      const group = first;
      return async () => ({ kind: 'delete-group', group });
    }
    case undefined:
      throw new UsageError(`a command is needed: ${COMMANDS}`);
    default:
      throw new UsageError(`unknown command '${name.slice(0, 64)}' (${COMMANDS})`);
  }
}

/** The new password: TERMSENDER_PASSWORD, or asked twice (hidden) on a terminal. */
async function newPassword(env: NodeJS.ProcessEnv): Promise<string> {
  let password = env['TERMSENDER_PASSWORD'];
  if (password === undefined || password === '') {
    if (!process.stdin.isTTY) throw new AdminFailure('no password: set TERMSENDER_PASSWORD or run on a terminal');
    const screen = new Screen(process.stdin, process.stderr);
    try {
      password = await screen.secret('new password: ');
      if ((await screen.secret('again: ')) !== password) throw new AdminFailure('the two passwords differ');
    } finally {
      screen.close();
    }
  }
  const problem = newPasswordProblem(password);
  if (problem !== undefined) throw new AdminFailure(problem);
  return password;
}

/** The SQLite database of `data`; only create-user may start one there (a closed server's first account, before its first start). */
function sqliteDatabase(data: string, create: boolean): string {
  const problem = sqliteBindingProblem();
  if (problem !== undefined) throw new AdminFailure(problem);
  const file = path.join(data, DATABASE_FILE);
  // Otherwise never create a store here: a mistyped folder must not become an empty one.
  if (existsSync(file)) return file;
  if (!create) throw new AdminFailure(`no TermSender database in ${data} (give the server's --data folder)`);
  process.stderr.write(`termsender-admin: no database in ${data} yet: creating ${file}\n`);
  return file;
}

async function openStore(data: string, redis: string | undefined, create: boolean): Promise<Store> {
  if (redis !== undefined) {
    let lastError = 'no answer';
    const connecting = RedisStore.connect(redis, (error) => { lastError = error.message; });
    const timeout = sleep(REDIS_WAIT_MS, undefined, { ref: false }).then(() => {
      throw new AdminFailure(`cannot reach ${redis}: ${lastError}`);
    });
    return Promise.race([connecting, timeout]);
  }
  sqliteDatabase(data, create);
  return SqliteStore.open(data);
}

async function main(): Promise<void> {
  const commandLine = hideBin(process.argv);
  const argv = await strictCli(commandLine, ADMIN_HELP, ADMIN_OPTIONS, {})
    // Commands are positional words, read below: only unknown flags are refused here.
    .strict(false)
    .strictOptions()
    .wrap(null)
    .check((args) => {
      if (args.redis !== undefined && !/^redis:\/\/[^\s/:]+(:\d{1,5})?\/?$/.test(args.redis)) throw new UsageError('--redis must look like redis://host:port');
      return true;
    })
    .parseAsync();
  let command: () => Promise<PlannedCommand>;
  try {
    const typed = (flag: string): boolean => commandLine.some((arg) => new RegExp(`^--(no-)?${flag}(=|$)`).test(arg));
    command = parseCommand(argv._.map(String), { ...argv, typed }, () => newPassword(process.env));
    if (argv._[0] === 'backup' && argv.redis !== undefined) {
      throw new UsageError('backup copies the SQLite database; on Redis use its own persistence (RDB snapshots or the AOF, see docs/scaling.md)');
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    exitWithUsageError(ADMIN_HELP.name, error.message);
  }
  const ready = await command();
  const print = (output: AdminOutput): void => {
    process.stdout.write(argv.json ? `${JSON.stringify(output.json)}\n` : output.lines.map((line) => `${line}\n`).join(''));
  };
  if (ready.kind === 'backup') {
    sqliteDatabase(argv.data, false);
    print(await backupDatabase(argv.data, ready.file, ready.force));
    return;
  }
  const store = await openStore(argv.data, argv.redis, ready.kind === 'create-user');
  try {
    print(await runAdminCommand(ready, store, new PasswordHasher()));
  } finally {
    await store.close();
  }
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    const known = error instanceof AdminFailure;
    process.stderr.write(`termsender-admin: ${known ? error.message : `failed: ${errorMessage(error)}`}\n`);
    process.exit(1);
  },
);
