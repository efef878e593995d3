/**
 * A FrameLink over a byte stream (a TLS socket on the server, any Duplex in
 * tests): bytes in through the frame decoder, frames out through the write
 * batcher (a turn's frames, one write) and the output queue (whole frames
 * wait there past the socket's high-water mark, so a backlog can be
 * dropped). After `end`, input flows again only to be dropped: a peer that
 * sends more than a frame's worth is reset.
 */
import type { Duplex } from 'node:stream';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import { type FrameBody, FrameDecoder } from '../protocol/frame.js';
import type { FrameLink, FrameLinkHandler, LinkPeer } from './frame-link.js';
import { OutputQueue } from './output-queue.js';
import type { BatchedOutput, WriteBatcher } from './write-batcher.js';

/** The stream a link runs on; a network socket also tells its peer's address. */
export type LinkSocket = Duplex & { readonly remoteAddress?: string | undefined };

export class StreamFrameLink implements FrameLink, BatchedOutput {
  readonly peer: LinkPeer;
  /** The write batcher's slot (see BatchedOutput). */
  pendingFrames: Buffer[] | undefined = undefined;
  pendingBytes = 0;
  private readonly decoder: FrameDecoder;
  private readonly output: OutputQueue;
  private handler: FrameLinkHandler | undefined;
  /** `end` was called: input is dropped. */
  private ending = false;
  /** Input received after `end` (dropped). */
  private discardedBytes = 0;
  private stopWaitingForDrain: (() => void) | undefined;

  constructor(
    private readonly socket: LinkSocket,
    private readonly writes: WriteBatcher,
    private readonly maxFrame: number,
  ) {
    this.decoder = new FrameDecoder({ maxFrame });
    this.output = new OutputQueue(socket);
    this.peer = {
      address: socket.remoteAddress,
      certificate: (): PeerCertificate | undefined => {
        if (!(socket instanceof TLSSocket)) return undefined;
        const certificate = socket.getPeerCertificate();
        return certificate === null || Object.keys(certificate).length === 0 ? undefined : certificate;
      },
    };
  }

  start(handler: FrameLinkHandler): void {
    this.handler = handler;
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => {
      // Not always fatal for Node (a refused renegotiation only reports): always fatal here.
      handler.failed(error);
      this.socket.destroy();
    });
    this.socket.on('close', () => handler.closed());
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
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  get paused(): boolean {
    return this.socket.isPaused();
  }

  send(frame: Buffer): void {
    this.writes.write(this, frame);
  }

  /** The batcher hands over a turn's frames as one buffer. */
  deliver(bytes: Buffer): void {
    this.output.write(bytes);
  }

  /** After a turn's flush: what the kernel did not take. */
  flushed(): void {
    this.handler?.flushed(this.output.backlog);
  }

  /** Output not yet taken by the kernel: in the socket, waiting for it, and gathered for this turn's write. */
  get backlog(): number {
    return this.output.backlog + this.pendingBytes;
  }

  dropBacklog(): void {
    this.output.drop();
    this.writes.discard(this);
  }

  drained(): Promise<void> {
    this.writes.flushNow(this);
    // 'drain' comes only after a write the socket could not take at once; otherwise look
    // again next turn (never at once: the caller loops while the backlog is high).
    if (!this.socket.writableNeedDrain) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        this.stopWaitingForDrain = undefined;
        resolve();
      };
      this.stopWaitingForDrain = done;
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  stopWaiting(): void {
    this.stopWaitingForDrain?.();
  }

  end(): void {
    this.ending = true;
    this.writes.flushNow(this);
    this.output.end();
    this.socket.resume(); // paused while a request ran, it would never be read again, and TLS reads on
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.ending) {
      // A closing link can no longer ask for anything: its input is dropped, and a peer
      // that goes on sending more than a frame's worth is cut at once. (Leaving the
      // socket paused would not do: a TLS socket that was ended goes on reading into its
      // buffers; `end` makes the input flow here.)
      this.discardedBytes += chunk.length;
      if (this.discardedBytes > this.maxFrame) this.socket.destroy();
      return;
    }
    this.decoder.push(chunk);
    this.handler?.received(chunk.length);
  }
}
