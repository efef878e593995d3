/**
 * Paces TLS handshakes at the accept: at most `perTurn` new connections
 * start their handshake in one event-loop turn; the others wait in order of
 * arrival, their raw sockets paused so that their ClientHello waits in the
 * kernel, and start in the next turns. A handshake costs the server a
 * signature and a key exchange on its main thread: after a restart thousands
 * arrive at once, and started together they would hold every connection
 * already back for the whole batch. Per turn, not per second nor a count of
 * handshakes under way: a fast server still takes them as fast as it can, a
 * loaded one slows down instead of letting them wait past their deadline,
 * and clients that never finish a handshake hold nobody back. A socket closed
 * while it waits (its handshake deadline, handshake-guard.ts, counts from the
 * accept) is skipped.
 */
import type { Socket } from 'node:net';

interface Waiting {
  socket: Socket;
  start: () => void;
}

/** The next turn (setImmediate), or another scheduler in tests. */
export type NextTurn = (run: () => void) => void;

export class HandshakePacer {
  private queue: Waiting[] = [];
  /** Index of the oldest waiter in `queue`. */
  private head = 0;
  private scheduled = false;
  private closed = false;

  /** `perTurn` 0: every handshake starts at once. */
  constructor(private readonly perTurn: number, private readonly nextTurn: NextTurn = (run) => setImmediate(run)) {}

  /** Handshakes waiting for their turn now. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Runs `start` (the socket's handshake) now or in its turn; never for a socket destroyed meanwhile. */
  admit(socket: Socket, start: () => void): void {
    if (this.perTurn === 0) {
      start();
      return;
    }
    this.queue.push({ socket, start });
    if (this.scheduled) return;
    this.scheduled = true;
    this.nextTurn(() => this.turn());
  }

  /** Drops the waiters (shutdown: their sockets are being destroyed). */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
  }

  private turn(): void {
    this.scheduled = false;
    if (this.closed) return;
    for (let started = 0; started < this.perTurn && this.head < this.queue.length;) {
      const next = this.queue[this.head++]!;
      if (next.socket.destroyed) continue;
      next.start();
      started += 1;
    }
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      return;
    }
    if (this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.scheduled = true;
    this.nextTurn(() => this.turn());
  }
}
