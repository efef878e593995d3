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
import { type FrameBody, FrameEncoder } from '../../src/protocol/frame.js';
import type { FrameLink } from '../../src/transport/frame-link.js';
import { MemoryFrameLink } from '../../src/transport/memory-link.js';
import type { ChatTerminal, Completer } from '../../src/client/terminal.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import type { JoinedReply, ServerMessage } from '../../src/protocol/messages.js';

export class FakeTerminal implements ChatTerminal {
  readonly columns = 80;
  /** The screen's height (a window switch prints a screenful of its scroll-back). */
  rows = 24;
  readonly printed: string[] = [];
  prompt = '';
  closed = false;
  /** Times the bell rang. */
  bells = 0;
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
  bell(): void { this.bells += 1; }
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
    const reply = this.serve(request);
    if (reply.type === 'error') throw new ProtocolError(reply.code, reply.message);
    if (!isReplyOf(reply, expect)) throw new Error(`expected ${expect}, got ${reply.type}`);
    return reply;
  }

  /** Records `request` and answers it (waking who waits for it once the reply is handled). */
  serve(request: Outgoing): ServerMessage {
    this.requests.push(request);
    const reply = this.answer(request);
    setImmediate(() => {
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test(request)) return true;
        setImmediate(waiter.resolve);
        return false;
      });
    });
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

/**
 * A ChatClient's `connect` on the real path to scripted connections: each
 * opens an in-memory link whose far end greets with `welcome`, answers
 * `login` (`auth_ok`, or the refusal `serve` throws), `ping` and `bye`, and
 * hands every other request to the FakeConnection `serve` gives, whose pushed
 * messages go out on the link.
 */
export function scriptedConnect(serve: () => Promise<ChatConnection>): () => Promise<FrameLink> {
  return async () => {
    const [serverEnd, clientEnd] = MemoryFrameLink.pair({ maxFrame: 65_536 });
    const encoder = new FrameEncoder();
    const send = (message: object) => serverEnd.send(encoder.encode(message));
    let fake: FakeConnection | undefined;
    let refusal: ProtocolError | undefined;
    try {
      const connection = await serve();
      if (!(connection instanceof FakeConnection)) throw new Error('a reconnect is scripted with a FakeConnection');
      fake = connection;
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      refusal = error;
    }
    const passOn = (message: Unsolicited) => send(message);
    fake?.on('message', passOn);
    const answer = (body: FrameBody): void => {
      const { id, ...request } = body as Outgoing & { id: number };
      if (request.type === 'ping') return send({ type: 'pong', id });
      if (request.type === 'bye') return serverEnd.end();
      if (request.type === 'login' || request.type === 'register') {
        return send(refusal === undefined ? { type: 'auth_ok', user: request.user, id } : { type: 'error', code: refusal.code, message: refusal.message, id });
      }
      send({ ...fake!.serve(request), id });
    };
    serverEnd.start({
      received: () => {
        for (let body = serverEnd.next(); body !== undefined; body = serverEnd.next()) answer(body);
      },
      flushed: () => undefined,
      failed: () => undefined,
      closed: () => fake?.off('message', passOn),
    });
    send({ type: 'welcome', version: 1, server: 'scripted', max_frame: 65_536, registration: false });
    return clientEnd;
  };
}

/** A ChatClient over a scripted `connection`, signed in as `self` and in `joined`'s group; its reconnects reach `reopen`'s connection (scriptedConnect). */
export function fakeChatClient(connection: ChatConnection, reopen: () => Promise<ChatConnection>, joined?: JoinedReply, self = 'alice'): ChatClient {
  return ChatClient.over(connection, { user: self }, { connect: scriptedConnect(reopen) }, joined, { user: self, password: 'scripted' });
}
