/**
 * A chat server in memory: a ChatCore on a temp SQLite store, and clients
 * on in-memory FrameLink pairs (frames still go through the codec both
 * ways). For behaviour that needs no process, socket or TLS; closed by
 * `t.after`.
 */
import type { TestContext } from 'node:test';
import { DEFAULT_LIMITS, type Limits } from '../../src/protocol/limits.js';
import type { ServerConfig } from '../../src/server/config.js';
import { ChatCore } from '../../src/server/core.js';
import { createLogger } from '../../src/observe/logger.js';
import { ServerMetrics } from '../../src/observe/metrics.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { MemoryFrameLink } from '../../src/transport/memory-link.js';
import { signIn, tempDir, TEST_SCRYPT_COST } from './server.js';
import { FrameClient } from './wire-client.js';

/** A FrameClient on the client end of a memory pair. */
export class MemoryWireClient extends FrameClient {
  readonly closed: Promise<void>;

  constructor(private readonly link: MemoryFrameLink) {
    super();
    this.closed = new Promise((resolve) => {
      link.start({
        received: () => this.receiveFrames(() => link.next()),
        flushed: () => undefined,
        failed: () => undefined,
        closed: () => resolve(),
      });
    });
  }

  protected write(bytes: Buffer): void {
    this.link.send(bytes);
  }

  destroy(): void {
    this.link.destroy();
  }
}

export interface MemoryServerOptions extends Partial<Omit<ServerConfig, 'limits' | 'tls'>> {
  limits?: Partial<Limits>;
}

export interface MemoryServer {
  core: ChatCore;
  config: ServerConfig;
  /** A new client, linked and accepted (its `welcome` is on the way). */
  connect(): MemoryWireClient;
  /** A client that has read `welcome` and registered `user` (and joined `group`, created if needed). */
  signedIn(user: string, group?: string): Promise<MemoryWireClient>;
}

export async function startMemoryServer(t: TestContext, options: MemoryServerOptions = {}): Promise<MemoryServer> {
  const { limits, ...rest } = options;
  const dataDir = tempDir(t);
  const config: ServerConfig = {
    host: '127.0.0.1', port: 0, tlsMinVersion: 'TLSv1.3', dataDir, registration: 'open', scryptCost: TEST_SCRYPT_COST,
    logLevel: 'silent', serverName: 'termsender-test',
    ...rest,
    tls: { cert: '', key: '' },
    limits: { ...DEFAULT_LIMITS, ...limits },
  };
  const store = SqliteStore.open(dataDir);
  const core = await ChatCore.open(config, { store, logger: createLogger('silent'), metrics: new ServerMetrics() });
  t.after(() => core.close());
  const connect = (): MemoryWireClient => {
    const [serverEnd, clientEnd] = MemoryFrameLink.pair({ maxFrame: config.limits.maxFrame });
    const client = new MemoryWireClient(clientEnd);
    t.after(() => client.destroy());
    core.accept(serverEnd, core.context.addresses.peerOf(serverEnd.peer.address));
    return client;
  };
  const signedIn = async (user: string, group?: string): Promise<MemoryWireClient> => {
    const client = connect();
    await client.next('welcome');
    return signIn(client, user, group);
  };
  return { core, config, connect, signedIn };
}
