/**
 * Memory per group membership (January additions: a connection in several
 * groups), in process: a ChatCore on a temp SQLite store, C connections on
 * in-memory links, each in the busy group; the heap is measured (after a
 * full GC, so `--expose-gc`) before and after each joins G-1 quiet groups
 * with `keep`. Every structure a membership adds is counted (session state,
 * group rosters, activity's watches, the cluster-less link), not the store's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LIMITS } from '../../src/protocol/limits.js';
import { FrameEncoder } from '../../src/protocol/frame.js';
import { createLogger } from '../../src/observe/logger.js';
import { ServerMetrics } from '../../src/observe/metrics.js';
import { ChatCore } from '../../src/server/core.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { MemoryFrameLink } from '../../src/transport/memory-link.js';

export interface MembershipFigures {
  connections: number;
  groupsPerMember: number;
  memberships: number;
  heapBytesPerMembership: number;
}

/** One in-memory client: requests answered in order (one at a time). */
class MemoryClient {
  private readonly encoder = new FrameEncoder();
  private waiting: ((body: Record<string, unknown>) => void) | undefined;

  constructor(private readonly link: MemoryFrameLink) {
    link.start({
      received: () => {
        for (let body = link.next(); body !== undefined; body = link.next()) {
          if (body['id'] !== undefined) this.waiting?.(body);
        }
      },
      flushed: () => undefined,
      failed: () => undefined,
      closed: () => undefined,
    });
  }

  async request(message: Record<string, unknown>, type: string): Promise<void> {
    const reply = await new Promise<Record<string, unknown>>((resolve) => {
      this.waiting = resolve;
      this.link.send(this.encoder.encode({ ...message, id: 1 }));
    });
    if (reply['type'] !== type) throw new Error(`${String(message['type'])}: ${JSON.stringify(reply)}`);
  }
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export async function runMemberships(connections: number, groupsPerMember: number): Promise<MembershipFigures> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'termsender-bench-memberships-'));
  const limits = { ...DEFAULT_LIMITS, rateLimit: 0, queryRate: 0, createRatePerHour: 0, maxConnections: connections + 10, maxPerIp: connections + 10 };
  const config = {
    host: '127.0.0.1', port: 0, tlsMinVersion: 'TLSv1.3' as const, dataDir, registration: 'open' as const, scryptCost: { N: 1024, r: 8, p: 1 },
    logLevel: 'silent' as const, serverName: 'bench', tls: { cert: '', key: '' }, limits,
  };
  const core = await ChatCore.open(config, { store: SqliteStore.open(dataDir), logger: createLogger('silent'), metrics: new ServerMetrics() });
  try {
    const clients: MemoryClient[] = [];
    for (let i = 0; i < connections; i++) {
      const [serverEnd, clientEnd] = MemoryFrameLink.pair({ maxFrame: limits.maxFrame });
      const client = new MemoryClient(clientEnd);
      core.accept(serverEnd, core.context.addresses.peerOf(serverEnd.peer.address));
      await client.request({ type: 'register', user: `m${i}`, password: 'benchmark password' }, 'auth_ok');
      if (i === 0) {
        await client.request({ type: 'create_group', group: 'busy' }, 'group_created');
        for (let k = 1; k < groupsPerMember; k++) await client.request({ type: 'create_group', group: `quiet${k}` }, 'group_created');
      }
      await client.request({ type: 'join', group: 'busy' }, 'joined');
      clients.push(client);
    }
    const before = heapAfterGc();
    for (const client of clients) for (let k = 1; k < groupsPerMember; k++) await client.request({ type: 'join', group: `quiet${k}`, keep: true }, 'joined');
    const memberships = connections * (groupsPerMember - 1);
    return { connections, groupsPerMember, memberships, heapBytesPerMembership: (heapAfterGc() - before) / memberships };
  } finally {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
