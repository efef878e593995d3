/**
 * The current client keeps working with removed messages (issue 22: showing
 * them is the client's later issue): line mode takes `message_deleted` and a
 * history holding a tombstone without a protocol error, and goes on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runClient } from '../helpers/client-process.js';
import { getTestCertificates } from '../helpers/certs.js';
import { signedInClient, startTestServer, TEST_PASSWORD } from '../helpers/server.js';
import { say } from '../helpers/wire-client.js';

test('line mode: a group history with a removed message, then message_deleted, then a message: no error, the message is printed', async (t) => {
  const server = await startTestServer(t);
  const talker = await signedInClient(t, server.port, 'talker', 'room');
  await say(talker, 'oops, wrong window');
  assert.equal((await talker.request({ type: 'delete_message', group: 'room', seq: 1 })).type, 'ok');
  await say(talker, 'also to be removed');
  await signedInClient(t, server.port, 'listener');
  const certs = await getTestCertificates();
  const listener = runClient(t, ['--host', '127.0.0.1', '--port', String(server.port), '--ca', certs.caPath, '--user', 'listener', '--group', 'room'],
    { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await talker.next('presence');
  assert.equal((await talker.request({ type: 'delete_message', group: 'room', seq: 2 })).type, 'ok');
  await say(talker, 'still there?');
  assert.equal(await listener.line(/still there/), '[room] talker: still there?');
  listener.child.stdin.end();
  assert.equal(await listener.exited, 0, listener.stderr.join('\n'));
  assert.deepEqual(listener.stderr, []);
});
