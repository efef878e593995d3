/**
 * The chat controller's surroundings without a TTY or a server: a terminal
 * that records what is printed (and answers questions from a queue), and a
 * connection that answers each request with a scripted reply.
 */
import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import type { ChatConnection } from '../../src/client/chat.js';
import type { Outgoing, ProtocolClientEvents, ReplyOfType, Unsolicited } from '../../src/client/client.js';
import { ChatClient } from '../../src/client/model/chat-client.js';
import type { Reopen } from '../../src/client/model/connection.js';
import type { ChatTerminal, Completer } from '../../src/client/terminal.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import type { JoinedReply, ServerMessage } from '../../src/protocol/messages.js';

export class FakeTerminal implements ChatTerminal {
  readonly columns = 80;
  readonly printed: string[] = [];
  prompt = '';
  closed = false;
  /** Answers to questions and secrets, in order; what was asked, in `asked`. */
  readonly answers: string[] = [];
  readonly asked: string[] = [];
  completer: Completer = async (line) => [[], line];
  private onLine: (line: string) => void = () => undefined;
  private onPasted: (text: string) => void = () => undefined;
  private metaKeys = new Map<string, () => void>();
  private waiters: Array<{ test: (line: string) => boolean; resolve: () => void }> = [];

  print(text: string): void {
    this.printed.push(...stripVTControlCharacters(text).split('\n'));
    this.waiters = this.waiters.filter((waiter) => {
      if (!this.printed.some(waiter.test)) return true;
      waiter.resolve();
      return false;
    });
  }

  /** Resolves once a line equal to `line` (or matching it) has been printed. */
  printedLine(line: string | RegExp): Promise<void> {
    const test = (printed: string) => (typeof line === 'string' ? printed === line : line.test(printed));
    if (this.printed.some(test)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** The prompt without colours. */
  get plainPrompt(): string {
    return stripVTControlCharacters(this.prompt);
  }

  eraseEcho(): void {}
  startChat(prompt: string, onLine: (line: string) => void): void { this.prompt = prompt; this.onLine = onLine; }
  setPrompt(prompt: string): void { this.prompt = prompt; }
  setCompleter(completer: Completer): void { this.completer = completer; }
  onInterrupt(): void {}
  onEnd(): void {}
  close(): void { this.closed = true; }
  onMetaKey(name: string, handler: () => void): void { this.metaKeys.set(name, handler); }
  async question(query: string): Promise<string> { return this.answer(query); }
  async secret(query: string): Promise<string> { return this.answer(query); }
  onPaste(handler: (text: string) => void): void { this.onPasted = handler; }
  type(line: string): void { this.onLine(line); }
  /** A bracketed paste of `text`. */
  paste(text: string): void { this.onPasted(text); }
  /** Alt-`name`. */
  metaKey(name: string): void { this.metaKeys.get(name)?.(); }

  private answer(query: string): string {
    this.asked.push(query);
    const answer = this.answers.shift();
    if (answer === undefined) throw new Error(`unexpected question ${JSON.stringify(query)}`);
    return answer;
  }
}

function isReplyOf<T extends ServerMessage['type']>(message: ServerMessage, type: T): message is ReplyOfType<T> {
  return message.type === type;
}

/** Records each request and answers it with `answer` (an `error` rejects, as ProtocolClient does). */
export class FakeConnection extends EventEmitter<ProtocolClientEvents> implements ChatConnection {
  readonly requests: Outgoing[] = [];
  private waiters: Array<{ test: (request: Outgoing) => boolean; resolve: () => void }> = [];

  constructor(private readonly answer: (request: Outgoing) => ServerMessage) {
    super();
  }

  async call<T extends ServerMessage['type']>(request: Outgoing, expect: T): Promise<ReplyOfType<T>> {
    this.requests.push(request);
    const reply = this.answer(request);
    setImmediate(() => {
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test(request)) return true;
        setImmediate(waiter.resolve);
        return false;
      });
    });
    if (reply.type === 'error') throw new ProtocolError(reply.code, reply.message);
    if (!isReplyOf(reply, expect)) throw new Error(`expected ${expect}, got ${reply.type}`);
    return reply;
  }

  /** Resolves once a request of `type` has been answered (and its reply handled). */
  answered(type: Outgoing['type']): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ test: (request) => request.type === type, resolve }));
  }

  /** Resolves once the next request has been answered (and its reply handled). */
  nextAnswer(): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ test: () => true, resolve }));
  }

  /** The requests other than `mark_read` (sent on a timer). */
  get commands(): Outgoing[] {
    return this.requests.filter((request) => request.type !== 'mark_read');
  }

  async bye(): Promise<void> {
    this.emit('close', undefined);
  }

  push(message: Unsolicited): void {
    this.emit('message', message);
  }
}

/** A ChatClient over a scripted `connection`, signed in as `self` and in `joined`'s group; its reconnects take `reopen`'s connection. */
export function fakeChatClient(connection: ChatConnection, reopen: Reopen, joined?: JoinedReply, self = 'alice'): ChatClient {
  return ChatClient.over(connection, { user: self }, { reopen }, joined);
}
