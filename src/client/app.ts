/**
 * The interactive client: asks for what the flags did not give, signs in
 * (offering to create the account), picks or creates a group, then hands the
 * terminal to the chat controller.
 */
import { ProtocolError } from '../protocol/errors.js';
import type { AccountRole, JoinedReply } from '../protocol/messages.js';
import { isValidName, NAME_RULE, nameKey } from '../protocol/names.js';
import { newPasswordProblem } from '../protocol/validate.js';
import type { BackoffOptions } from './backoff.js';
import { ChatController } from './chat.js';
import type { ProtocolClient } from './client.js';
import type { TlsOptions } from './connect.js';
import { listGroups } from './model/requests.js';
import { renderUnknownServer } from './render-notices.js';
import { renderConnected, renderError, renderGroupTable, renderHint, renderNotice } from './render.js';
import { renderBanned } from './render-moderation.js';
import { connect, type Connected, type Credentials, joinGroup, signInAccount } from './sign-in.js';
import type { Screen } from './terminal.js';
import { openTlsLink } from './tls-link.js';

export interface InteractiveConfig {
  tls: TlsOptions;
  user?: string | undefined;
  password?: string | undefined;
  register: boolean;
  group?: string | undefined;
  create: boolean;
  /** The delays between reconnect tries (DEFAULT_BACKOFF). */
  backoff?: BackoffOptions | undefined;
}

async function askName(screen: Screen, query: string): Promise<string> {
  for (;;) {
    const answer = (await screen.question(query)).trim();
    if (isValidName(answer)) return answer;
    screen.print(renderHint(`names are ${NAME_RULE}`));
  }
}

async function askYes(screen: Screen, query: string): Promise<boolean> {
  return /^y(es)?$/i.test((await screen.question(`${query} [y/N] `)).trim());
}

/**
 * A password for a new account: checked here against the protocol's rule and
 * typed twice; asked again until both hold. `first` is one already typed.
 */
async function newPassword(screen: Screen, first?: string): Promise<string> {
  for (let password = first; ; password = undefined) {
    password ??= await screen.secret('password: ');
    const problem = newPasswordProblem(password);
    if (problem !== undefined) {
      screen.print(renderHint(problem));
      continue;
    }
    if ((await screen.secret('repeat the password: ')) === password) return password;
    screen.print(renderHint('the passwords differ'));
  }
}

interface SignedIn {
  client: ProtocolClient;
  /** The user's name as the server spells it. */
  self: string;
  credentials: Credentials;
  /** The account's role (auth_ok). */
  role?: AccountRole | undefined;
}

/**
 * Logs in, or registers with --register. A failed login asks for the password
 * again (until the server's limit of failures); where registration is open,
 * it first offers to create the account, and a name that turns out to be
 * taken (`user_exists`) goes back to asking for its password. --register of a
 * taken name offers to log in with the password given. Resolves with
 * the credentials that worked and the name as the server spells it.
 */
async function authenticate(screen: Screen, connected: Connected, config: InteractiveConfig, credentials: Credentials): Promise<SignedIn> {
  let { client } = connected;
  const account = async (current: Credentials, register: boolean): Promise<SignedIn> => {
    const { user, role } = await signInAccount(client, current, register);
    return { client, self: user, credentials: current, role };
  };
  let offerCreate = connected.welcome.registration;
  if (config.register) {
    try {
      return await account(credentials, true);
    } catch (error) {
      // The name is taken: perhaps it is this user's own account (as a failed login offers to create one).
      if (!(error instanceof ProtocolError && error.code === 'user_exists')) throw error;
      screen.print(renderError('user_exists'));
      if (!(await askYes(screen, `Log in as '${credentials.user}' instead?`))) throw error;
      offerCreate = false;
      if (!client.isOpen) client = (await connect(config.tls)).client;
    }
  }
  // A fresh connection made here is closed here on failure; the first one is the caller's.
  const fail = (error: unknown): never => {
    if (client !== connected.client) client.destroy();
    throw error;
  };
  for (let current = credentials; ;) {
    try {
      return await account(current, false);
    } catch (error) {
      if (!(error instanceof ProtocolError && error.code === 'auth_failed')) fail(error);
      screen.print(renderError('auth_failed'));
    }
    if (offerCreate && (await askYes(screen, `Create the account '${current.user}'?`))) {
      offerCreate = false;
      const created = { ...current, password: await newPassword(screen, current.password) };
      // The questions may have outlasted the server's auth timeout: then a fresh connection.
      if (!client.isOpen) client = (await connect(config.tls)).client;
      try {
        return await account(created, true);
      } catch (error) {
        if (!(error instanceof ProtocolError && error.code === 'user_exists')) fail(error);
        screen.print(renderHint(`the account '${current.user}' exists: type its password again`));
      }
    }
    current = { ...current, password: await screen.secret('password: ').catch(fail) };
    if (!client.isOpen) client = (await connect(config.tls)).client;
  }
}

/** Trust on first use: the fingerprint, and a question. */
async function askTrust(screen: Screen, key: string, fingerprint: string): Promise<boolean> {
  screen.print(renderUnknownServer(key, fingerprint));
  return askYes(screen, 'Trust this server and remember it?');
}

/** Joins the group given by flag, or asks: a number or name from the list, or a new name to create. */
async function chooseGroup(screen: Screen, client: ProtocolClient, config: InteractiveConfig): Promise<JoinedReply> {
  if (config.group !== undefined) {
    try {
      return await joinGroup(client, config.group, config.create);
    } catch (error) {
      if (!(error instanceof ProtocolError && error.code === 'no_such_group')) throw error;
      if (!(await askYes(screen, `There is no group '${config.group}'. Create it?`))) throw error;
      return joinGroup(client, config.group, true);
    }
  }
  for (;;) {
    const { groups } = await listGroups(client);
    screen.print(renderGroupTable(groups));
    const answer = (await screen.question('Join which group? (number or name; a new name creates it) ')).trim();
    const byNumber = /^\d+$/.test(answer) ? groups[Number(answer) - 1]?.name : undefined;
    const named = groups.some((group) => nameKey(group.name) === nameKey(answer));
    if (/^\d+$/.test(answer) && byNumber === undefined && !named) {
      screen.print(renderHint(groups.length === 0 ? `${answer} is not in the list: there are no groups yet; type a name to create one` : `${answer} is out of range: pick 1 to ${groups.length}, or type a name`));
      continue;
    }
    const name = byNumber ?? answer;
    if (!isValidName(name)) {
      screen.print(renderHint(`pick a number from the list, or a name of ${NAME_RULE}`));
      continue;
    }
    const exists = groups.some((group) => nameKey(group.name) === nameKey(name));
    if (!exists && !(await askYes(screen, `Create the group '${name}'?`))) continue;
    try {
      return await joinGroup(client, name, !exists);
    } catch (error) {
      // Banned, or a private group seen by name only: pick again.
      if (!(error instanceof ProtocolError && (error.code === 'banned' || error.code === 'group_exists' || error.code === 'no_such_group'))) throw error;
      screen.print(error.code === 'banned' ? renderBanned(name) : renderError(error.code));
    }
  }
}

/** Runs the interactive client; resolves with the exit status. */
export async function runInteractive(config: InteractiveConfig, screen: Screen): Promise<number> {
  // A reconnect never asks anything: a server it cannot verify is refused.
  const quietTls = config.tls;
  const tls: TlsOptions = config.tls.trust === undefined ? config.tls : { ...config.tls, trust: { ...config.tls.trust, ask: (key, fingerprint) => askTrust(screen, key, fingerprint) } };
  config = { ...config, tls };
  // Connected and verified before anything is asked: a wrong port or a certificate refused is said before a password is typed.
  let connected = await connect(config.tls);
  screen.print(renderConnected(connected.welcome.server, config.tls.host, config.tls.port));
  let user: string;
  let password: string;
  try {
    user = config.user ?? (await askName(screen, 'user name: '));
    // A password typed for a new account is checked and typed twice; one from a flag is used as given.
    password = config.password ?? (config.register ? await newPassword(screen) : await screen.secret('password: '));
  } catch (error) {
    connected.client.destroy();
    throw error;
  }
  // The questions may have outlasted the server's auth timeout: then a fresh connection.
  if (!connected.client.isOpen) connected = await connect(quietTls);
  let signedIn: SignedIn | undefined;
  let joined: JoinedReply;
  try {
    signedIn = await authenticate(screen, connected, config, { user, password });
    joined = await chooseGroup(screen, signedIn.client, config);
  } catch (error) {
    (signedIn?.client ?? connected.client).destroy();
    throw error;
  }
  // The ChatClient reconnects (never asking: quietTls) and signs in with these, the password changed by /passwd included;
  // the role may change between connections (the admin command): each reconnect's auth_ok says it again.
  const reconnect = { connect: () => openTlsLink(quietTls), credentials: signedIn.credentials, timeoutMs: quietTls.timeoutMs };
  const chat = new ChatController(signedIn.client, signedIn.self, screen, reconnect, { role: signedIn.role, reconnectBackoff: config.backoff });
  screen.print(renderNotice('Type to chat; /help lists commands; /quit or exit leaves.'));
  chat.start(joined);
  // The unread counts of the other groups, for the prompt, when the list comes (without it they are only unknown).
  listGroups(signedIn.client).then((list) => chat.listed(list), () => undefined);
  return chat.finished;
}
