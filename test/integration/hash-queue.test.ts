/**
 * The password-hashing queue under a flood of logins (issue 15, item 3): the
 * queued hashes of closed connections are dropped, addresses are served in
 * turn, and one address may have only a few hashes waiting. The real CLI with
 * a scrypt cost high enough that a flood takes seconds to hash.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

/** 16 MiB per hash: tens of milliseconds each, so a flood of them takes seconds. */
const FLOOD_COST = '16384,8,1';
const FLOOD_SIZE = 150;

async function welcomed(t: TestContext, port: number, localAddress: string): Promise<WireClient> {
  const client = await WireClient.connect(t, port, { localAddress });
  await client.next('welcome');
  return client;
}

/** How long a login of `user` takes from `localAddress`, request to reply. */
async function timedLogin(t: TestContext, port: number, localAddress: string, user: string): Promise<number> {
  const client = await welcomed(t, port, localAddress);
  const started = performance.now();
  const reply = await client.request({ type: 'login', user, password: TEST_PASSWORD });
  const elapsed = performance.now() - started;
  assert.equal(reply.type, 'auth_ok');
  client.destroy();
  return elapsed;
}

/** A server with an account `bystander`, and how long one login takes when nothing else is queued. */
async function serverWithBystander(t: TestContext, args: string[] = []) {
  const server = await spawnServer(t, ['--data', tempDir(t), '--scrypt-cost', FLOOD_COST, ...args]);
  const account = await welcomed(t, server.port, '127.0.0.2');
  assert.equal((await account.request({ type: 'register', user: 'bystander', password: TEST_PASSWORD })).type, 'auth_ok');
  account.destroy();
  const quiet = await timedLogin(t, server.port, '127.0.0.2', 'bystander');
  // A fixed queue makes the bystander wait a few hashes; the flood alone is FLOOD_SIZE / 2 hashes.
  return { port: server.port, boundMs: Math.max(2_000, 8 * quiet), quiet };
}

/** FLOOD_SIZE connections from `localAddress`, each with a login (of a name no one has) that it does not wait for. */
async function flood(t: TestContext, port: number, localAddress: string): Promise<WireClient[]> {
  const clients = await Promise.all(Array.from({ length: FLOOD_SIZE }, () => welcomed(t, port, localAddress)));
  clients.forEach((client, i) => client.send({ type: 'login', user: `flood${i}`, password: TEST_PASSWORD, id: 1 }));
  return clients;
}

test('logins of connections that are gone are dropped from the hashing queue: the next login waits for none of them', async (t) => {
  const { port, boundMs, quiet } = await serverWithBystander(t);
  const clients = await flood(t, port, '127.0.0.1');
  for (const client of clients) client.destroy();
  await Promise.all(clients.map((client) => client.closed));
  // From the same address: no fairness between addresses helps here, only dropping the dead hashes.
  const waited = await timedLogin(t, port, '127.0.0.1', 'bystander');
  assert.ok(waited < boundMs, `a login after ${FLOOD_SIZE} abandoned ones took ${Math.round(waited)} ms (alone: ${Math.round(quiet)} ms, bound ${Math.round(boundMs)} ms)`);
});

test('addresses are served in turn: a flood from one address delays another address by a few hashes only', async (t) => {
  const { port, boundMs, quiet } = await serverWithBystander(t);
  const clients = await flood(t, port, '127.0.0.1'); // loopback is exempt by default: no per-address cap here
  const waited = await timedLogin(t, port, '127.0.0.2', 'bystander');
  assert.ok(waited < boundMs, `a login behind ${FLOOD_SIZE} queued ones from another address took ${Math.round(waited)} ms (alone: ${Math.round(quiet)} ms, bound ${Math.round(boundMs)} ms)`);
  // The flood is still being answered, in its turn.
  assert.equal((await clients[0]!.next('error')).code, 'auth_failed');
});

test('one address may have only a few hashes waiting: more get unavailable at once, other addresses are unaffected', async (t) => {
  const { port, boundMs } = await serverWithBystander(t, ['--ip-limit-exempt', 'none']);
  const clients = await Promise.all(Array.from({ length: 12 }, () => welcomed(t, port, '127.0.0.1')));
  const replies = await Promise.all(clients.map((client, i) => client.request({ type: 'login', user: `flood${i}`, password: TEST_PASSWORD })));
  const codes = replies.map((reply) => (reply.type === 'error' ? reply.code : reply.type));
  const refused = codes.filter((code) => code === 'unavailable').length;
  const checked = codes.filter((code) => code === 'auth_failed').length;
  assert.equal(refused + checked, 12, codes.join(','));
  assert.ok(refused >= 1, `some were refused at once (${codes.join(',')})`);
  assert.ok(checked >= 6, `the two hashing and the four waiting were answered (${codes.join(',')})`);
  assert.ok(await timedLogin(t, port, '127.0.0.2', 'bystander') < boundMs);
});

test('--auth-timeout does not count the time a login waits for a hashing slot: a long queue is answered, not cut', async (t) => {
  const { port, quiet } = await serverWithBystander(t, ['--auth-timeout', '1']);
  // Enough correct logins that the last ones wait in the queue well past the 1 s limit (two hash at once): about 4 s of hashing.
  const size = Math.min(300, Math.max(40, Math.ceil((2 * 4_000) / Math.max(quiet, 1))));
  const clients = await Promise.all(Array.from({ length: size }, () => welcomed(t, port, '127.0.0.1')));
  const started = performance.now();
  clients.forEach((client) => client.send({ type: 'login', user: 'bystander', password: TEST_PASSWORD, id: 1 }));
  const codes: string[] = [];
  // One after another: each reply may take the helper's wait from the one before.
  for (const client of clients) {
    const reply = await client.next((message) => message.type === 'auth_ok' || message.type === 'error');
    codes.push(reply.type === 'error' ? reply.code : reply.type);
  }
  const elapsed = performance.now() - started;
  assert.deepEqual(codes.filter((code) => code !== 'auth_ok'), [], `${size} logins, ${Math.round(elapsed)} ms`);
  assert.ok(elapsed > 2_000, `the queue took ${Math.round(elapsed)} ms: too short to test the limit`);
  // The limit itself still holds for a connection that does not sign in.
  const idle = await welcomed(t, port, '127.0.0.1');
  assert.equal((await idle.next('error')).code, 'auth_timeout');
});
