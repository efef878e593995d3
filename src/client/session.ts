/** Connecting and signing in: shared by the interactive client and line mode. */
import type { WelcomeMessage } from '../protocol/messages.js';
import { ProtocolClient } from './client.js';
import { connectVerified, type TlsOptions } from './connect.js';

export interface Credentials {
  user: string;
  password: string;
}

export interface Connected {
  client: ProtocolClient;
  welcome: WelcomeMessage;
}

export interface SignedIn extends Connected {
  /** The user's name as the server spells it. */
  user: string;
}

export async function connect(tls: TlsOptions): Promise<Connected> {
  const socket = await connectVerified(tls);
  return ProtocolClient.open(socket);
}

/** Logs in (or registers) on a fresh connection. */
export async function signIn(connected: Connected, credentials: Credentials, register: boolean): Promise<SignedIn> {
  const reply = await connected.client.call({ type: register ? 'register' : 'login', user: credentials.user, password: credentials.password }, 'auth_ok');
  return { ...connected, user: reply.user };
}

/** Joins `group`, creating it first when asked to and it is missing. */
export async function joinGroup(client: ProtocolClient, group: string, create: boolean, since?: number) {
  if (create) {
    try {
      await client.call({ type: 'create_group', group }, 'group_created');
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'group_exists')) throw error;
    }
  }
  return client.call(since === undefined ? { type: 'join', group } : { type: 'join', group, since }, 'joined');
}
