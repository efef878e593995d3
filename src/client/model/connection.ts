/**
 * What a ChatClient runs on: a signed-in (or welcomed) connection whose
 * requests go through requests.ts — a ProtocolClient, or a fake in tests —,
 * how it gets a fresh one to reconnect (`connect` and sign-in), and how many `rate_limited` line mode and bots wait out.
 */
import type { MessageDeletedMessage } from '../../protocol/messages.js';
import type { FrameLink } from '../../transport/frame-link.js';
import type { BackoffOptions } from '../backoff.js';
import { ConnectionClosedError, type Unsolicited } from '../client.js';
import { type Credentials, openConnection, signInAccount } from '../sign-in.js';
import type { SignedIn } from './events.js';
import type { Caller } from './requests.js';

/** How many `rate_limited` answers to one request are waited out (line mode, bots) before it fails, and the delays. */
export const BOUNDED_RATE_WAIT = { backoff: { initialMs: 100, maxMs: 5_000, random: Math.random } as BackoffOptions, maxRetries: 8 };

export interface Connection extends Caller {
  bye(): Promise<void>;
  on(event: 'message', listener: (message: Unsolicited) => void): unknown;
  on(event: 'close', listener: (error: Error | undefined) => void): unknown;
  on(event: 'message_deleted', listener: (message: MessageDeletedMessage) => void): unknown;
  off?(event: 'message', listener: (message: Unsolicited) => void): unknown;
  off?(event: 'message_deleted', listener: (message: MessageDeletedMessage) => void): unknown;
  /** Absent (a fake): taken as open. */
  readonly isOpen?: boolean;
  destroy?(): void;
}

/** How a ChatClient gets a fresh connection: `connect` and a sign-in. */
export interface ConnectionSource {
  connect?(): Promise<FrameLink>;
  timeoutMs?: number | undefined;
}

/** A fresh signed-in connection, `hold` listening to its messages from the start, and who signed in. A failed sign-in closes it. */
export async function openSignedIn(source: ConnectionSource, hold: (message: Unsolicited) => void, credentials: () => Credentials): Promise<{ client: Connection; signedIn: SignedIn }> {
  if (source.connect === undefined) throw new ConnectionClosedError('no way to reconnect');
  const { client } = await openConnection(await source.connect(), source.timeoutMs);
  client.on('message', hold);
  try {
    return { client, signedIn: await signInAccount(client, credentials(), false) };
  } catch (error) {
    client.destroy();
    throw error;
  }
}
