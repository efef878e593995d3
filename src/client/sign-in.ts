/** Waiting for `welcome` and keeping the connection alive, and signing in: the ChatClient's first steps on a connection (model/). */
import type { WelcomeMessage } from '../protocol/messages.js';
import type { FrameLink } from '../transport/frame-link.js';
import { ProtocolClient } from './client.js';
import type { SignedIn } from './model/events.js';
import { ProtocolError } from '../protocol/errors.js';
import { type Caller, logIn, logInWithToken } from './model/requests.js';

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

/** Waits for `welcome` on `link` (at most `timeoutMs`), and keeps the connection alive while idle. */
export async function openConnection(link: FrameLink, timeoutMs?: number): Promise<Connected> {
  const connected = await ProtocolClient.open(link, { timeoutMs });
  const idleMs = (connected.welcome.idle_timeout ?? Number.POSITIVE_INFINITY) * 1000;
  connected.client.keepAlive(Math.min(MAX_KEEPALIVE_MS, idleMs / 3));
  return connected;
}

/**
 * Logs in (or registers); resolves with the name as the server spells it and the account's role (absent from older servers).
 * A login with a resume token in `credentials` tries it first (a reconnect after a restart then costs the
 * server no password hash) and the password when it is refused; `credentials` keeps the token of the new `auth_ok`.
 */
export async function signInAccount(client: Caller, credentials: Credentials, register: boolean): Promise<SignedIn> {
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
