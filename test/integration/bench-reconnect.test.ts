/**
 * A small reconnect storm of the benchmark, as a correctness check only:
 * after a server restart on the same data folder every member comes back
 * with the client's retry policy and holds every message exactly once.
 * Never a timing assertion.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconnectDelay } from '../../src/client/backoff.js';
import { runReconnectStorm } from '../../scripts/bench/reconnect-storm.js';
import { getTestCertificates } from '../helpers/certs.js';
import { tempDir, TEST_SCRYPT_COST } from '../helpers/server.js';

test('reconnect storm: 12 members back after a restart, nothing lost, nothing repeated', async (t) => {
  const certs = await getTestCertificates();
  const result = await runReconnectStorm(certs.dir, certs.ca, {
    members: 12, serverScript: 'src/cli/server.js', scryptCost: TEST_SCRYPT_COST, nameLength: 30, signIn: 'token',
    retry: (attempt) => reconnectDelay(attempt, { initialMs: 100, maxMs: 1_000, random: Math.random, firstRetryMaxMs: 1_000 }),
  }, tempDir(t), () => undefined);
  assert.equal(result.members, 12);
  assert.ok(result.messages > 20, `messages said before and during the storm (${result.messages})`);
  assert.deepEqual({ lost: result.lost, duplicates: result.duplicates }, { lost: 0, duplicates: 0 });
  // Every member came back by its resume token (the server kept the tokens' hashes across the restart).
  assert.ok(result.tokenSignIns >= 12, `sign-ins by resume token: ${result.tokenSignIns}`);
  // The bystander's pings are figures, not a check: 12 members may all be back before its own reconnect pings once.
});
