/**
 * TLS handshakes paced at the accept (issue 24, item 6): sockets accepted
 * paused and handed to TLS one per event-loop turn still all shake hands, in
 * a burst, none refused, while a connection already signed in is served
 * meanwhile. (That a turn starts no more than its share is
 * test/unit/server/handshake-pacer.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchServer, signedInClient, spawnServer, startTestServer, tempDir } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

test('a burst of 40 connections, handshakes paced one per turn: all welcomed, and a signed-in client is answered meanwhile', { timeout: 30_000 }, async (t) => {
  const server = await startTestServer(t, { limits: { handshakesPerTurn: 1 } });
  const member = await signedInClient(t, server.port, 'member');
  const count = 40;
  let secured = 0;
  const burst = Promise.all(Array.from({ length: count }, async () => {
    const client = await WireClient.connect(t, server.port);
    secured += 1;
    await client.next('welcome');
    return client;
  }));
  let pings = 0;
  while (secured < count) {
    await member.sync();
    pings += 1;
  }
  assert.equal((await burst).length, count, 'every connection was welcomed');
  assert.ok(pings >= 1);
});

test('the server command takes --handshakes-per-turn (hidden): 0 turns pacing off, a negative value is exit 2', { timeout: 30_000 }, async (t) => {
  for (const perTurn of ['0', '2']) {
    const server = await spawnServer(t, ['--data', tempDir(t), '--handshakes-per-turn', perTurn]);
    const clients = await Promise.all(Array.from({ length: 8 }, () => WireClient.connect(t, server.port)));
    for (const client of clients) assert.equal((await client.next('welcome')).type, 'welcome');
  }
  const refused = await launchServer(t, ['--data', tempDir(t), '--handshakes-per-turn', '-1']);
  refused.listening.catch(() => undefined);
  assert.equal((await refused.exited).code, 2);
});
