/**
 * One simulated member of the benchmark group: a real TLS connection that
 * sends stamped messages and checks what it receives (latency, duplicates,
 * order per sender). Works against the TermSender server (`msg` frames) and
 * against the bare relay (the sender's `say` frames forwarded as they are).
 */
import { once } from 'node:events';
import tls from 'node:tls';
import { FrameDecoder, FrameEncoder } from '../../src/protocol/frame.js';
import { ALPN_PROTOCOL } from '../../src/protocol/limits.js';
import type { LatencyHistogram } from './histogram.js';

export interface DeliveryStats {
  delivered: number;
  duplicates: number;
  outOfOrder: number;
  latency: LatencyHistogram;
  /** Only deliveries inside the measuring window count towards the rate. */
  measuring: boolean;
  windowDelivered: number;
  /** Members whose connection closed while the run was on (cut off, or errors). */
  closed: number;
  /** Error codes the members received. */
  errors: string[];
  /** `activity` messages received (idle members). */
  activities?: number;
}

const encoder = new FrameEncoder();

/** `sender:n:sentAt:` then padding up to `bytes`. */
export function stampText(sender: number, n: number, bytes: number): string {
  const stamp = `${sender}:${n}:${performance.now().toFixed(3)}:`;
  return stamp.length >= bytes ? stamp : stamp + 'x'.repeat(bytes - stamp.length);
}

export class Member {
  private readonly decoder = new FrameDecoder({ maxFrame: 1 << 20 });
  /** Highest n seen from each sender. */
  private readonly lastSeen: number[] = [];
  private waiting: { type: string; resolve: () => void } | undefined;
  private closing = false;
  /** Called for each delivery from a sender (for the max-mode window). */
  onDelivery: ((sender: number, n: number) => void) | undefined;

  private constructor(private readonly socket: tls.TLSSocket, private readonly stats: DeliveryStats) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!this.closing) stats.closed += 1;
    });
  }

  static async connect(port: number, ca: string, stats: DeliveryStats): Promise<Member> {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: [ALPN_PROTOCOL] });
    await once(socket, 'secureConnect');
    socket.setNoDelay(true);
    return new Member(socket, stats);
  }

  /** Sends a request and waits for a reply of `type` (server only). */
  request(message: object, type: string): Promise<void> {
    return new Promise((resolve) => {
      this.waiting = { type, resolve };
      this.send(message);
    });
  }

  send(message: object): void {
    this.socket.write(encoder.encode(message));
  }

  /** Resolves once the server's `welcome` has arrived. */
  welcomed(): Promise<void> {
    return new Promise((resolve) => { this.waiting = { type: 'welcome', resolve }; });
  }

  close(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.decoder.push(chunk);
    for (let body = this.decoder.next(); body !== undefined; body = this.decoder.next()) {
      const type = body['type'];
      if (type === 'msg' || type === 'say') {
        const text = body['text'];
        if (typeof text === 'string') this.delivered(text);
      } else if (this.waiting !== undefined && type === this.waiting.type) {
        const waiting = this.waiting;
        this.waiting = undefined;
        waiting.resolve();
      } else if (type === 'error') {
        this.stats.errors.push(String(body['code']));
      } else if (type === 'activity') {
        this.stats.activities = (this.stats.activities ?? 0) + 1;
      }
    }
  }

  private delivered(text: string): void {
    const first = text.indexOf(':');
    const second = text.indexOf(':', first + 1);
    const third = text.indexOf(':', second + 1);
    const sender = Number(text.slice(0, first));
    const n = Number(text.slice(first + 1, second));
    const sentAt = Number(text.slice(second + 1, third));
    const stats = this.stats;
    const last = this.lastSeen[sender] ?? 0;
    if (n <= last) {
      stats.duplicates += 1;
      return;
    }
    if (n !== last + 1) stats.outOfOrder += 1;
    this.lastSeen[sender] = n;
    stats.delivered += 1;
    if (stats.measuring) {
      stats.windowDelivered += 1;
      stats.latency.record(performance.now() - sentAt);
    }
    this.onDelivery?.(sender, n);
  }
}
