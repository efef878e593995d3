/**
 * What the chat screen and its parts (recovery, group moves, the command
 * runner) need of a signed-in connection: a ProtocolClient, or a fake in tests.
 */
import type { ServerMessage } from '../protocol/messages.js';
import type { Outgoing, ReplyOfType, Unsolicited } from './client.js';

/** What the chat screen needs of a signed-in connection (a ProtocolClient; a fake in tests). */
export interface ChatConnection {
  call<T extends ServerMessage['type']>(request: Outgoing, expect: T): Promise<ReplyOfType<T>>;
  bye(): Promise<void>;
  on(event: 'message', listener: (message: Unsolicited) => void): unknown;
  on(event: 'close', listener: (error: Error | undefined) => void): unknown;
}

/** Makes a fresh signed-in connection (used to reconnect). */
export type Reconnect = () => Promise<ChatConnection>;
