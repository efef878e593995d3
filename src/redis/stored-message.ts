/** Stored messages as Redis holds them (JSON), read back through the protocol's own parser. */
import { errorMessage } from '../protocol/errors.js';
import type { StoredDirectMessage, StoredMessage } from '../protocol/messages.js';
import { parseStoredDirect } from '../protocol/conversation-parse.js';
import { parseStoredMessage } from '../protocol/server-message-parse.js';

/** The stored message in `json`; anything else is a plain Error (a broken store, not a client's mistake). */
export function readStoredMessage(json: string): StoredMessage {
  try {
    return parseStoredMessage(JSON.parse(json));
  } catch (error) {
    throw new Error(`unreadable stored message: ${errorMessage(error)}`, { cause: error });
  }
}

/** The stored direct message in `json`; anything else is a plain Error, as for a group's. */
export function readStoredDirect(json: string): StoredDirectMessage {
  try {
    return parseStoredDirect(JSON.parse(json));
  } catch (error) {
    throw new Error(`unreadable stored direct message: ${errorMessage(error)}`, { cause: error });
  }
}
