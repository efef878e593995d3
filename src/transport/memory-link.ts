/**
 * Two linked FrameLink ends in memory, for tests and bots: what one end
 * sends arrives at the other a turn later, as encoded bytes through the
 * other end's frame decoder. Backpressure is modelled simply: an end's
 * backlog is what it sent that the other end has not yet taken as frames,
 * and `drained` looks again next turn. Ending one end's output closes both
 * (as a TLS socket that does not allow half-open connections).
 */
import type { PeerCertificate } from 'node:tls';
import { type FrameBody, FrameDecoder } from '../protocol/frame.js';
import type { FrameLink, FrameLinkHandler, LinkPeer } from './frame-link.js';

export interface MemoryLinkOptions {
  maxFrame: number;
  /** The address each end reports of the other (the server's per-address limits see it); none by default. */
  address?: string;
}

export class MemoryFrameLink implements FrameLink {
  readonly peer: LinkPeer;
  private other!: MemoryFrameLink;
  private readonly decoder: FrameDecoder;
  private handler: FrameLinkHandler | undefined;
  /** Frames sent this turn, delivered together on the next. */
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  private scheduled = false;
  /** Chunks that arrived while paused or before start. */
  private held: Buffer[] = [];
  private isPaused = false;
  private ending = false;
  private discardedBytes = 0;
  private isClosed = false;
  private readonly waiting = new Set<() => void>();

  private constructor(private readonly maxFrame: number, address: string | undefined) {
    this.decoder = new FrameDecoder({ maxFrame });
    this.peer = { address, certificate: (): PeerCertificate | undefined => undefined };
  }

  /** Two linked ends. */
  static pair(options: MemoryLinkOptions): [MemoryFrameLink, MemoryFrameLink] {
    const a = new MemoryFrameLink(options.maxFrame, options.address);
    const b = new MemoryFrameLink(options.maxFrame, options.address);
    a.other = b;
    b.other = a;
    return [a, b];
  }

  get closed(): boolean {
    return this.isClosed;
  }

  start(handler: FrameLinkHandler): void {
    this.handler = handler;
    if (!this.isPaused) this.release();
  }

  next(): FrameBody | undefined {
    return this.decoder.next();
  }

  setMaxFrame(maxFrame: number): void {
    this.decoder.setMaxFrame(maxFrame);
  }

  get buffered(): number {
    return this.decoder.pendingBytes;
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
    if (this.handler !== undefined) this.release();
  }

  get paused(): boolean {
    return this.isPaused;
  }

  send(frame: Buffer): void {
    if (this.isClosed || this.ending) return;
    this.outgoing.push(frame);
    this.outgoingBytes += frame.length;
    this.schedule();
  }

  get backlog(): number {
    return this.outgoingBytes + this.other.buffered + this.other.heldBytes();
  }

  dropBacklog(): void {
    this.outgoing = [];
    this.outgoingBytes = 0;
  }

  drained(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiting.delete(done);
        resolve();
      };
      this.waiting.add(done);
      setImmediate(done);
    });
  }

  stopWaiting(): void {
    for (const done of [...this.waiting]) done();
  }

  end(): void {
    if (this.ending) return;
    this.ending = true;
    this.isPaused = false;
    this.held = [];
    this.schedule();
  }

  destroy(): void {
    this.closeBoth();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.isClosed) return;
    const frames = this.outgoing;
    this.outgoing = [];
    this.outgoingBytes = 0;
    if (frames.length > 0) this.other.arrive(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    this.handler?.flushed(this.backlog);
    if (this.ending) this.closeBoth();
  }

  private arrive(chunk: Buffer): void {
    if (this.isClosed) return;
    if (this.ending) {
      this.discardedBytes += chunk.length;
      if (this.discardedBytes > this.maxFrame) this.closeBoth();
      return;
    }
    this.held.push(chunk);
    if (!this.isPaused && this.handler !== undefined) this.release();
  }

  private release(): void {
    while (this.held.length > 0 && !this.isPaused && !this.isClosed) {
      const chunk = this.held.shift()!;
      this.decoder.push(chunk);
      this.handler?.received(chunk.length);
    }
  }

  private heldBytes(): number {
    let bytes = 0;
    for (const chunk of this.held) bytes += chunk.length;
    return bytes;
  }

  private closeBoth(): void {
    for (const end of [this, this.other]) {
      if (end.isClosed) continue;
      end.isClosed = true;
      end.outgoing = [];
      end.outgoingBytes = 0;
      end.stopWaiting();
      setImmediate(() => end.handler?.closed());
    }
  }
}
