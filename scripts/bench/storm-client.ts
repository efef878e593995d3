/**
 * A light client for the join/leave storm: it splits frames by their length
 * prefix and reads only each frame's `type` (the first key the server
 * writes), so that millions of presence frames cost the benchmark little.
 * Also the bystander, run in a worker thread so that its pings are timed on
 * an event loop of their own.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { decode } from '@msgpack/msgpack';
import { FrameEncoder } from '../../src/protocol/frame.js';
import { ALPN_PROTOCOL } from '../../src/protocol/limits.js';

const encoder = new FrameEncoder();
/** fixmap header, then fixstr "type", then a fixstr value. */
const TYPE_KEY = Buffer.from([0xa4, 0x74, 0x79, 0x70, 0x65]);

function typeOf(body: Buffer): string {
  const header = body[6];
  if (body.subarray(1, 6).equals(TYPE_KEY) && header !== undefined && (header & 0xe0) === 0xa0) return body.toString('latin1', 7, 7 + (header & 0x1f));
  const decoded = decode(body);
  return typeof decoded === 'object' && decoded !== null && 'type' in decoded ? String(decoded.type) : '?';
}

export class StormClient {
  /** Frames received by type. */
  readonly counts = new Map<string, number>();
  private buffered: Buffer = Buffer.alloc(0);
  private waiters: Array<{ type: string; resolve: () => void }> = [];

  private constructor(readonly socket: tls.TLSSocket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined);
  }

  static async connect(port: number, ca: string): Promise<StormClient> {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: [ALPN_PROTOCOL] });
    const client = new StormClient(socket);
    await client.next('welcome');
    return client;
  }

  send(message: object): void {
    this.socket.write(encoder.encode(message));
  }

  /** Resolves at the next frame of `type` (or at once when one arrived already and was not awaited). */
  next(type: string): Promise<void> {
    const seen = this.counts.get(`unclaimed:${type}`) ?? 0;
    if (seen > 0) {
      this.counts.set(`unclaimed:${type}`, seen - 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ type, resolve }));
  }

  async request(message: object, type: string): Promise<void> {
    const reply = this.next(type);
    this.send(message);
    await reply;
  }

  private receive(chunk: Buffer): void {
    let data = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (data.length >= 4) {
      const length = data.readUInt32BE(0);
      if (data.length < 4 + length) break;
      this.note(typeOf(data.subarray(4, 4 + length)));
      data = data.subarray(4 + length);
    }
    this.buffered = data;
  }

  private note(type: string): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    const index = this.waiters.findIndex((waiter) => waiter.type === type);
    if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve();
    else if (type === 'joined' || type === 'left' || type === 'pong' || type === 'welcome' || type === 'auth_ok' || type === 'group_created') {
      this.counts.set(`unclaimed:${type}`, (this.counts.get(`unclaimed:${type}`) ?? 0) + 1);
    }
  }
}

/** Bystander worker: signs in, then pings until terminated; answers each message with the worst round trip since the last one. */
async function bystander(port: number, ca: string): Promise<void> {
  const client = await StormClient.connect(port, ca);
  await client.request({ type: 'register', user: 'bystander', password: 'benchmark password' }, 'auth_ok');
  let worstMs = 0;
  parentPort!.on('message', () => {
    parentPort!.postMessage(worstMs);
    worstMs = 0;
  });
  parentPort!.postMessage('ready');
  for (;;) {
    const started = performance.now();
    await client.request({ type: 'ping' }, 'pong');
    worstMs = Math.max(worstMs, performance.now() - started);
    await sleep(10);
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'bystander') {
  const { port, ca } = workerData as { port: number; ca: string };
  void bystander(port, ca);
}
