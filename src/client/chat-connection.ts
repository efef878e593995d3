/**
 * What the chat screen and its parts (recovery, group moves, the command
 * runner) need of a signed-in connection: a ProtocolClient, or a fake in tests.
 */
import type { Unsolicited } from './client.js';
import type { Caller } from './model/requests.js';

/** What the chat screen needs of a signed-in connection (a ProtocolClient; a fake in tests): its requests go through model/requests.ts. */
export interface ChatConnection extends Caller {
  bye(): Promise<void>;
  on(event: 'message', listener: (message: Unsolicited) => void): unknown;
  on(event: 'close', listener: (error: Error | undefined) => void): unknown;
}

/** Makes a fresh signed-in connection (used to reconnect). */
export type Reconnect = () => Promise<ChatConnection>;
