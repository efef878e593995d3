/**
 * TCP connections whose TLS handshake has not finished. Each gets an absolute
 * deadline: Node's own `handshakeTimeout` is an idle timer (a byte now and
 * then keeps it alive) and it only reports the timeout, it never closes the
 * socket. The server counts these connections against its limits together
 * with the established ones, so that silent or half-finished handshakes
 * cannot hold file descriptors beyond them.
 */
import type { Socket } from 'node:net';
import type { Peer } from './address-limits.js';

/** What was decided about a connection when it was accepted, handed on when its handshake ends. */
export interface Admission {
  /** Who the connection comes from, as the per-address limits see it. */
  peer: Peer;
  /** Gives back its place in the per-address count; undefined when its address was over the limit. */
  release: (() => void) | undefined;
}

interface PendingHandshake {
  socket: Socket;
  deadline: NodeJS.Timeout;
  admission: Admission;
}

/** A connection's key while it is being set up: its remote address and port are unique among open connections. */
function keyOf(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string | undefined {
  return socket.remoteAddress === undefined || socket.remotePort === undefined ? undefined : `${socket.remoteAddress}|${socket.remotePort}`;
}

export class HandshakeGuard {
  private readonly pending = new Map<string, PendingHandshake>();
  private refusedCount = 0;

  constructor(private readonly timeoutMs: number, private readonly onTimeout: (socket: Socket) => void) {}

  /** Connections still shaking hands. */
  get size(): number {
    return this.pending.size;
  }

  /** Of those, the ones already refused (over their address's limit), shaking hands only to be told so. */
  get refused(): number {
    return this.refusedCount;
  }

  /** Starts the deadline of a newly accepted TCP connection; false when it has already gone. */
  admit(socket: Socket, admission: Admission): boolean {
    const key = keyOf(socket);
    if (key === undefined) return false;
    const deadline = setTimeout(() => {
      this.onTimeout(socket);
      socket.destroy();
    }, this.timeoutMs);
    const entry: PendingHandshake = { socket, deadline, admission };
    this.pending.set(key, entry);
    if (admission.release === undefined) this.refusedCount += 1;
    socket.once('close', () => {
      if (this.settle(key, entry)) admission.release?.();
    });
    return true;
  }

  /**
   * The handshake of this (now secure) connection finished: its deadline no
   * longer applies, and from here on its admission is the caller's.
   */
  secured(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): Admission | undefined {
    const key = keyOf(socket);
    const entry = key === undefined ? undefined : this.pending.get(key);
    if (key === undefined || entry === undefined || !this.settle(key, entry)) return undefined;
    return entry.admission;
  }

  /** Closes every connection still shaking hands (server shutdown). */
  closeAll(): void {
    for (const entry of this.pending.values()) entry.socket.destroy();
  }

  /** Takes the entry out; false when it was out already. */
  private settle(key: string, entry: PendingHandshake): boolean {
    clearTimeout(entry.deadline);
    if (this.pending.get(key) !== entry) return false;
    this.pending.delete(key);
    if (entry.admission.release === undefined) this.refusedCount -= 1;
    return true;
  }
}
