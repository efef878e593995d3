import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import tls from 'node:tls';
import { certificateFingerprint, DEV_CERT_FILES, generateDevCertificates } from '../../../src/certs/dev-certs.js';
import { getTestCertificates } from '../../helpers/certs.js';
import { REPO_ROOT, tempDir } from '../../helpers/server.js';
import { plainTlsServer } from '../../helpers/tls-server.js';

/** A bare Node TLS server with the given certificate, on 127.0.0.1 port 0. */
const tlsServer = (t: TestContext, options: tls.TlsOptions) => plainTlsServer(t, options, (socket) => socket.end());

/** Resolves with the handshake's failure code, or 'ok'. */
async function handshake(options: tls.ConnectionOptions): Promise<string> {
  const socket = tls.connect(options);
  try {
    await Promise.race([once(socket, 'secureConnect'), once(socket, 'error').then(([error]) => Promise.reject(error))]);
    return 'ok';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  } finally {
    socket.destroy();
  }
}

test('the server certificate verifies for localhost, 127.0.0.1 and ::1 with only ca.crt trusted', async (t) => {
  const certs = await getTestCertificates();
  const port = await tlsServer(t, { cert: certs.serverCert, key: certs.serverKey });
  assert.equal(await handshake({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca }), 'ok');
  assert.equal(await handshake({ host: '127.0.0.1', port, ca: certs.ca }), 'ok');
  const peer = new X509Certificate(certs.serverCert);
  assert.equal(peer.checkIP('::1'), '::1');
  assert.equal(peer.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(peer.checkHost('localhost'), 'localhost');
  assert.equal(await handshake({ host: '127.0.0.1', port, servername: 'example.com', ca: certs.ca }), 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.equal(await handshake({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.rogue.ca }), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.equal(await handshake({ host: '127.0.0.1', port, servername: 'localhost' }), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
});

test('key usages: serverAuth on the server, clientAuth on the client, CA flag on the CA', async () => {
  const certs = await getTestCertificates();
  const server = new X509Certificate(certs.serverCert);
  const client = new X509Certificate(certs.clientCert);
  const ca = new X509Certificate(certs.ca);
  assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.deepEqual(client.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.equal(ca.ca, true);
  assert.equal(server.ca, false);
  assert.ok(server.checkIssued(ca) && client.checkIssued(ca));
  assert.match(server.subjectAltName ?? '', /DNS:localhost.*IP Address:127\.0\.0\.1.*IP Address:0:0:0:0:0:0:0:1/i);
});

test('mutual TLS works with the client certificate', async (t) => {
  const certs = await getTestCertificates();
  const port = await tlsServer(t, { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true, rejectUnauthorized: true });
  assert.equal(await handshake({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, cert: certs.clientCert, key: certs.clientKey }), 'ok');
});

test('keys are written with mode 0600; existing files are kept without force', async (t) => {
  const dir = tempDir(t);
  const first = await generateDevCertificates({ outDir: dir, hosts: ['localhost'], days: 1, force: false });
  for (const file of DEV_CERT_FILES) {
    const mode = statSync(path.join(dir, file)).mode & 0o777;
    assert.equal(mode, file.endsWith('.key') ? 0o600 : 0o644, file);
  }
  const before = readFileSync(first.files['server.crt'], 'utf8');
  await assert.rejects(generateDevCertificates({ outDir: dir, hosts: ['localhost'], days: 1, force: false }), /refusing to overwrite/);
  assert.equal(readFileSync(first.files['server.crt'], 'utf8'), before);
  writeFileSync(first.files['ca.key'], 'old');
  const second = await generateDevCertificates({ outDir: dir, hosts: ['localhost'], days: 1, force: true });
  assert.notEqual(readFileSync(second.files['server.crt'], 'utf8'), before);
  assert.equal(statSync(second.files['ca.key']).mode & 0o777, 0o600);
  assert.equal(second.fingerprint, certificateFingerprint(readFileSync(second.files['server.crt'])));
});

async function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/scripts/gen-certs.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}

test('the gen-certs CLI prints the fingerprint and refuses bad input with one clear line', async (t) => {
  const dir = tempDir(t);
  const ok = await runCli(['--out', dir, '--hosts', 'localhost,127.0.0.1']);
  assert.equal(ok.code, 0, ok.stderr);
  const fingerprint = /fingerprint: ([0-9A-F:]+)/.exec(ok.stdout)?.[1];
  assert.equal(fingerprint, certificateFingerprint(readFileSync(path.join(dir, 'server.crt'))));
  assert.doesNotMatch(ok.stdout, /PRIVATE KEY/);
  const again = await runCli(['--out', dir]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /refusing to overwrite/);
  const badDays = await runCli(['--out', dir, '--days', '0']);
  assert.notEqual(badDays.code, 0);
  assert.match(badDays.stderr, /--days/);
  assert.doesNotMatch(badDays.stderr, /Options:/, 'no help text for a usage error');
  const badHost = await runCli(['--out', dir, '--hosts', 'bad host!']);
  assert.notEqual(badHost.code, 0);
  assert.match(badHost.stderr, /bad host!/);
});
