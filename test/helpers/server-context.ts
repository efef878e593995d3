/** A ServerContext without a listener, for tests of the session runner and the connection in memory. */
import type { TestContext } from 'node:test';
import { FrameEncoder } from '../../src/protocol/frame.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/protocol/limits.js';
import { AddressLimits } from '../../src/server/address-limits.js';
import type { ServerContext } from '../../src/server/context.js';
import { GroupCreationRate } from '../../src/server/creation-rate.js';
import { Hub } from '../../src/server/hub.js';
import { LocalLink } from '../../src/cluster/local-link.js';
import { createLogger } from '../../src/observe/logger.js';
import { LoginThrottle } from '../../src/server/login-throttle.js';
import { ServerMetrics } from '../../src/observe/metrics.js';
import { PasswordHasher } from '../../src/server/passwords.js';
import { ResumeTokens } from '../../src/server/resume-tokens.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir, TEST_SCRYPT_COST } from './server.js';

export interface TestContextOptions {
  limits?: Partial<Limits>;
  /** A hub of the test's own (a subclass that records); a fresh one on a LocalLink otherwise. */
  hub?: Hub;
  encoder?: FrameEncoder;
}

/** A started hub, a SQLite store in a temp folder (closed after the test), the other services as the server builds them. */
export async function testContext(t: TestContext, options: TestContextOptions = {}): Promise<{ context: ServerContext; store: SqliteStore; dataDir: string }> {
  const encoder = options.encoder ?? new FrameEncoder();
  const hub = options.hub ?? new Hub(encoder, new LocalLink());
  await hub.start();
  const dataDir = tempDir(t);
  const store = SqliteStore.open(dataDir);
  t.after(() => store.close());
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const context: ServerContext = {
    config: {
      host: '127.0.0.1', port: 0, tls: { cert: '', key: '' }, tlsMinVersion: 'TLSv1.3', dataDir: '', registration: 'open',
      limits, scryptCost: TEST_SCRYPT_COST, logLevel: 'silent', serverName: 'termsender-test',
    },
    store,
    hub,
    hasher: new PasswordHasher({ cost: TEST_SCRYPT_COST }),
    resumeTokens: new ResumeTokens(store.resumeTokens, limits.resumeTokenLifetimeMs, () => undefined),
    throttle: new LoginThrottle(),
    addresses: new AddressLimits({ maxPerIp: limits.maxPerIp, registerRate: 0, registerWindowMs: limits.registerWindowMs, exempt: [] }),
    groupCreations: new GroupCreationRate(limits.createRatePerHour),
    logger: createLogger('silent'),
    encoder,
    metrics: new ServerMetrics(),
  };
  return { context, store, dataDir };
}
