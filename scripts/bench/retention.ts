/**
 * Retention under load: a SQLite data folder filled with a large history
 * (straight SQL, not over the wire), then a real server that prunes most of
 * it (`--retention-days 7`, the old messages 30 days old) while one client
 * says a message every 5 ms, one at a time, timing say → ack. The same with
 * the same data and no retention is the baseline (over as long as the pass
 * took). Only samples sent while the pass ran count for the pruning figures.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite.js';
import { LatencyHistogram } from './histogram.js';
import { startChild } from './processes.js';
import { StormClient } from './storm-client.js';

const DAY_MS = 86_400_000;
const ROWS_PER_TRANSACTION = 50_000;
const SAY_GAP_MS = 5;

export interface Latency { samples: number; p50: number; p99: number; max: number }

export interface RetentionFigures {
  stored: number;
  groups: number;
  fillSeconds: number;
  pruned: number;
  batches: number;
  longestBatchMs: number;
  passSeconds: number;
  /** The same rows deleted by one statement, as a server without batches would (it answers nothing meanwhile). */
  oneDeleteSeconds: number;
  baseline: Latency;
  pruning: Latency;
}

/** `groups` groups of `perGroup` messages (100-byte texts), the oldest `oldFraction` of each 30 days old. */
function fill(dataDir: string, groups: number, perGroup: number, oldFraction: number): void {
  void SqliteStore.open(dataDir).close(); // the schema, as the server makes it
  const db = new Database(path.join(dataDir, 'termsender.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insertGroup = db.prepare('INSERT INTO groups (name_key, name, created_at, last_seq) VALUES (?, ?, ?, ?)');
  const insert = db.prepare('INSERT INTO messages (group_key, seq, sender, text, ts) VALUES (?, ?, ?, ?, ?)');
  const now = Date.now();
  const text = 'x'.repeat(100);
  const old = Math.floor(perGroup * oldFraction);
  for (let g = 0; g < groups; g++) {
    const key = `history${g}`;
    insertGroup.run(key, key, now, perGroup);
    for (let from = 1; from <= perGroup; from += ROWS_PER_TRANSACTION) {
      db.transaction(() => {
        for (let seq = from; seq < from + ROWS_PER_TRANSACTION && seq <= perGroup; seq++) {
          insert.run(key, seq, 'filler', text, seq <= old ? now - 30 * DAY_MS : now);
        }
      })();
    }
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Seconds one DELETE of every message older than 7 days takes on a copy of the folder, settings as the server's. */
function oneDelete(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'termsender.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const started = performance.now();
  db.prepare('DELETE FROM messages WHERE ts < ?').run(Date.now() - 7 * DAY_MS);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return seconds;
}

function figures(samples: Array<{ at: number; ms: number }>): Latency {
  const histogram = new LatencyHistogram();
  for (const sample of samples) histogram.record(sample.ms);
  return { samples: histogram.count, p50: histogram.percentile(0.5), p99: histogram.percentile(0.99), max: histogram.max };
}

interface Pass { messages: number; batches: number; longest_batch_ms: number; ms: number; endedAt: number }

/** Starts a server on `dataDir`; says every 5 ms until `until` settles; returns the samples (send time, latency) and the pass, if any. */
async function measure(certDir: string, ca: string, dataDir: string, extraArgs: string[], until: (pass: Promise<Pass>) => Promise<unknown>)
  : Promise<{ samples: Array<{ at: number; ms: number }>; pass: Pass | undefined }> {
  const server = await startChild('src/cli/server.js', ['--port', '0', '--cert', path.join(certDir, 'server.crt'), '--key', path.join(certDir, 'server.key'),
    '--data', dataDir, '--rate-limit', '0', '--log-level', 'info', '--log-format', 'json', '--scrypt-cost', '1024,8,1', ...extraArgs]);
  let pass: Pass | undefined;
  const passed = new Promise<Pass>((resolve) => {
    createInterface({ input: server.process.stderr! }).on('line', (line) => {
      if (!line.includes('"retention pruned"')) return;
      const fields = JSON.parse(line) as { messages: number; batches: number; ms: number; longest_batch_ms: number };
      pass = { ...fields, endedAt: performance.now() };
      resolve(pass);
    });
  });
  const samples: Array<{ at: number; ms: number }> = [];
  try {
    const client = await StormClient.connect(server.port, ca);
    await client.request({ type: 'register', user: 'probe', password: 'benchmark password' }, 'auth_ok');
    await client.request({ type: 'create_group', group: 'probe' }, 'group_created');
    await client.request({ type: 'join', group: 'probe' }, 'joined');
    let done = false;
    void until(passed).then(() => { done = true; });
    for (let id = 1; !done; id++) {
      const at = performance.now();
      await client.request({ type: 'say', id, text: `probe ${id}` }, 'ack');
      samples.push({ at, ms: performance.now() - at });
      await sleep(SAY_GAP_MS);
    }
    client.socket.destroy();
  } finally {
    await server.stop();
  }
  return { samples, pass };
}

export async function runRetention(certDir: string, ca: string, stored: number, say: (line: string) => void): Promise<RetentionFigures> {
  const groups = 10;
  const perGroup = Math.ceil(stored / groups);
  const pruneDir = mkdtempSync(path.join(os.tmpdir(), 'termsender-bench-retention-'));
  const baseDir = `${pruneDir}-baseline`;
  const oneDir = `${pruneDir}-one-delete`;
  try {
    say(`filling ${groups} groups with ${perGroup * groups} messages (90% of them 30 days old)...`);
    const fillStarted = performance.now();
    fill(pruneDir, groups, perGroup, 0.9);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    cpSync(pruneDir, baseDir, { recursive: true });
    cpSync(pruneDir, oneDir, { recursive: true });
    const oneDeleteSeconds = oneDelete(oneDir);
    rmSync(oneDir, { recursive: true, force: true });
    say('server with --retention-days 7, saying every 5 ms while it prunes...');
    const pruning = await measure(certDir, ca, pruneDir, ['--retention-days', '7'], (pass) => pass);
    const pass = pruning.pass!;
    const during = pruning.samples.filter((sample) => sample.at >= pass.endedAt - pass.ms && sample.at <= pass.endedAt);
    say(`same data without retention, for ${(pass.ms / 1000).toFixed(1)} s...`);
    const baseline = await measure(certDir, ca, baseDir, [], () => sleep(Math.max(pass.ms, 2000)));
    return {
      stored: perGroup * groups, groups, fillSeconds, pruned: pass.messages, batches: pass.batches, longestBatchMs: pass.longest_batch_ms,
      passSeconds: pass.ms / 1000, oneDeleteSeconds,
      baseline: figures(baseline.samples), pruning: figures(during),
    };
  } finally {
    rmSync(pruneDir, { recursive: true, force: true });
    rmSync(baseDir, { recursive: true, force: true });
    rmSync(oneDir, { recursive: true, force: true });
  }
}
