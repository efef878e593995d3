/**
 * A member of the reconnect storm: signs in, joins the group, notes every
 * message seq it receives (from `joined` histories and live), and after a
 * drop reconnects as the project's client does (the delay policy is given),
 * rejoining with `since` = the last seq it saw, page by page. Also the
 * bystander, in a worker thread: reconnects at once, then pings every 10 ms
 * and keeps the round trips.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { FrameDecoder, FrameEncoder } from '../../src/protocol/frame.js';
import { ALPN_PROTOCOL } from '../../src/protocol/limits.js';
import { LatencyHistogram } from './histogram.js';

const encoder = new FrameEncoder();
export const RECONNECT_PASSWORD = 'benchmark password';

type Body = Record<string, unknown>;

class RefusedError extends Error {}

/** One TLS connection with requests matched to replies by `id`; `onPush` gets every frame without one. */
class Link {
  private readonly pending = new Map<number, { resolve: (body: Body) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  readonly closed: Promise<void>;

  private constructor(readonly socket: tls.TLSSocket, onPush: (body: Body) => void) {
    const decoder = new FrameDecoder({ maxFrame: 1 << 20 });
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      for (let body = decoder.next(); body !== undefined; body = decoder.next()) {
        const id = typeof body['id'] === 'number' ? body['id'] : undefined;
        const waiter = id === undefined ? undefined : this.pending.get(id);
        if (waiter === undefined || id === undefined) {
          onPush(body);
          continue;
        }
        this.pending.delete(id);
        if (body['type'] === 'error') waiter.reject(new RefusedError(String(body['code'])));
        else waiter.resolve(body);
      }
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('closed'));
      this.pending.clear();
      resolve();
    }));
  }

  /** Connected, TLS done and `welcome` read; rejects when any of that fails. */
  static async open(port: number, ca: string, onPush: (body: Body) => void): Promise<Link> {
    let welcomed: () => void = () => undefined;
    const welcome = new Promise<void>((resolve) => { welcomed = resolve; });
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: [ALPN_PROTOCOL] });
    const link = new Link(socket, (body) => (body['type'] === 'welcome' ? welcomed() : onPush(body)));
    await Promise.race([welcome, link.closed.then(() => { throw new Error('closed before welcome'); })]);
    return link;
  }

  request(message: Body): Promise<Body> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(encoder.encode({ ...message, id }));
    });
  }
}

export type RetryPolicy = (attempt: number) => number;

export class ReconnectMember {
  /** Every seq seen once; `duplicates` counts the others. */
  readonly seen = new Set<number>();
  duplicates = 0;
  lastSeq = 0;
  /** When the last resume finished (performance.now()). */
  resumedAt = 0;
  /** Refusals met while reconnecting, by code (`server_busy`, `unavailable`, `auth_timeout`, closed…). */
  readonly refusals = new Map<string, number>();
  /** Sign-ins by resume token (the rest were by password). */
  tokenSignIns = 0;
  /** The resume token of the last `auth_ok` (used when `useToken`). */
  private resumeToken: string | undefined;
  private link: Link | undefined;
  private stopped = false;
  private recovering: Promise<void> | undefined;

  constructor(readonly user: string, private readonly port: number, private readonly ca: string, private readonly group: string, private readonly policy: RetryPolicy,
    private readonly useToken = false) {}

  /** One try: connect, sign in, join with `since` (when a seq was seen), page until no `more`. */
  async resume(): Promise<void> {
    const link = await Link.open(this.port, this.ca, (body) => this.push(body));
    this.link = link;
    try {
      const auth = await this.signIn(link);
      if (auth['type'] !== 'auth_ok') throw new RefusedError(String(auth['type']));
      this.resumeToken = typeof auth['resume_token'] === 'string' ? auth['resume_token'] : undefined;
      for (;;) {
        const joined = await link.request({ type: 'join', group: this.group, ...(this.lastSeq > 0 ? { since: this.lastSeq } : {}) });
        for (const message of (joined['history'] as Body[] | undefined) ?? []) this.note(message['seq']);
        if (joined['more'] !== true) break;
      }
    } catch (error) {
      link.socket.destroy();
      throw error;
    }
    this.resumedAt = performance.now();
    void link.closed.then(() => { if (!this.stopped && this.link === link) this.recovering ??= this.recover(); });
  }

  /** As the project's client: the resume token first (when asked to use it), the password when it is refused. */
  private async signIn(link: Link): Promise<Body> {
    const token = this.useToken ? this.resumeToken : undefined;
    this.resumeToken = undefined;
    if (token !== undefined) {
      try {
        const auth = await link.request({ type: 'login', user: this.user, resume_token: token });
        this.tokenSignIns += 1;
        return auth;
      } catch (error) {
        if (!(error instanceof RefusedError && error.message === 'auth_failed')) throw error;
      }
    }
    return link.request({ type: 'login', user: this.user, password: RECONNECT_PASSWORD });
  }

  /** Says `text` (the talker); resolves with the stored seq. */
  async say(text: string): Promise<number> {
    const ack = await this.link!.request({ type: 'say', text });
    const seq = Number(ack['seq']);
    this.note(seq);
    return seq;
  }

  /** Whether it is reconnecting now. */
  get reconnecting(): boolean {
    return this.recovering !== undefined;
  }

  /** Resolves once the member is back after its last drop (at once when it is connected). */
  async back(): Promise<void> {
    while (this.recovering !== undefined) await this.recovering;
  }

  stop(): void {
    this.stopped = true;
    this.link?.socket.destroy();
  }

  private async recover(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      await sleep(this.policy(attempt));
      try {
        await this.resume();
        break;
      } catch (error) {
        const why = error instanceof RefusedError ? error.message : 'connect or close';
        this.refusals.set(why, (this.refusals.get(why) ?? 0) + 1);
      }
    }
    this.recovering = undefined;
  }

  private push(body: Body): void {
    if (body['type'] === 'msg') this.note(body['seq']);
  }

  private note(value: unknown): void {
    const seq = Number(value);
    if (!(seq > 0)) return;
    if (this.seen.has(seq)) this.duplicates += 1;
    else this.seen.add(seq);
    if (seq > this.lastSeq) this.lastSeq = seq;
  }
}

export interface PingFigures {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

/** Bystander worker: signs in and pings every 10 ms, reconnecting every 100 ms when dropped; 'reset' starts a new count, any other message asks for the figures. */
async function bystander(port: number, ca: string, user: string): Promise<void> {
  let histogram = new LatencyHistogram();
  parentPort!.on('message', (message: unknown) => {
    if (message === 'reset') histogram = new LatencyHistogram();
    else parentPort!.postMessage({ samples: histogram.count, p50: histogram.percentile(0.5), p99: histogram.percentile(0.99), max: histogram.max } satisfies PingFigures);
  });
  let ready = false;
  for (;;) {
    try {
      const link = await Link.open(port, ca, () => undefined);
      const auth = await link.request({ type: 'login', user, password: RECONNECT_PASSWORD });
      if (auth['type'] !== 'auth_ok') throw new Error('refused');
      if (!ready) parentPort!.postMessage('ready');
      ready = true;
      for (;;) {
        const started = performance.now();
        await link.request({ type: 'ping' });
        histogram.record(performance.now() - started);
        await sleep(10);
      }
    } catch {
      await sleep(100);
    }
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'reconnect-bystander') {
  const { port, ca, user } = workerData as { port: number; ca: string; user: string };
  void bystander(port, ca, user);
}
