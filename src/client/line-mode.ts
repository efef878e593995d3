/**
 * Line mode, for scripts and bots (standard input is not a terminal): each
 * input line is sent as one message, each received message is printed as one
 * plain line, and the end of input means `exit` once every line is
 * acknowledged. Nothing is dropped silently: a rate-limited line is retried,
 * a dropped connection is reconnected for `--reconnect-for` seconds (each line
 * still sent exactly once: the ChatClient, model/chat-client.ts, does both),
 * any other failure is reported and makes the exit status non-zero. A view
 * over the ChatClient: it prints its events and says the lines.
 */
import { createInterface } from 'node:readline';
import { assertNever, errorMessage } from '../protocol/errors.js';
import { textProblem } from '../protocol/validate.js';
import { ReplyTimeoutError, type Unsolicited } from './client.js';
import type { BackoffOptions } from './backoff.js';
import type { TlsOptions } from './connect.js';
import { ChatClient, GaveUpError } from './model/chat-client.js';
import { plainChat, plainDirect } from './render.js';
import { plainNotice } from './render-moderation.js';
import { sanitizeLine } from './sanitize.js';
import { openTlsLink } from './tls-link.js';

export interface LineModeConfig {
  tls: TlsOptions;
  user: string;
  password: string;
  register: boolean;
  group: string;
  create: boolean;
  /** Seconds to keep reconnecting after a drop (`--reconnect-for`); 0: give up at once. */
  reconnectFor: number;
  /** The delays between reconnect tries (DEFAULT_BACKOFF). */
  backoff?: BackoffOptions | undefined;
}

export interface LineModeIo {
  input: NodeJS.ReadableStream;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs line mode; resolves with the exit status. */
export async function runLineMode(config: LineModeConfig, io: LineModeIo): Promise<number> {
  const chat = await ChatClient.open({
    connect: () => openTlsLink(config.tls),
    timeoutMs: config.tls.timeoutMs,
    reconnectForMs: config.reconnectFor * 1000,
    backoff: config.backoff,
  });
  try {
    return await chatLines(chat, config, io);
  } finally {
    chat.destroy(); // after bye this changes nothing; after a failure it lets the process end
  }
}

function printer(io: LineModeIo): (message: Unsolicited) => void {
  return (message) => {
    switch (message.type) {
      case 'msg': io.out(plainChat(message)); break;
      case 'dm': io.out(plainDirect(message)); break;
      case 'error': io.err(`error: ${message.code}: ${sanitizeLine(message.message)}`); break;
      case 'shutdown': io.err(`server shutting down: ${sanitizeLine(message.message)}`); break;
      case 'presence': break;
      case 'notice': io.out(plainNotice(message)); break;
      case 'topic': case 'activity': case 'kicked': case 'group_deleted': case 'role': case 'account_role': break; // December notices: line mode prints messages only
      default: assertNever(message);
    }
  };
}

async function chatLines(connection: ChatClient, config: LineModeConfig, io: LineModeIo): Promise<number> {
  await connection.signIn({ user: config.user, password: config.password }, { register: config.register });
  await connection.join(config.group, { create: config.create });
  let failures = 0;
  // Losing the connection for good before the input ends is a failure, even if no line was refused for it.
  let gaveUp: GaveUpError | undefined;
  let notSentFrom: number | undefined;
  let lost = false;
  const lines = createInterface({ input: io.input, crlfDelay: Infinity });
  connection.on('unsolicited', printer(io));
  connection.on('lost', (error) => {
    lost = true;
    io.err(`connection lost${error ? `: ${error.message}` : ''}`);
  });
  connection.on('reconnecting', ({ forMs }) => io.err(`reconnecting (for up to ${Math.round(forMs / 1000)} s)…`));
  connection.on('restored', () => {
    lost = false;
    io.err('reconnected');
  });
  connection.on('gave_up', (error) => {
    gaveUp = error;
    lines.close(); // nothing more is read
  });

  // One line at a time, in order: each waits for its ack before the next goes.
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const problem = textProblem(line);
    if (problem !== undefined) {
      io.err(`line ${lineNumber} not sent: ${problem}`);
      failures += 1;
      continue;
    }
    if (lost && config.reconnectFor <= 0) {
      io.err(`line ${lineNumber} not sent: not connected`);
      failures += 1;
      continue;
    }
    try {
      await connection.say(line);
    } catch (error) {
      if (error instanceof GaveUpError) {
        gaveUp = error;
        notSentFrom = lineNumber;
        break;
      }
      // No reply and no reconnect to find out (--reconnect-for 0): the line may have been stored.
      io.err(error instanceof ReplyTimeoutError ? `line ${lineNumber} perhaps not sent (not known): ${errorMessage(error)}` : `line ${lineNumber} not sent: ${errorMessage(error)}`);
      failures += 1;
    }
  }
  if (gaveUp !== undefined) {
    // A line written without its ack seen may be stored: said as not known, never as not sent.
    const unsent = notSentFrom === undefined ? '' : gaveUp.lineMaybeStored
      ? `; line ${notSentFrom} perhaps sent (not known), the lines after it not sent`
      : `; line ${notSentFrom} and after not sent`;
    io.err(`${gaveUp.message}${unsent}`);
    connection.destroy();
    return 1;
  }
  if (lost && config.reconnectFor <= 0) {
    connection.destroy();
    return 1;
  }
  try {
    await connection.close();
  } catch (error) {
    if (!(error instanceof GaveUpError)) throw error;
    io.err(error.message);
    return 1;
  }
  return failures === 0 ? 0 : 1;
}
