/**
 * A bare protocol client for tests: real TLS, the project's codec, every
 * incoming frame checked with parseServerMessage (so tests also check that
 * the server speaks the protocol), and awaitable events. Timeouts are a
 * safety net only; tests await messages, never sleep.
 */
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import tls from 'node:tls';
import { type FrameBody, FrameDecoder, FrameEncoder } from '../../src/protocol/frame.js';
import { ALPN_PROTOCOL } from '../../src/protocol/limits.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { parseServerMessage } from '../../src/protocol/server-message-parse.js';
import { getTestCertificates } from './certs.js';

export const WAIT_MS = 10_000;

export type { ServerMessage };

type Waiter = { match: (message: ServerMessage) => boolean; resolve: (message: ServerMessage) => void };

export interface WireClientOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  maxFrame?: number;
  /** Source address (any 127/8 address works on Linux loopback), to act as another client address. */
  localAddress?: string;
}

/**
 * The protocol side of a test client, whatever carries its frames: the
 * inbox, awaitable messages, requests with ids. WireClient runs it over
 * TLS, MemoryWireClient (memory-server.ts) over an in-memory FrameLink.
 */
export abstract class FrameClient {
  readonly inbox: ServerMessage[] = [];
  abstract readonly closed: Promise<void>;
  private readonly waiters = new Set<Waiter>();
  private readonly encoder = new FrameEncoder();
  private nextId = 1;
  private protocolFailure: unknown;

  /** Writes encoded bytes to the server. */
  protected abstract write(bytes: Buffer): void;

  abstract destroy(): void;

  /** Sends one message as a frame. */
  send(message: object): void {
    this.write(this.encoder.encode(message));
  }

  sendRaw(bytes: Buffer): void {
    this.write(bytes);
  }

  /** Sends `message` with a fresh id and resolves with the reply carrying it (error replies too). */
  async request(message: object): Promise<ServerMessage> {
    const id = this.nextId++;
    this.send({ ...message, id });
    return this.next((reply) => 'id' in reply && reply.id === id);
  }

  /** The first message (queued or future) of `type`, or matching `match`. */
  next<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>>;
  next<T extends ServerMessage>(match: (message: ServerMessage) => message is T): Promise<T>;
  next(match: (message: ServerMessage) => boolean): Promise<ServerMessage>;
  next(filter: string | ((message: ServerMessage) => boolean)): Promise<ServerMessage> {
    const match = typeof filter === 'string' ? (message: ServerMessage) => message.type === filter : filter;
    if (this.protocolFailure !== undefined) return Promise.reject(this.protocolFailure);
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { match, resolve };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching message within ${WAIT_MS} ms; inbox: ${JSON.stringify(this.inbox.map((m) => m.type))}`));
      }, WAIT_MS);
      waiter.resolve = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
      this.waiters.add(waiter);
    });
  }

  /** Proves ordering: every frame the server sent before the pong has arrived. */
  async sync(): Promise<void> {
    const reply = await this.request({ type: 'ping' });
    if (reply.type !== 'pong') throw new Error(`expected pong, got ${reply.type}`);
  }

  /** Messages of `type` received so far and not yet taken. */
  take<T extends ServerMessage['type']>(type: T): Array<Extract<ServerMessage, { type: T }>> {
    const taken: Array<Extract<ServerMessage, { type: T }>> = [];
    for (let i = 0; i < this.inbox.length;) {
      const message = this.inbox[i]!;
      if (message.type === type) {
        taken.push(message as Extract<ServerMessage, { type: T }>);
        this.inbox.splice(i, 1);
      } else i += 1;
    }
    return taken;
  }

  /** Takes every whole frame `next` gives; a frame that breaks the protocol destroys the client. */
  protected receiveFrames(next: () => FrameBody | undefined): void {
    try {
      for (let body = next(); body !== undefined; body = next()) {
        this.deliver(parseServerMessage(body));
      }
    } catch (error) {
      this.protocolFailure = error;
      this.destroy();
    }
  }

  private deliver(message: ServerMessage): void {
    for (const waiter of this.waiters) {
      if (waiter.match(message)) {
        this.waiters.delete(waiter);
        waiter.resolve(message);
        return;
      }
    }
    this.inbox.push(message);
  }
}

/** A FrameClient over real TLS. */
export class WireClient extends FrameClient {
  readonly closed: Promise<void>;
  private readonly decoder: FrameDecoder;

  private constructor(readonly socket: tls.TLSSocket, maxFrame: number) {
    super();
    this.decoder = new FrameDecoder({ maxFrame });
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      this.receiveFrames(() => this.decoder.next());
    });
    socket.on('error', () => undefined); // surfaced through `closed`
    this.closed = once(socket, 'close').then(() => undefined);
  }

  /** Connects and registers cleanup with `t`. Resolves after the TLS handshake. */
  static async connect(t: TestContext, port: number, options: WireClientOptions = {}): Promise<WireClient> {
    const certs = await getTestCertificates();
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: options.ca ?? certs.ca,
      ALPNProtocols: [ALPN_PROTOCOL],
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
    });
    const client = new WireClient(socket, options.maxFrame ?? 16 * 1024 * 1024);
    t.after(() => client.destroy());
    await once(socket, 'secureConnect');
    return client;
  }

  protected write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Asserts `reply` is an error with `code`, returning it. */
export function expectError(reply: ServerMessage, code: string): Extract<ServerMessage, { type: 'error' }> {
  if (reply.type !== 'error' || reply.code !== code) {
    throw new Error(`expected error '${code}', got ${JSON.stringify(reply)}`);
  }
  return reply;
}

/** Says `text` in the client's group and resolves with the seq of its `ack`. */
export async function say(client: FrameClient, text: string): Promise<number> {
  const ack = await client.request({ type: 'say', text });
  if (ack.type !== 'ack' || ack.seq === undefined) throw new Error(`say: ${JSON.stringify(ack)}`);
  return ack.seq;
}
