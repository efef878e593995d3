/**
 * A connection's output on its way to the socket. The socket is given
 * only what it takes without buffering past its high-water mark; the rest
 * waits here as whole buffers of whole frames until it drains. So the
 * output not yet given to the socket can be dropped at a frame boundary:
 * a slow consumer's backlog is dropped and its `slow_consumer` error goes
 * right behind what the socket already holds.
 */
import type { Writable } from 'node:stream';

export class OutputQueue {
  private waiting: Buffer[] = [];
  /** Index of the first buffer in `waiting` not yet written. */
  private head = 0;
  private waitingBytes = 0;
  /** `end` was called: the socket ends once what waits here is written. */
  private ending = false;

  constructor(private readonly socket: Writable) {
    socket.on('drain', () => this.writeWaiting());
  }

  /** Bytes not yet taken by the kernel: waiting here and buffered in the socket. */
  get backlog(): number {
    return this.waitingBytes + this.socket.writableLength;
  }

  write(bytes: Buffer): void {
    if (this.ending || this.socket.destroyed || this.socket.writableEnded) return;
    if (this.head === this.waiting.length && !this.socket.writableNeedDrain) {
      this.socket.write(bytes);
      return;
    }
    this.waiting.push(bytes);
    this.waitingBytes += bytes.length;
  }

  /** Ends the socket once what waits here is written; later writes are dropped. */
  end(): void {
    this.ending = true;
    if (this.head === this.waiting.length) this.socket.end();
  }

  /** Forgets what the socket was not given yet; returns its size in bytes. */
  drop(): number {
    const dropped = this.waitingBytes;
    this.waiting = [];
    this.head = 0;
    this.waitingBytes = 0;
    return dropped;
  }

  private writeWaiting(): void {
    while (this.head < this.waiting.length && !this.socket.writableNeedDrain) {
      if (this.socket.destroyed || this.socket.writableEnded) {
        this.drop();
        return;
      }
      const bytes = this.waiting[this.head]!;
      this.waiting[this.head++] = EMPTY;
      this.waitingBytes -= bytes.length;
      this.socket.write(bytes);
    }
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
      if (this.ending) this.socket.end();
    }
  }
}

const EMPTY = Buffer.alloc(0);
