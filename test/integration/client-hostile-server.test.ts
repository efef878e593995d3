/**
 * A server that breaks the protocol cannot crash the client: whatever it
 * sends, the client ends with one clear line and a failure status, never a
 * stack trace, and prints nothing the server controls unfiltered.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type tls from 'node:tls';
import { encode } from '@msgpack/msgpack';
import { ALPN_PROTOCOL } from '../../src/protocol/limits.js';
import { getTestCertificates } from '../helpers/certs.js';
import { runClient } from '../helpers/client-process.js';
import { answerSignInAndJoin, scriptedServer } from '../helpers/scripted-server.js';
import { TEST_PASSWORD } from '../helpers/server.js';
import { plainTlsServer } from '../helpers/tls-server.js';

function frame(body: Uint8Array): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

/** Only so that a client that hangs fails the test instead of stalling the run; nothing waits for it. */
const SAFETY_NET_MS = 10_000;

/** A length prefix of 1 MiB and a few bytes of body: judged by the prefix alone, the rest never comes. */
const megabytePrefix = Buffer.from([0x00, 0x10, 0x00, 0x00, 0x81, 0xa4]);

const welcome = frame(encode({ type: 'welcome', version: 1, server: 'hostile', max_frame: 65_536, registration: true }));

/**
 * A server that greets properly when asked to, then answers the client's
 * first frame with `reply`, and closes after it when asked to.
 */
async function hostileServer(t: TestContext, reply: Buffer, greet: boolean, close: boolean): Promise<number> {
  const certs = await getTestCertificates();
  return plainTlsServer(t, { cert: certs.serverCert, key: certs.serverKey, ALPNProtocols: [ALPN_PROTOCOL] }, (socket: tls.TLSSocket) => {
    socket.on('error', () => undefined);
    const answer = () => (close ? socket.end(reply) : socket.write(reply));
    if (greet) {
      socket.write(welcome);
      socket.once('data', answer);
    } else {
      answer();
    }
  });
}

/** What the server sends, whether it greets first, and whether it closes after. */
const cases: Array<[string, Buffer, boolean?, boolean?]> = [
  ['a length prefix of 4 GiB', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x81])],
  ['a body that is not MessagePack', frame(Buffer.from([0xc1, 0xc1, 0xc1]))],
  ['a body that is an array', frame(encode([1, 2, 3]))],
  ['a reply of an unknown message type (with the id of the request)', frame(encode({ type: 'launch_missiles', id: 1 }))],
  ['a reply with fields of the wrong type', frame(encode({ type: 'auth_ok', id: 1, user: 42 }))],
  ['an error with an unknown code and escape sequences', frame(encode({ type: 'error', id: 1, code: '\u001b[2J', message: '\u001b]0;pwned\u0007' }))],
  ['a malformed welcome', frame(encode({ type: 'welcome', version: 'one' })), false],
  ['a frame cut short, then a close', Buffer.from([0, 0, 0, 50, 0x81]), true, true],
  ['a first frame of 1 MiB, before any welcome', megabytePrefix, false],
  ['a reply of 1 MiB, over the max_frame of its welcome', megabytePrefix],
];

for (const [name, reply, greet, close] of cases) {
  test(`a server that sends ${name} gets one clear line and status 1 from the client`, { timeout: SAFETY_NET_MS }, async (t) => {
    const port = await hostileServer(t, reply, greet ?? true, close ?? false);
    const certs = await getTestCertificates();
    const client = runClient(t, ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--user', 'alice', '--group', 'g'], { TERMSENDER_PASSWORD: TEST_PASSWORD });
    client.child.stdin.end('hello\n');
    const code = await client.exited;
    const output = [...client.stdout, ...client.stderr].join('\n');
    assert.equal(code, 1, output);
    assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(output, /\u001b/, 'nothing the server sent reaches the terminal raw');
    assert.ok(client.stderr.some((line) => line.startsWith('termsender: ')), output);
  });
}

/**
 * The contrast to "an unknown message type" above (a reply, with the id of the
 * client's request, so a violation): the December additions send unsolicited
 * types this client does not use, and protocol.md lets a client ignore them.
 */
test('unsolicited messages of types the client does not know are ignored; the session goes on', { timeout: SAFETY_NET_MS }, async (t) => {
  const port = await scriptedServer(t, {}, (request, connection) => {
    answerSignInAndJoin(request, connection);
    if (request['type'] === 'join') {
      connection.send({ type: 'topic', group: 'g', topic: 'release day', by: 'bob' });
      connection.send({ type: 'activity', group: 'other', last_seq: 7, unread: 3, mention: false });
      connection.send({ type: 'group_deleted', group: 'old', by: 'bob' });
      connection.send({ type: 'kicked', group: 'old', by: 'bob', banned: false });
      connection.send({ type: 'something_newer', payload: [1, 2, 3] });
      connection.send({ type: 'msg', group: 'g', seq: 1, from: 'bob', text: 'still here', ts: 1_700_000_000_000 });
    }
    if (request['type'] === 'say') connection.send({ type: 'ack', id: request['id'], seq: 2, ts: 1_700_000_000_001 });
  });
  const certs = await getTestCertificates();
  const client = runClient(t, ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--user', 'alice', '--group', 'g'], { TERMSENDER_PASSWORD: TEST_PASSWORD });
  assert.equal(await client.line(/^\[g\]/), '[g] bob: still here');
  client.child.stdin.end('hello\n');
  const output = [...client.stdout, ...client.stderr].join('\n');
  assert.equal(await client.exited, 0, output);
  assert.deepEqual(client.stderr, [], output);
});
