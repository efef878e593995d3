/**
 * Who may open a connection, decided at the TCP accept: its place in the
 * per-address count, the connection cap (with a margin of sockets that may
 * still finish a handshake only to be told `server_busy`), the handshake
 * guard's deadline, and the pace at which handshakes start (handshake-pacer.ts). A connection counts from its TCP accept: a
 * handshake that never finishes holds a socket too.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { AddressLimits } from './address-limits.js';
import { type Admission, HandshakeGuard } from './handshake-guard.js';
import { HandshakePacer } from './handshake-pacer.js';
import type { Logger } from '../observe/logger.js';
import type { ServerMetrics } from '../observe/metrics.js';

/**
 * Sockets beyond `maxConnections` that may still finish a handshake, only to
 * be told `server_busy`; past this many, new TCP connections are closed at once.
 */
const BUSY_REPLY_MARGIN = 64;

export interface AdmissionOptions {
  maxConnections: number;
  handshakeTimeoutMs: number;
  /** TLS handshakes started per event-loop turn at most (handshake-pacer.ts); 0: unpaced. */
  handshakesPerTurn: number;
  addresses: AddressLimits;
  metrics: ServerMetrics;
  logger: Logger;
  /** Connections open now (past their handshake). */
  openConnections: () => number;
}

export class AdmissionControl {
  private readonly handshakes: HandshakeGuard;
  private readonly pacer: HandshakePacer;

  constructor(private readonly options: AdmissionOptions) {
    this.handshakes = new HandshakeGuard(options.handshakeTimeoutMs, (socket) => {
      options.metrics.refused('handshake_timeout');
      options.logger.debug('handshake timed out', { address: socket.remoteAddress });
    });
    this.pacer = new HandshakePacer(options.handshakesPerTurn);
  }

  /** A new TCP connection (paused): admitted to shake hands (`startHandshake`, in its turn), or destroyed at once. */
  tcpAccepted(socket: Socket, startHandshake: () => void): void {
    const { addresses, metrics, maxConnections, openConnections } = this.options;
    const { handshakes } = this;
    const peer = addresses.peerOf(socket.remoteAddress);
    const release = addresses.admit(peer);
    const full = openConnections() + handshakes.size >= maxConnections + BUSY_REPLY_MARGIN;
    const refusals = release === undefined && handshakes.refused >= BUSY_REPLY_MARGIN;
    if (full || refusals || !handshakes.admit(socket, { peer, release })) {
      if (full || refusals) metrics.refused('overload');
      release?.();
      socket.destroy();
      return;
    }
    this.pacer.admit(socket, startHandshake);
  }

  /** Its handshake is done: what was decided at accept, or undefined when its deadline passed meanwhile. */
  secured(socket: TLSSocket): Admission | undefined {
    return this.handshakes.secured(socket);
  }

  /** Destroys every socket still shaking hands (shutdown). */
  closeAll(): void {
    this.pacer.close();
    this.handshakes.closeAll();
  }
}
