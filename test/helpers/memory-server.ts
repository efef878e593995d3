/**
 * A chat server in memory: a ChatCore on a temp SQLite store, and clients
 * on in-memory FrameLink pairs (frames still go through the codec both
 * ways). For behaviour that needs no process, socket or TLS; closed by
 * `t.after`.
 */
import type { TestContext } from 'node:test';
import { ChatClient } from '../../src/client/model/chat-client.js';
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
  /** The client end of a new link, accepted by the server (what a ChatClient's `connect` returns). */
  link(): MemoryFrameLink;
}

const QUICK_BACKOFF = { initialMs: 5, maxMs: 20, random: () => 0 };

/** A ChatClient on in-memory links to `server` (reconnecting for 10 s, quickly); `links` are the client ends it opened, newest last. */
export async function memoryChatClient(t: TestContext, server: MemoryServer, links: MemoryFrameLink[] = [], timeoutMs?: number): Promise<ChatClient> {
  const chat = await ChatClient.open({
    connect: async () => {
      const clientEnd = server.link();
      links.push(clientEnd);
      return clientEnd;
    },
    reconnectForMs: 10_000,
    backoff: QUICK_BACKOFF,
    timeoutMs,
  });
  t.after(() => chat.destroy());
  return chat;
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
  const link = (): MemoryFrameLink => {
    const [serverEnd, clientEnd] = MemoryFrameLink.pair({ maxFrame: config.limits.maxFrame });
    core.accept(serverEnd, core.context.addresses.peerOf(serverEnd.peer.address));
    return clientEnd;
  };
  const connect = (): MemoryWireClient => {
    const client = new MemoryWireClient(link());
    t.after(() => client.destroy());
    return client;
  };
  const signedIn = async (user: string, group?: string): Promise<MemoryWireClient> => {
    const client = connect();
    await client.next('welcome');
    return signIn(client, user, group);
  };
  return { core, config, connect, signedIn, link };
}
