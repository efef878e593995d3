/** TLS failures said in words: a port that does not speak TLS, and a server that wants a client certificate. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { CLIENT_SCRIPT, finished, runCommand } from '../helpers/command.js';
import { startTestServer, TEST_PASSWORD } from '../helpers/server.js';

async function lineModeAgainst(t: Parameters<typeof runCommand>[0], port: number) {
  const certs = await getTestCertificates();
  const run = runCommand(t, CLIENT_SCRIPT, ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--user', 'bot', '--group', 'ops'],
    { env: { TERMSENDER_PASSWORD: TEST_PASSWORD } });
  run.child.stdin.end();
  return finished(run);
}

test('a plain TCP port is "not a TLS server (or the wrong port)"', async (t) => {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { server.close(); });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  const result = await lineModeAgainst(t, address.port);
  assert.equal(result.code, 1);
  assert.match(result.stderr.join('\n'), /not a TLS server \(or the wrong port\)/);
});

test('a server requiring a client certificate says to use --cert and --key', async (t) => {
  const certs = await getTestCertificates();
  const server = await startTestServer(t, { clientCa: certs.ca });
  const result = await lineModeAgainst(t, server.port);
  assert.equal(result.code, 1);
  assert.match(result.stderr.join('\n'), /the server requires a client certificate: use --cert and --key/);
});

test('without --ca (trusting certs/ca.crt), a server requiring a client certificate says so at once, not "no welcome"', async (t) => {
  const certs = await getTestCertificates();
  const server = await startTestServer(t, { clientCa: certs.ca });
  // As in the README: run from a folder whose certs/ca.crt signed the server, no --ca, no known_servers yet.
  const folder = mkdtempSync(path.join(os.tmpdir(), 'termsender-tls-words-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  mkdirSync(path.join(folder, 'certs'));
  copyFileSync(certs.caPath, path.join(folder, 'certs', 'ca.crt'));
  const run = runCommand(t, CLIENT_SCRIPT, ['--host', '127.0.0.1', '--port', String(server.port), '--user', 'bot', '--group', 'ops', '--timeout', '5'],
    { cwd: folder, env: { TERMSENDER_PASSWORD: TEST_PASSWORD, XDG_CONFIG_HOME: path.join(folder, 'config') } });
  run.child.stdin.end('hello\n');
  const result = await finished(run);
  assert.equal(result.code, 1);
  assert.match(result.stderr.join('\n'), /the server requires a client certificate: use --cert and --key/);
});
