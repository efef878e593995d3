/** ChatCore in memory: admission at accept, health, and its close. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startMemoryServer } from '../../helpers/memory-server.js';

test('a stopping core refuses new connections with server_busy and says draining', async (t) => {
  const server = await startMemoryServer(t);
  assert.deepEqual(await server.core.health(), { status: 'ok' });
  const open = server.connect();
  await open.next('welcome');
  server.core.stopAccepting();
  assert.deepEqual(await server.core.health(), { status: 'draining', reason: 'the server is shutting down' });
  const late = server.connect();
  const refused = await late.next('error');
  assert.equal(refused.code, 'server_busy');
  await late.closed;
  assert.equal(server.core.openConnections, 1);
  await server.core.close('bye for now');
  assert.equal((await open.next('shutdown')).message, 'bye for now');
  await open.closed;
  assert.equal(server.core.openConnections, 0);
});

test('accept past max_connections answers server_busy; a closed connection frees its place', async (t) => {
  const server = await startMemoryServer(t, { limits: { maxConnections: 1 } });
  const first = server.connect();
  await first.next('welcome');
  const second = server.connect();
  assert.equal((await second.next('error')).code, 'server_busy');
  first.send({ type: 'bye' });
  await first.closed;
  const third = server.connect();
  await third.next('welcome');
});
