/**
 * The TLS listener: ALPN, the TLS material (switched on reload), admission
 * at the TCP accept (admission.ts: TCP accepted paused, handed to TLS in its
 * turn), and each connection whose handshake is
 * done handed to the core on a StreamFrameLink.
 */
import net, { type AddressInfo, type Socket } from 'node:net';
import tls from 'node:tls';
import { ALPN_PROTOCOL } from '../protocol/limits.js';
import { StreamFrameLink } from '../transport/stream-link.js';
import { WriteBatcher } from '../transport/write-batcher.js';
import { AdmissionControl } from './admission.js';
import type { ServerConfig } from './config.js';
import type { ChatCore } from './core.js';
import { describeCertificate, type LoadedTls, secureContextOptions } from './tls-context.js';

export class TlsListener {
  /** Accepts TCP connections, paused, for admission; never listens itself: */
  private readonly acceptor: net.Server;
  /** the TLS server gets each admitted socket in its turn (`emit('connection')`). */
  private readonly server: tls.Server;
  private readonly admission: AdmissionControl;
  /** One batcher for all connections: members with the same frames in a turn share a buffer. */
  private readonly writes = new WriteBatcher();

  constructor(private readonly config: ServerConfig, private readonly core: ChatCore) {
    const { context } = core;
    const { metrics, logger } = context;
    this.server = tls.createServer({
      ...secureContextOptions(config.tls, config.tlsMinVersion),
      ALPNProtocols: [ALPN_PROTOCOL],
      handshakeTimeout: config.limits.handshakeTimeoutMs,
      ...(config.tls.clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: true }),
    });
    metrics.certificateExpiry(describeCertificate(config.tls.cert).notAfter);
    this.admission = new AdmissionControl({
      maxConnections: config.limits.maxConnections, handshakeTimeoutMs: config.limits.handshakeTimeoutMs, handshakesPerTurn: config.limits.handshakesPerTurn,
      addresses: context.addresses, metrics, logger, openConnections: () => core.openConnections,
    });
    this.acceptor = net.createServer({ pauseOnConnect: true }, (socket: Socket) => {
      this.admission.tcpAccepted(socket, () => this.server.emit('connection', socket));
    });
    this.server.on('tlsClientError', (error, socket) => {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_TLS_HANDSHAKE_TIMEOUT') metrics.counts.tlsHandshakesFailed += 1;
      logger.debug('handshake failed', { reason: error.message });
      socket.destroy();
    });
    this.server.on('secureConnection', (socket) => this.secured(socket));
  }

  /** Listens on the configured host and port; rejects when it cannot. */
  async listen(): Promise<{ host: string; port: number }> {
    const { acceptor, config } = this;
    await new Promise<void>((resolve, reject) => {
      acceptor.once('error', reject);
      acceptor.listen(config.port, config.host, () => {
        acceptor.off('error', reject);
        resolve();
      });
    });
    acceptor.on('error', (error) => this.core.context.logger.error('server error', {}, error));
    const { address, port } = acceptor.address() as AddressInfo;
    return { host: address, port };
  }

  /** New handshakes use `loaded` (checked by `loadTlsFiles`); connections open now keep theirs. */
  reloadTls(loaded: LoadedTls): void {
    this.server.setSecureContext(secureContextOptions(loaded.files, this.config.tlsMinVersion));
    this.core.context.metrics.certificateExpiry(loaded.certificate.notAfter);
  }

  /** Stops accepting and drops the handshakes under way; resolves once every connection is closed. */
  close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.acceptor.close(() => resolve()));
    this.admission.closeAll();
    return stopped;
  }

  private secured(socket: tls.TLSSocket): void {
    const admission = this.admission.secured(socket);
    if (admission === undefined) {
      socket.destroy(); // its deadline passed meanwhile
      return;
    }
    // Client-initiated renegotiation (TLS 1.2) is a cheap way to make the server compute: refused.
    socket.disableRenegotiation();
    socket.setNoDelay(true);
    this.core.accept(new StreamFrameLink(socket, this.writes, this.config.limits.maxFrame), admission.peer, admission.release);
  }
}
