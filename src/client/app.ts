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
import type { TlsOptions } from './connect.js';
import { ChatClient, type Credentials } from './model/chat-client.js';
import { renderUnknownServer } from './render-notices.js';
import { renderConnected, renderError, renderGroupTable, renderHint, renderNotice } from './render.js';
import { renderBanned } from './render-moderation.js';
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
  /** `--log-dir`: the window logs are written there from the start. */
  logDir?: string | undefined;
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
  chat: ChatClient;
  /** The user's name as the server spells it. */
  self: string;
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
async function authenticate(screen: Screen, first: ChatClient, reopen: () => Promise<ChatClient>, config: InteractiveConfig, credentials: Credentials): Promise<SignedIn> {
  let chat = first;
  const account = async (current: Credentials, register: boolean): Promise<SignedIn> => {
    const { user, role } = await chat.signIn(current, { register });
    return { chat, self: user, role };
  };
  let offerCreate = first.welcome?.registration === true;
  if (config.register) {
    try {
      return await account(credentials, true);
    } catch (error) {
      // The name is taken: perhaps it is this user's own account (as a failed login offers to create one).
      if (!(error instanceof ProtocolError && error.code === 'user_exists')) throw error;
      screen.print(renderError('user_exists'));
      if (!(await askYes(screen, `Log in as '${credentials.user}' instead?`))) throw error;
      offerCreate = false;
      if (!chat.isOpen) chat = await reopen();
    }
  }
  // A fresh connection made here is closed here on failure; the first one is the caller's.
  const fail = (error: unknown): never => {
    if (chat !== first) chat.destroy();
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
      if (!chat.isOpen) chat = await reopen();
      try {
        return await account(created, true);
      } catch (error) {
        if (!(error instanceof ProtocolError && error.code === 'user_exists')) fail(error);
        screen.print(renderHint(`the account '${current.user}' exists: type its password again`));
      }
    }
    current = { ...current, password: await screen.secret('password: ').catch(fail) };
    if (!chat.isOpen) chat = await reopen();
  }
}

/** Trust on first use: the fingerprint, and a question. */
async function askTrust(screen: Screen, key: string, fingerprint: string): Promise<boolean> {
  screen.print(renderUnknownServer(key, fingerprint));
  return askYes(screen, 'Trust this server and remember it?');
}

/** Joins the group given by flag, or asks: a number or name from the list, or a new name to create. */
async function chooseGroup(screen: Screen, chat: ChatClient, config: InteractiveConfig): Promise<JoinedReply> {
  if (config.group !== undefined) {
    try {
      return await chat.join(config.group, { create: config.create });
    } catch (error) {
      if (!(error instanceof ProtocolError && error.code === 'no_such_group')) throw error;
      if (!(await askYes(screen, `There is no group '${config.group}'. Create it?`))) throw error;
      return chat.join(config.group, { create: true });
    }
  }
  for (;;) {
    const { groups } = await chat.listGroups();
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
      return await chat.join(name, { create: !exists });
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
  // Its reconnects (and a connection the questions outlast) never ask: quietTls. The dialog's own fresh connections may.
  const open = async (first: TlsOptions) => ChatClient.openLink(await openTlsLink(first), { connect: () => openTlsLink(quietTls), timeoutMs: quietTls.timeoutMs });
  let chat = await open(config.tls);
  screen.print(renderConnected(chat.welcome?.server ?? '', config.tls.host, config.tls.port));
  let user: string;
  let password: string;
  try {
    user = config.user ?? (await askName(screen, 'user name: '));
    // A password typed for a new account is checked and typed twice; one from a flag is used as given.
    password = config.password ?? (config.register ? await newPassword(screen) : await screen.secret('password: '));
  } catch (error) {
    chat.destroy();
    throw error;
  }
  // The questions may have outlasted the server's auth timeout: then a fresh connection.
  if (!chat.isOpen) chat = await open(quietTls);
  let signedIn: SignedIn | undefined;
  let joined: JoinedReply;
  try {
    signedIn = await authenticate(screen, chat, () => open(config.tls), config, { user, password });
    joined = await chooseGroup(screen, signedIn.chat, config);
  } catch (error) {
    (signedIn?.chat ?? chat).destroy();
    throw error;
  }
  // The ChatClient reconnects (never asking: quietTls) and signs in with the credentials that worked, the password changed by /passwd included;
  // the role may change between connections (the admin command): each reconnect's auth_ok says it again.
  const controller = new ChatController(signedIn.chat, screen, {
    role: signedIn.role, reconnectBackoff: config.backoff, host: config.tls.host, port: config.tls.port, logDir: config.logDir,
  });
  screen.print(renderNotice('Type to chat; /help lists commands; /quit or exit leaves.'));
  controller.start(joined);
  // The unread counts of the other groups, for the prompt, when the list comes (without it they are only unknown).
  signedIn.chat.listGroups().then((list) => controller.listed(list), () => undefined);
  return controller.finished;
}
