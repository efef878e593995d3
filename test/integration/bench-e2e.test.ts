/**
 * A quick end-to-end run of the benchmark, as a correctness check only: no
 * delivery lost or duplicated, order per sender kept. Never a timing assertion.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { type E2eOptions, type E2eTarget, runE2e } from '../../scripts/bench/e2e.js';
import { startChild } from '../../scripts/bench/processes.js';
import { getTestCertificates } from '../helpers/certs.js';
import { tempDir, TEST_SCRYPT_COST } from '../helpers/server.js';

async function quickRun(t: Parameters<typeof tempDir>[0], target: E2eTarget, options: Partial<E2eOptions>) {
  const certs = await getTestCertificates();
  const files = ['--cert', certs.serverCertPath, '--key', certs.serverKeyPath];
  const child = target === 'server'
    ? await startChild('src/cli/server.js', ['--port', '0', ...files, '--data', path.join(tempDir(t), 'data'), '--rate-limit', '0', '--log-level', 'warn',
      '--scrypt-cost', `${TEST_SCRYPT_COST.N},${TEST_SCRYPT_COST.r},${TEST_SCRYPT_COST.p}`])
    : await startChild('scripts/bench/relay.js', ['--port', '0', ...files]);
  t.after(() => child.stop());
  return runE2e(target, { pids: () => [child.process.pid!], ports: [child.port] }, {
    members: 6, senders: 2, bytes: 64, seconds: 1, mode: 'max', rate: 0, window: 8, ca: certs.ca, progress: () => undefined, ...options,
  });
}

for (const [target, mode] of [['server', 'max'], ['server', 'open'], ['relay', 'max']] as const) {
  test(`bench ${target} ${mode}: nothing lost, nothing duplicated, order kept`, async (t) => {
    const result = await quickRun(t, target, { mode, rate: 500 });
    assert.ok(result.sent > 0 && result.deliveredPerSecond > 0);
    assert.deepEqual({ lost: result.lost, duplicates: result.duplicates, outOfOrder: result.outOfOrder, closed: result.closedMembers },
      { lost: 0, duplicates: 0, outOfOrder: 0, closed: 0 });
    assert.ok(result.latencyMs.p50 > 0 && result.latencyMs.p50 <= result.latencyMs.p99 && result.latencyMs.p99 <= result.latencyMs.max + 0.01);
    assert.ok(result.serverCpuMicros >= 0 && result.peakRssBytes > 0);
  });
}

test('bench server max with each member in several groups (the busy one not current): nothing lost, nothing duplicated, order kept', async (t) => {
  const result = await quickRun(t, 'server', { groupsPerMember: 4 });
  assert.equal(result.groupsPerMember, 4);
  assert.ok(result.sent > 0);
  assert.deepEqual({ lost: result.lost, duplicates: result.duplicates, outOfOrder: result.outOfOrder, closed: result.closedMembers },
    { lost: 0, duplicates: 0, outOfOrder: 0, closed: 0 });
});
