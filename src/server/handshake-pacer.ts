/**
 * Paces TLS handshakes at the accept: a new TCP connection's handshake starts
 * at most `rate` per second (bursts of a twentieth of a second's worth); the
 * others wait in order of arrival, their raw sockets paused so that their
 * ClientHello waits in the kernel. A handshake costs the server a signature
 * and a key exchange on its main thread: after a restart thousands arrive at
 * once, and unpaced they would stall every connection already back. A rate,
 * not a count of handshakes under way, so that clients that never finish
 * theirs cannot hold the others back. A socket closed while it waits (its
 * handshake deadline, handshake-guard.ts, counts from the accept) is skipped.
 */
import type { Socket } from 'node:net';
import { TokenBucket } from './rate-limit.js';

interface Waiting {
  socket: Socket;
  start: () => void;
}

export class HandshakePacer {
  private readonly bucket: TokenBucket;
  private readonly queue: Waiting[] = [];
  /** Index of the oldest waiter in `queue` (taken ones are dropped in batches). */
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `rate` 0: every handshake starts at once. */
  constructor(rate: number) {
    this.bucket = new TokenBucket(rate, Math.max(1, Math.floor(rate / 20)));
  }

  /** Handshakes waiting for their turn now. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Runs `start` (the socket's handshake) now or in its turn; never for a socket destroyed meanwhile. */
  admit(socket: Socket, start: () => void): void {
    this.queue.push({ socket, start });
    this.drain();
  }

  /** Drops the waiters (shutdown: their sockets are being destroyed). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.head = 0;
  }

  private drain(): void {
    while (this.head < this.queue.length) {
      const next = this.queue[this.head]!;
      if (!next.socket.destroyed) {
        const waitMs = this.bucket.waitMs();
        if (waitMs > 0) {
          this.timer ??= setTimeout(() => {
            this.timer = undefined;
            this.drain();
          }, waitMs);
          return;
        }
        next.start();
      }
      this.head += 1;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
    }
    this.queue.length = 0;
    this.head = 0;
  }
}
