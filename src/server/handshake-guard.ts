/**
 * TCP connections whose TLS handshake has not finished. Each gets an absolute
 * deadline: Node's own `handshakeTimeout` is an idle timer (a byte now and
 * then keeps it alive) and it only reports the timeout, it never closes the
 * socket. The server counts these connections against its limits together
 * with the established ones, so that silent or half-finished handshakes
 * cannot hold file descriptors beyond them.
 */
import type { Socket } from 'node:net';

interface PendingHandshake {
  socket: Socket;
  deadline: NodeJS.Timeout;
}

/** A connection's key while it is being set up: its remote address and port are unique among open connections. */
function keyOf(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string | undefined {
  return socket.remoteAddress === undefined || socket.remotePort === undefined ? undefined : `${socket.remoteAddress}|${socket.remotePort}`;
}

export class HandshakeGuard {
  private readonly pending = new Map<string, PendingHandshake>();

  constructor(private readonly timeoutMs: number, private readonly onTimeout: (socket: Socket) => void) {}

  /** Connections still shaking hands. */
  get size(): number {
    return this.pending.size;
  }

  /** Starts the deadline of a newly accepted TCP connection; false when it has already gone. */
  admit(socket: Socket): boolean {
    const key = keyOf(socket);
    if (key === undefined) return false;
    const deadline = setTimeout(() => {
      this.pending.delete(key);
      this.onTimeout(socket);
      socket.destroy();
    }, this.timeoutMs);
    const entry: PendingHandshake = { socket, deadline };
    this.pending.set(key, entry);
    socket.once('close', () => this.settle(key, entry));
    return true;
  }

  /** The handshake of this (now secure) connection finished: its deadline no longer applies. */
  secured(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): void {
    const key = keyOf(socket);
    const entry = key === undefined ? undefined : this.pending.get(key);
    if (key !== undefined && entry !== undefined) this.settle(key, entry);
  }

  /** Closes every connection still shaking hands (server shutdown). */
  closeAll(): void {
    for (const [key, entry] of this.pending) {
      this.settle(key, entry);
      entry.socket.destroy();
    }
  }

  private settle(key: string, entry: PendingHandshake): void {
    clearTimeout(entry.deadline);
    if (this.pending.get(key) === entry) this.pending.delete(key);
  }
}
