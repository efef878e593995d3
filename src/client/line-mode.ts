/**
 * Line mode, for scripts and bots (standard input is not a terminal): each
 * input line is sent as one message, each received message is printed as one
 * plain line, and the end of input means `exit` once every line is
 * acknowledged. Nothing is dropped silently: a rate-limited line is retried,
 * any other failure is reported and makes the exit status non-zero.
 */
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNever, errorMessage, ProtocolError } from '../protocol/errors.js';
import { textProblem } from '../protocol/validate.js';
import { backoffDelay } from './backoff.js';
import type { ProtocolClient, Unsolicited } from './client.js';
import type { TlsOptions } from './connect.js';
import { plainChat, plainDirect } from './render.js';
import { sanitizeLine } from './sanitize.js';
import { connect, joinGroup, signIn } from './sign-in.js';

export interface LineModeConfig {
  tls: TlsOptions;
  user: string;
  password: string;
  register: boolean;
  group: string;
  create: boolean;
}

export interface LineModeIo {
  input: NodeJS.ReadableStream;
  out: (line: string) => void;
  err: (line: string) => void;
}

const MAX_RATE_RETRIES = 8;

async function sayWithRetry(client: ProtocolClient, text: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.call({ type: 'say', text }, 'ack');
      return;
    } catch (error) {
      if (!(error instanceof ProtocolError && error.code === 'rate_limited') || attempt >= MAX_RATE_RETRIES) throw error;
      await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 5_000, random: Math.random }));
    }
  }
}

/** Runs line mode; resolves with the exit status. */
export async function runLineMode(config: LineModeConfig, io: LineModeIo): Promise<number> {
  const connected = await connect(config.tls);
  try {
    return await chatLines(connected.client, config, io);
  } finally {
    connected.client.destroy(); // after bye this changes nothing; after a failure it lets the process end
  }
}

async function chatLines(client: ProtocolClient, config: LineModeConfig, io: LineModeIo): Promise<number> {
  await signIn(client, config, config.register);
  await joinGroup(client, config.group, config.create);
  let failures = 0;
  client.on('message', (message: Unsolicited) => {
    switch (message.type) {
      case 'msg': io.out(plainChat(message)); break;
      case 'dm': io.out(plainDirect(message)); break;
      case 'error': io.err(`error: ${message.code}: ${sanitizeLine(message.message)}`); break;
      case 'shutdown': io.err(`server shutting down: ${sanitizeLine(message.message)}`); break;
      case 'presence': break;
      case 'topic': case 'activity': case 'kicked': case 'group_deleted': break; // December notices: line mode prints messages only
      default: assertNever(message);
    }
  });
  // Losing the connection before the input ends is a failure, even if no line was refused for it.
  let closedEarly = false;
  let leaving = false;
  client.on('close', (error) => {
    if (leaving) return;
    closedEarly = true;
    failures += 1;
    io.err(`connection lost${error ? `: ${error.message}` : ''}`);
  });

  // One line at a time, in order: each waits for its ack before the next goes.
  const lines = createInterface({ input: io.input, crlfDelay: Infinity });
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
    if (closedEarly) {
      io.err(`line ${lineNumber} not sent: not connected`);
      failures += 1;
      continue;
    }
    try {
      await sayWithRetry(client, line);
    } catch (error) {
      io.err(`line ${lineNumber} not sent: ${errorMessage(error)}`);
      failures += 1;
    }
  }
  leaving = true;
  if (!closedEarly) await client.bye();
  return failures === 0 ? 0 : 1;
}
