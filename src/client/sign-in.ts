/** Connecting (TLS, welcome, keep-alive), signing in, and joining: shared by the interactive client and line mode. */
import type { AccountRole, WelcomeMessage } from '../protocol/messages.js';
import type { FrameLink } from '../transport/frame-link.js';
import { ProtocolClient } from './client.js';
import { ProtocolError } from '../protocol/errors.js';
import { createGroup, join, logIn, logInWithToken } from './model/requests.js';
import type { TlsOptions } from './connect.js';
import { openTlsLink } from './tls-link.js';

export interface Credentials {
  user: string;
  password: string;
  /**
   * The resume token of the last `auth_ok` (an addition; absent from older
   * servers): the next login tries it first, then the password when it is
   * refused. signInAccount keeps it up to date in the object it is given.
   */
  resumeToken?: string | undefined;
}

export interface Connected {
  client: ProtocolClient;
  welcome: WelcomeMessage;
}

/** Pings at least this often when idle, and more often for a server with a short idle timeout. */
const MAX_KEEPALIVE_MS = 60_000;

/** Connects, verifies, waits for `welcome` (at most `tls.timeoutMs`), and keeps the connection alive while idle. */
export async function connect(tls: TlsOptions): Promise<Connected> {
  return openConnection(await openTlsLink(tls), tls.timeoutMs);
}

/** Waits for `welcome` on `link` (at most `timeoutMs`), and keeps the connection alive while idle. */
export async function openConnection(link: FrameLink, timeoutMs?: number): Promise<Connected> {
  const connected = await ProtocolClient.open(link, { timeoutMs });
  const idleMs = (connected.welcome.idle_timeout ?? Number.POSITIVE_INFINITY) * 1000;
  connected.client.keepAlive(Math.min(MAX_KEEPALIVE_MS, idleMs / 3));
  return connected;
}

/** Logs in (or registers); resolves with the user's name as the server spells it. */
export async function signIn(client: ProtocolClient, credentials: Credentials, register: boolean): Promise<string> {
  return (await signInAccount(client, credentials, register)).user;
}

/**
 * Logs in (or registers); resolves with the name as the server spells it and the account's role (absent from older servers).
 * A login with a resume token in `credentials` tries it first (a reconnect after a restart then costs the
 * server no password hash) and the password when it is refused; `credentials` keeps the token of the new `auth_ok`.
 */
export async function signInAccount(client: ProtocolClient, credentials: Credentials, register: boolean): Promise<{ user: string; role?: AccountRole | undefined }> {
  const token = register ? undefined : credentials.resumeToken;
  credentials.resumeToken = undefined; // a token signs in once, whatever the answer
  let reply;
  try {
    reply = token === undefined ? undefined : await logInWithToken(client, credentials.user, token);
  } catch (error) {
    if (!(error instanceof ProtocolError && error.code === 'auth_failed')) throw error;
  }
  reply ??= await logIn(client, credentials.user, credentials.password, register);
  credentials.resumeToken = reply.resume_token;
  return { user: reply.user, role: reply.role };
}

/** Joins `group`, creating it first when asked to and it is missing. */
export async function joinGroup(client: ProtocolClient, group: string, create: boolean, since?: number) {
  if (create) {
    try {
      await createGroup(client, group);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'group_exists')) throw error;
    }
  }
  return join(client, group, since);
}
