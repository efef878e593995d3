/**
 * An idle client keeps its session: it pings the server more often than the
 * idle timeout that `welcome` announces, and takes a server that stops
 * answering for gone. Against a scripted server that counts the pings.
 */
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { type TestContext, test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { runClient } from '../helpers/client-process.js';
import { TEST_PASSWORD } from '../helpers/server.js';
import { answerSignInAndJoin, scriptedServer } from '../helpers/scripted-server.js';

/** Greets with `idle_timeout: 1`, answers sign-in and join, and answers pings only when `pong` is set. */
async function pingCountingServer(t: TestContext, pong: boolean): Promise<{ port: number; pings: EventEmitter }> {
  const pings = new EventEmitter();
  let count = 0;
  const port = await scriptedServer(t, { idle_timeout: 1 }, (request, connection) => {
    answerSignInAndJoin(request, connection);
    if (request['type'] !== 'ping') return;
    pings.emit('ping', ++count);
    if (pong) connection.send({ type: 'pong', id: request['id'] });
  });
  return { port, pings };
}

async function lineClient(t: TestContext, port: number, ...more: string[]) {
  const certs = await getTestCertificates();
  return runClient(t, ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--user', 'alice', '--password', TEST_PASSWORD, '--group', 'g', ...more]);
}

test('an idle client pings within the idle timeout that welcome announces', async (t) => {
  const server = await pingCountingServer(t, true);
  const client = await lineClient(t, server.port);
  for (let seen = 0; seen < 3;) [seen] = (await once(server.pings, 'ping')) as [number];
  client.child.stdin.end();
  assert.equal(await client.exited, 0, client.stderr.join('\n'));
});

test('a server that stops answering pings is taken for gone: the client says so and fails', async (t) => {
  const server = await pingCountingServer(t, false);
  // Without reconnecting (client-line-reconnect.test.ts covers what follows a drop with it).
  const client = await lineClient(t, server.port, '--reconnect-for', '0');
  await once(server.pings, 'ping');
  await client.errorLine(/^connection lost: the server stopped answering/);
  client.child.stdin.end();
  assert.equal(await client.exited, 1);
});
