/** `--only reconnect`: certificates and a data folder for one reconnect storm, and its table. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backoffDelay, DEFAULT_BACKOFF, reconnectDelay } from '../../src/client/backoff.js';
import { generateDevCertificates } from '../../src/certs/dev-certs.js';
import { UsageError } from '../../src/cli/common.js';
import type { ScryptCost } from '../../src/server/passwords.js';
import { fixed, table } from './report.js';
import { type ReconnectStormResult, runReconnectStorm } from './reconnect-storm.js';

export interface ReconnectPartOptions {
  members: number;
  /** `N,r,p` or `default`. */
  scryptCost: string;
  firstRetry: 'spread' | 'backoff';
  /** `spread`: the first retry's longest delay instead of the client's (to weigh a wider spread). */
  firstRetryMaxMs: number | undefined;
  nameLength: number;
  serverScript: string;
  signIn: 'token' | 'password';
  /** The server's hidden `--handshakes-per-turn` (undefined: its default). */
  handshakesPerTurn: number | undefined;
}

function parseCost(value: string): ScryptCost | undefined {
  if (value === 'default') return undefined;
  const [N, r, p] = value.split(',').map(Number);
  if (N === undefined || r === undefined || p === undefined || ![N, r, p].every(Number.isSafeInteger)) throw new UsageError(`--reconnect-scrypt-cost must be N,r,p or default (got '${value}')`);
  return { N, r, p };
}

export async function reconnectStormPart(options: ReconnectPartOptions, say: (line: string) => void): Promise<ReconnectStormResult> {
  const certDir = mkdtempSync(path.join(os.tmpdir(), 'termsender-bench-certs-'));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'termsender-bench-reconnect-'));
  try {
    await generateDevCertificates({ outDir: certDir, hosts: ['localhost', '127.0.0.1'], days: 1, force: true });
    // `spread`: this client's policy; `backoff`: the clients before it, whose first retry came within 0.25–0.5 s.
    const spread = { ...DEFAULT_BACKOFF, ...(options.firstRetryMaxMs === undefined ? {} : { firstRetryMaxMs: options.firstRetryMaxMs }) };
    const retry = options.firstRetry === 'spread' ? (attempt: number) => reconnectDelay(attempt, spread) : (attempt: number) => backoffDelay(attempt);
    say(`reconnect storm: ${options.members} members, scrypt cost ${options.scryptCost}, first retry ${options.firstRetry}${options.firstRetryMaxMs === undefined ? '' : ` (up to ${options.firstRetryMaxMs} ms)`}, sign-in by ${options.signIn}...`);
    return await runReconnectStorm(certDir, readFileSync(path.join(certDir, 'ca.crt'), 'utf8'), {
      members: options.members, serverScript: options.serverScript, scryptCost: parseCost(options.scryptCost), retry, nameLength: options.nameLength, signIn: options.signIn,
      ...(options.handshakesPerTurn === undefined ? {} : { serverArgs: ['--handshakes-per-turn', String(options.handshakesPerTurn)] }),
    }, dataDir, (line) => say(`  ${line}`));
  } finally {
    rmSync(certDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function reconnectStormTable(result: ReconnectStormResult, cost: string, firstRetry: string, signIn: string): string {
  const refusals = Object.entries(result.refusals).map(([code, times]) => `${code} ${times}`).join(', ') || 'none';
  // No ping answered during the storm (everyone back before the bystander's first): no figure rather than 0.0.
  const ping = (ms: number) => (result.bystander.samples === 0 ? '-' : fixed(ms, 1));
  return `\nReconnect storm (${result.members} members of one group; server restarted on the same data folder; scrypt cost ${cost}; first retry ${firstRetry}; sign-in by ${signIn}; a talker says every 100 ms, a bystander pings every 10 ms)\n${table(
    ['all back s', 'median back s', 'back within 30 s', 'server CPU s', 'ping p50 ms', 'ping p99 ms', 'ping max ms', 'messages', 'lost', 'dup'],
    [[fixed(result.allBackSeconds, 1), fixed(result.medianBackSeconds, 1), String(result.backWithin30s), fixed(result.serverCpuSeconds, 1), ping(result.bystander.p50),
      ping(result.bystander.p99), ping(result.bystander.max), String(result.messages), String(result.lost), String(result.duplicates)]],
  )}\nfailed attempts: ${refusals}; sign-ins by resume token: ${result.tokenSignIns}; the server's own event-loop delay meanwhile: p99 ${fixed(result.serverLoopDelay.p99, 1)} ms, max ${fixed(result.serverLoopDelay.max, 1)} ms\n`;
}
