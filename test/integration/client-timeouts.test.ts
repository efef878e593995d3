/**
 * The client never waits for a server without a bound: no `welcome` after
 * the handshake, or no reply to `login` or `join`, ends it after `--timeout`
 * seconds (also read from TERMSENDER_TIMEOUT) with one clear line and status 1.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { ALPN_PROTOCOL } from '../../src/protocol/limits.js';
import { getTestCertificates } from '../helpers/certs.js';
import { runClient } from '../helpers/client-process.js';
import { scriptedServer } from '../helpers/scripted-server.js';
import { TEST_PASSWORD } from '../helpers/server.js';
import { plainTlsServer } from '../helpers/tls-server.js';

/** Only so that a client that hangs fails the test instead of stalling the run; nothing waits for it. */
const SAFETY_NET_MS = 10_000;

/** Completes the TLS handshake, then says nothing at all. */
async function silentServer(t: TestContext): Promise<number> {
  const certs = await getTestCertificates();
  return plainTlsServer(t, { cert: certs.serverCert, key: certs.serverKey, ALPNProtocols: [ALPN_PROTOCOL] }, (socket) => {
    socket.on('error', () => undefined);
  });
}

async function lineClient(t: TestContext, port: number, extraArgs: string[], env: NodeJS.ProcessEnv = {}) {
  const certs = await getTestCertificates();
  const client = runClient(t, ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--user', 'alice', '--group', 'g', ...extraArgs], { TERMSENDER_PASSWORD: TEST_PASSWORD, ...env });
  client.child.stdin.end();
  return client;
}

async function assertGivesUp(client: Awaited<ReturnType<typeof lineClient>>, reason: RegExp): Promise<void> {
  const code = await client.exited;
  const output = client.stderr.join('\n');
  assert.equal(code, 1, output);
  assert.equal(client.stderr.length, 1, output);
  assert.match(client.stderr[0]!, /^termsender: /);
  assert.match(client.stderr[0]!, reason);
}

test('a server that never sends welcome: the client gives up after --timeout', { timeout: SAFETY_NET_MS }, async (t) => {
  const client = await lineClient(t, await silentServer(t), ['--timeout', '1']);
  await assertGivesUp(client, /the server sent no welcome within 1 s/);
});

test('a server that never answers login: the client gives up after TERMSENDER_TIMEOUT', { timeout: SAFETY_NET_MS }, async (t) => {
  const port = await scriptedServer(t, {}, () => undefined);
  const client = await lineClient(t, port, [], { TERMSENDER_TIMEOUT: '1' });
  await assertGivesUp(client, /no reply to 'login' within 1 s/);
});

test('a server that never answers join: the client gives up after --timeout', { timeout: SAFETY_NET_MS }, async (t) => {
  const port = await scriptedServer(t, {}, (request, { send }) => {
    if (request['type'] === 'login') send({ type: 'auth_ok', id: request['id'], user: request['user'] });
  });
  const client = await lineClient(t, port, ['--timeout', '0.5']);
  await assertGivesUp(client, /no reply to 'join' within 0\.5 s/);
});

test('--timeout must be a positive number of seconds', async (t) => {
  const client = await lineClient(t, 1, ['--timeout', '0']);
  assert.equal(await client.exited, 2);
  assert.match(client.stderr.join('\n'), /--timeout must be/);
});
