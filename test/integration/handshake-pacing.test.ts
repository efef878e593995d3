/**
 * TLS handshakes are paced at the accept (issue 24, item 6): a burst of new
 * connections shakes hands at the configured rate, in turn, none refused,
 * while a connection already signed in is served meanwhile.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedInClient, startTestServer } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

test('a burst of connections shakes hands at --handshake-rate, each in turn and none refused; a signed-in client is answered meanwhile', { timeout: 30_000 }, async (t) => {
  const rate = 5;
  const server = await startTestServer(t, { limits: { handshakeRate: rate } });
  const member = await signedInClient(t, server.port, 'member');
  // The member's own handshake took the burst's one token: the next one comes 1/rate s later.
  const count = 10;
  const started = performance.now();
  const secured: number[] = [];
  const burst = Promise.all(Array.from({ length: count }, async () => {
    const client = await WireClient.connect(t, server.port);
    secured.push(performance.now() - started);
    await client.next('welcome');
    return client;
  }));
  const pings: number[] = [];
  while (secured.length < count) {
    const sent = performance.now();
    await member.sync();
    pings.push(performance.now() - sent);
  }
  assert.equal((await burst).length, count, 'every connection was welcomed');
  const spread = Math.max(...secured) - Math.min(...secured);
  // Paced: about (count - 1) / rate s between the first and the last; unpaced, all within a few tens of ms.
  assert.ok(spread >= (0.6 * (count - 1) * 1000) / rate, `handshakes done over ${Math.round(spread)} ms at ${rate}/s`);
  assert.ok(Math.max(...pings) < 1_000, `the signed-in member was answered meanwhile (slowest ping ${Math.round(Math.max(...pings))} ms)`);
});
