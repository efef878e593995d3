/**
 * TLS handshakes paced at the accept (issue 24, item 6): sockets accepted
 * paused and handed to TLS one per event-loop turn still all shake hands, in
 * a burst, none refused, while a connection already signed in is served
 * meanwhile. (That a turn starts no more than its share is
 * test/unit/server/handshake-pacer.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedInClient, startTestServer } from '../helpers/server.js';
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
