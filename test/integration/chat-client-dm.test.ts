/** The client library's direct messages against a real server process over TLS: each sent exactly once across a stalled server. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { ChatClient } from '../../src/client/model/chat-client.js';
import { openTlsLink } from '../../src/client/tls-link.js';
import { getTestCertificates } from '../helpers/certs.js';
import { signedInClient, spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';

test('ChatClient.dm across a server stalled (SIGSTOP) past the timeout: resolved by the reconnect with the seq it was stored at, stored and received once', async (t) => {
  const server = await spawnServer(t, ['--data', tempDir(t)]);
  const bob = await signedInClient(t, server.port, 'bob');
  const { caPath } = await getTestCertificates();
  const alice = await ChatClient.open({
    connect: () => openTlsLink({ host: '127.0.0.1', port: server.port, caFile: caPath, timeoutMs: 2_000 }),
    timeoutMs: 2_000,
    reconnectForMs: 30_000,
    backoff: { initialMs: 100, maxMs: 500, random: () => 0 },
  });
  t.after(() => alice.destroy());
  await alice.signIn({ user: 'alice', password: TEST_PASSWORD }, { register: true });
  // The first: its conversation's seq asked before it is written (none yet: 0).
  assert.equal((await alice.dm('bob', 'first')).seq, 1);
  assert.equal((await bob.next('dm')).text, 'first');
  // Out of any group, only a message in flight makes it reconnect: `reconnecting`, not `lost`.
  const reconnecting = once(alice, 'reconnecting');
  server.child.kill('SIGSTOP');
  let said;
  try {
    said = alice.dm('bob', 'during the stall');
    await reconnecting;
  } finally {
    server.child.kill('SIGCONT');
  }
  const copy = await bob.next('dm');
  assert.equal(copy.text, 'during the stall');
  assert.deepEqual(await said, { seq: 2, ts: copy.ts });
  assert.equal((await alice.dm('bob', 'after')).seq, 3);
  assert.equal((await bob.next('dm')).text, 'after', 'the one during the stall came once');
  const page = await bob.request({ type: 'dm_history', user: 'alice' });
  assert.deepEqual(page.type === 'dm_history' && page.messages.map((message) => message.text), ['first', 'during the stall', 'after']);
  await alice.close();
});
