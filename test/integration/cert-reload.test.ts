/**
 * Renewing the certificate without a restart, as an operator does it: the
 * real server (`--cert`, `--key`, `--client-ca` files in a folder of the
 * test's own), the files replaced, `kill -HUP`. Connected clients stay and
 * chat; new ones get the new certificate; files that do not load leave the old
 * one in use with one error line; a certificate near its end is warned about
 * and its notAfter is a metric. `--workers 2`: the primary passes SIGHUP on.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { generateDevCertificates } from '../../src/certs/dev-certs.js';
import { getTestCertificates, renewedServerCertificate } from '../helpers/certs.js';
import { type CommandRun, listeningPort, runCommand, SERVER_SCRIPT, stop } from '../helpers/command.js';
import type { LineWatcher } from '../helpers/lines.js';
import { scrape } from '../helpers/metrics.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { signedInClient, tempDir } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

const RELOADED = /certificate reload(ed| failed)/;

/** The fingerprint of the certificate the server on `port` shows a new client now. */
async function servedFingerprint(t: TestContext, port: number, options: { ca?: string } = {}): Promise<string> {
  const client = await WireClient.connect(t, port, options);
  const fingerprint = client.socket.getPeerCertificate().fingerprint256;
  client.destroy();
  return fingerprint;
}

/** The server's certificate and key copied into a folder of the test's own, where they can be replaced. */
async function certificateFolder(t: TestContext): Promise<{ cert: string; key: string; ca: string }> {
  const certs = await getTestCertificates();
  const dir = tempDir(t, 'termsender-renew-');
  const files = { cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key'), ca: path.join(dir, 'client-ca.crt') };
  copyFileSync(certs.serverCertPath, files.cert);
  copyFileSync(certs.serverKeyPath, files.key);
  copyFileSync(certs.caPath, files.ca);
  return files;
}

function serverArgs(t: TestContext, files: { cert: string; key: string }, ...extra: string[]): string[] {
  return ['--port', '0', '--cert', files.cert, '--key', files.key, '--data', tempDir(t), '--scrypt-cost', '1024,8,1', ...extra];
}

/** Sends SIGHUP and resolves with the next reload line (`reloaded` or `failed`) of `log`. */
function hangUp(run: CommandRun, log: LineWatcher = run.stderr): Promise<string> {
  const line = new Promise<string>((resolve) => log.onLine((text) => { if (RELOADED.test(text)) resolve(text); }));
  run.child.kill('SIGHUP');
  return line;
}

const fingerprintLines = (run: CommandRun): string[] => run.stdout.lines.filter((line) => line.startsWith('certificate fingerprint SHA256 '));

test('SIGHUP with a renewed certificate: the connected clients stay and chat, a new client gets the new certificate, the fingerprint line again', { timeout: 60_000 }, async (t) => {
  const certs = await getTestCertificates();
  const files = await certificateFolder(t);
  const run = runCommand(t, SERVER_SCRIPT, serverArgs(t, files, '--log-format', 'json'));
  const port = await listeningPort(run);
  await run.stdout.wait(/^certificate fingerprint/);
  const alice = await signedInClient(t, port, 'alice', 'ops');
  const bob = await signedInClient(t, port, 'bob', 'ops');
  assert.equal(alice.socket.getPeerCertificate().fingerprint256, certs.serverFingerprint);

  const renewed = renewedServerCertificate(certs);
  writeFileSync(files.cert, renewed.cert);
  writeFileSync(files.key, renewed.key);
  const reloaded = JSON.parse(await hangUp(run)) as Record<string, unknown>;
  assert.equal(reloaded['msg'], 'certificate reloaded');
  assert.equal(reloaded['fingerprint'], renewed.fingerprint);
  assert.equal(await run.stdout.wait(new RegExp(renewed.fingerprint)), `certificate fingerprint SHA256 ${renewed.fingerprint}`);
  assert.deepEqual(fingerprintLines(run), [`certificate fingerprint SHA256 ${certs.serverFingerprint}`, `certificate fingerprint SHA256 ${renewed.fingerprint}`]);

  // The clients connected before are still there, in their group.
  assert.equal((await alice.request({ type: 'say', text: 'still here after the renewal' })).type, 'ack');
  const heard = await bob.next('msg');
  assert.equal(heard.type === 'msg' && heard.text, 'still here after the renewal');
  assert.equal(await servedFingerprint(t, port), renewed.fingerprint);
  const carol = await signedInClient(t, port, 'carol', 'ops');
  assert.equal(carol.socket.getPeerCertificate().fingerprint256, renewed.fingerprint);
  assert.equal((await carol.request({ type: 'say', text: 'new here' })).type, 'ack');
  assert.equal((await alice.next('msg')).type, 'msg');
  // A 90-day certificate draws no expiry warning, and nothing failed.
  assert.deepEqual(run.stderr.lines.filter((line) => /expires within|has expired|"level":"error"/.test(line)), []);
  assert.equal(await stop(run), 0);
});

test('SIGHUP with files that do not load: one error line each (in --log-format), the old certificate still served, no crash', { timeout: 60_000 }, async (t) => {
  const certs = await getTestCertificates();
  const files = await certificateFolder(t);
  const run = runCommand(t, SERVER_SCRIPT, serverArgs(t, files, '--log-format', 'text'));
  const port = await listeningPort(run);
  const alice = await signedInClient(t, port, 'alice', 'ops');
  const renewed = renewedServerCertificate(certs);
  const bad: Array<[string, () => void, RegExp]> = [
    ['a certificate that is not PEM', () => writeFileSync(files.cert, 'not a certificate\n'), /not a usable PEM certificate and key.*no start line/],
    ['a certificate cut short', () => writeFileSync(files.cert, renewed.cert.slice(0, 400)), /not a usable PEM certificate and key/],
    ['a new certificate with the old key', () => writeFileSync(files.cert, renewed.cert), /key values mismatch/],
    ['a key file missing', () => rmSync(files.key), /--key \S+server\.key: ENOENT/],
  ];
  for (const [what, spoil, reason] of bad) {
    spoil();
    const line = await hangUp(run);
    assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR "certificate reload failed; the old certificate stays in use" reason=/, what);
    assert.match(line, reason, what);
    assert.equal(await servedFingerprint(t, port), certs.serverFingerprint, what);
    assert.equal((await alice.request({ type: 'say', text: `after ${what}` })).type, 'ack', what);
    copyFileSync(certs.serverCertPath, files.cert);
    copyFileSync(certs.serverKeyPath, files.key);
  }
  // Each SIGHUP wrote one line: the reload that works now comes after all of them.
  writeFileSync(files.cert, renewed.cert);
  writeFileSync(files.key, renewed.key);
  assert.match(await hangUp(run), /INFO +"certificate reloaded"/);
  await run.stdout.wait(new RegExp(renewed.fingerprint));
  assert.equal(run.stderr.lines.filter((line) => /ERROR/.test(line)).length, bad.length, run.stderr.lines.join('\n'));
  assert.equal(fingerprintLines(run).length, 2, 'printed at start and after the reload that worked only');
  assert.equal(await servedFingerprint(t, port), renewed.fingerprint);
  assert.equal(run.child.exitCode, null);
  assert.equal(await stop(run), 0);
});

test('--client-ca is read again on SIGHUP: a client of the CA put in its place gets in', { timeout: 60_000 }, async (t) => {
  const certs = await getTestCertificates();
  const files = await certificateFolder(t);
  copyFileSync(certs.rogue.caPath, files.ca);
  const run = runCommand(t, SERVER_SCRIPT, serverArgs(t, files, '--client-ca', files.ca, '--log-format', 'json'));
  const port = await listeningPort(run);
  const withClientCert = async (): Promise<string> => {
    const client = await WireClient.connect(t, port, { cert: certs.clientCert, key: certs.clientKey });
    const first = await Promise.race([client.next('welcome').then((message) => message.type), client.closed.then(() => 'closed')]);
    client.destroy();
    return first;
  };
  assert.equal(await withClientCert(), 'closed', 'a client certificate of another CA');
  writeFileSync(files.ca, 'garbage\n');
  assert.match(await hangUp(run), /reload failed.*--client-ca \S+: no PEM certificate in it/);
  assert.equal(await withClientCert(), 'closed', 'still the old client CA');
  copyFileSync(certs.caPath, files.ca);
  assert.match(await hangUp(run), /certificate reloaded/);
  assert.equal(await withClientCert(), 'welcome');
  assert.equal(await stop(run), 0);
});

test('a certificate that expires within 14 days: one warning line at start and on reload, and its notAfter as a metric', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t, 'termsender-short-');
  const { files } = await generateDevCertificates({ outDir: dir, hosts: ['localhost', '127.0.0.1'], days: 5, force: false });
  const run = runCommand(t, SERVER_SCRIPT, [...serverArgs(t, { cert: files['server.crt'], key: files['server.key'] }), '--metrics', '127.0.0.1:0', '--log-format', 'json']);
  await listeningPort(run);
  const metricsPort = Number(/:(\d+)$/.exec(await run.stdout.wait(/^metrics on /))?.[1]);
  const warning = JSON.parse(await run.stderr.wait(/expires within 14 days/)) as Record<string, unknown>;
  assert.equal(warning['level'], 'warn');
  assert.equal(warning['days_left'], 4);
  const notAfter = new Date(new X509Certificate(readFileSync(files['server.crt'])).validTo);
  assert.equal(warning['expires'], notAfter.toISOString());
  assert.equal((await scrape(metricsPort)).value('termsender_certificate_expiry_seconds'), notAfter.getTime() / 1000);

  // The same files again: the reload warns again, once.
  assert.match(await hangUp(run), /certificate reloaded/);
  await run.stdout.wait(/^certificate fingerprint/);
  const warnings = () => run.stderr.lines.filter((line) => /expires within 14 days/.test(line));
  if (warnings().length < 2) await new Promise<void>((resolve) => run.stderr.onLine((line) => { if (/expires within 14 days/.test(line)) resolve(); }));
  assert.equal(warnings().length, 2, run.stderr.lines.join('\n'));
  assert.equal(await stop(run), 0);
  assert.equal(warnings().length, 2, 'nothing more before it stopped');
});

test('--workers 2: SIGHUP to the primary reaches both workers; every new connection gets the new certificate', { timeout: 90_000, skip: hasRedis() ? false : 'redis-server not installed' }, async (t) => {
  const certs = await getTestCertificates();
  const redis = await startRedis(t);
  const files = await certificateFolder(t);
  const run = runCommand(t, SERVER_SCRIPT, serverArgs(t, files, '--redis', redis.url, '--workers', '2', '--log-format', 'json', '--metrics', '127.0.0.1:0'));
  const port = await listeningPort(run);
  const metricsPort = Number(/:(\d+)$/.exec(await run.stdout.wait(/^metrics on /))?.[1]);
  const alice = await signedInClient(t, port, 'alice', 'ops');
  const bob = await signedInClient(t, port, 'bob', 'ops');
  const workerPids = execFileSync('pgrep', ['-P', String(run.child.pid)]).toString().trim().split('\n').map(Number).sort();
  assert.equal(workerPids.length, 2);

  const renewed = renewedServerCertificate(certs);
  writeFileSync(files.cert, renewed.cert);
  writeFileSync(files.key, renewed.key);
  const reloads: number[] = [];
  const bothReloaded = new Promise<void>((resolve) => run.stderr.onLine((line) => {
    if (!/"msg":"certificate reloaded"/.test(line)) return;
    reloads.push((JSON.parse(line) as { pid: number }).pid);
    if (reloads.length === 2) resolve();
  }));
  run.child.kill('SIGHUP');
  await bothReloaded;
  assert.deepEqual(reloads.sort(), workerPids, 'each worker logged its reload');
  await run.stdout.wait(new RegExp(renewed.fingerprint));
  assert.equal(fingerprintLines(run).length, 2, 'the primary printed the line once again');

  for (let i = 0; i < 6; i++) assert.equal(await servedFingerprint(t, port), renewed.fingerprint, `connection ${i}`);
  assert.equal((await alice.request({ type: 'say', text: 'across the renewal' })).type, 'ack');
  assert.equal((await bob.next('msg')).type, 'msg');
  assert.equal((await scrape(metricsPort)).value('termsender_certificate_expiry_seconds'), renewed.notAfter.getTime() / 1000);
  assert.deepEqual(run.stderr.lines.filter((line) => /"level":"error"/.test(line)), []);
  assert.equal(await stop(run), 0);
});
