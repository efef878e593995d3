/**
 * Every server flag of README.md, given as an operator types it: once on
 * the command line and once through its TERMSENDER_* variable, against the
 * real commands. A new flag is one more row in its command's table.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { envName } from '../../src/cli/common.js';
import { DEV_CERT_FILES } from '../../src/certs/dev-certs.js';
import { getTestCertificates, type TestCertificates } from '../helpers/certs.js';
import { CLIENT_SCRIPT, finished, GEN_CERTS_SCRIPT, listeningPort, runCommand, SERVER_SCRIPT, stop } from '../helpers/command.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

/** One flag and the value to give it; `true` is a boolean flag given bare (its variable set to `true`). */
interface FlagRow {
  flag: string;
  value: string | true;
}

type Way = 'flags' | 'variables';
const WAYS: readonly Way[] = ['flags', 'variables'];

/** The rows as command-line arguments, or as TERMSENDER_* variables. */
function given(rows: readonly FlagRow[], way: Way): { args: string[]; env: NodeJS.ProcessEnv } {
  if (way === 'flags') return { args: rows.flatMap(({ flag, value }) => (value === true ? [`--${flag}`] : [`--${flag}`, value])), env: {} };
  return { args: [], env: Object.fromEntries(rows.map(({ flag, value }) => [envName(flag), value === true ? 'true' : value])) };
}

/** Server flags that need nothing but certificates and a folder. */
function serverRows(certs: TestCertificates, data: string): FlagRow[] {
  return [
    { flag: 'host', value: '127.0.0.1' },
    { flag: 'port', value: '0' },
    { flag: 'cert', value: certs.serverCertPath },
    { flag: 'key', value: certs.serverKeyPath },
    { flag: 'client-ca', value: certs.caPath },
    { flag: 'tls-min', value: '1.2' },
    { flag: 'data', value: data },
    { flag: 'sync', value: 'full' },
    { flag: 'workers', value: '1' },
    { flag: 'max-frame', value: '2048' },
    { flag: 'max-connections', value: '50' },
    { flag: 'query-rate', value: '7' },
    { flag: 'rate-limit', value: '5' },
    { flag: 'auth-timeout', value: '2' },
    { flag: 'idle-timeout', value: '3' },
    { flag: 'handshake-timeout', value: '4' },
    { flag: 'max-groups', value: '9' },
    { flag: 'max-groups-per-user', value: '4' },
    { flag: 'create-rate', value: '6' },
    { flag: 'presence-max-members', value: '300' },
    { flag: 'max-open-groups', value: '7' },
    { flag: 'max-output', value: '65536' },
    { flag: 'max-per-ip', value: '8' },
    { flag: 'ip-limit-exempt', value: '10.0.0.0/8,::1' },
    { flag: 'register-rate', value: '2' },
    { flag: 'registration', value: 'closed' },
    { flag: 'admins', value: 'root,alice' },
    { flag: 'retention-days', value: '30' },
    { flag: 'retention-messages', value: '1000' },
    { flag: 'retention-interval', value: '30' },
    { flag: 'metrics', value: '127.0.0.1:0' },
    // debug and json: the start's 'settings' line, read below, shows what each flag became.
    { flag: 'log-level', value: 'debug' },
    { flag: 'log-format', value: 'json' },
    { flag: 'scrypt-cost', value: '1024,8,1' },
  ];
}

/** Starts the server with `rows` given one way, checks what each flag became, stops it cleanly. */
async function startServerWith(t: TestContext, rows: readonly FlagRow[], way: Way): Promise<void> {
  const { args, env } = given(rows, way);
  const server = runCommand(t, SERVER_SCRIPT, args, { env });
  await listeningPort(server);
  const settings = JSON.parse(await server.stderr.wait(/"msg":"settings"/)) as Record<string, unknown>;
  for (const { flag, value } of rows) assert.equal(settings[flag], String(value), `${way}: --${flag}`);
  const listening = JSON.parse(await server.stderr.wait(/"msg":"listening"/)) as Record<string, unknown>;
  assert.equal(listening['mutual_tls'], rows.some((row) => row.flag === 'client-ca'), way);
  assert.equal(await stop(server), 0, `${way}: ${server.stderr.lines.join('\n')}`);
}

test('server: every flag, on the command line and through its variable, until listening on', async (t) => {
  const certs = await getTestCertificates();
  const data = tempDir(t);
  for (const way of WAYS) await startServerWith(t, serverRows(certs, data), way);
});

test('server in cluster mode: --redis, --workers, --member-ttl, both ways', { skip: hasRedis() ? false : 'redis-server not installed' }, async (t) => {
  const certs = await getTestCertificates();
  const redis = await startRedis(t);
  const rows = serverRows(certs, tempDir(t)).filter((row) => row.flag !== 'workers' && row.flag !== 'data');
  rows.push({ flag: 'redis', value: redis.url }, { flag: 'workers', value: '2' }, { flag: 'member-ttl', value: '5' });
  for (const way of WAYS) await startServerWith(t, rows, way);
});

/** A mutual-TLS user who joined `group` (creating it), to see what the client under test says there. */
async function listener(t: TestContext, port: number, certs: TestCertificates, group: string): Promise<WireClient> {
  const client = await WireClient.connect(t, port, { cert: certs.clientCert, key: certs.clientKey });
  await client.next('welcome');
  assert.equal((await client.request({ type: 'register', user: 'listener', password: TEST_PASSWORD })).type, 'auth_ok');
  await client.request({ type: 'create_group', group });
  assert.equal((await client.request({ type: 'join', group })).type, 'joined');
  return client;
}

test('client: every flag, on the command line and through its variable, in line mode against a mutual-TLS server', async (t) => {
  const certs = await getTestCertificates();
  const server = await startTestServer(t, { clientCa: certs.ca });
  const reader = await listener(t, server.port, certs, 'flags');
  for (const way of WAYS) {
    const user = `via-${way}`;
    const rows: FlagRow[] = [
      { flag: 'host', value: '127.0.0.1' },
      { flag: 'port', value: String(server.port) },
      { flag: 'ca', value: certs.caPath },
      { flag: 'fingerprint', value: certs.serverFingerprint },
      { flag: 'cert', value: certs.clientCertPath },
      { flag: 'key', value: certs.clientKeyPath },
      { flag: 'user', value: user },
      { flag: 'password', value: TEST_PASSWORD },
      { flag: 'register', value: true },
      { flag: 'group', value: 'flags' },
      { flag: 'create', value: true },
      { flag: 'timeout', value: '20' },
      { flag: 'reconnect-for', value: '30' },
      { flag: 'first-retry-max', value: '1' }, // hidden, for tests
    ];
    const { args, env } = given(rows, way);
    const client = runCommand(t, CLIENT_SCRIPT, args, { env });
    client.child.stdin.end(`hello through ${way}\n`);
    const { code, stderr } = await finished(client);
    assert.equal(code, 0, `${way}: ${stderr.join('\n')}`);
    const said = await reader.next('msg');
    assert.deepEqual([said.from, said.text], [user, `hello through ${way}`], way);
  }
});

test('gen-certs: every flag, on the command line and through its variable', async (t) => {
  for (const way of WAYS) {
    const out = tempDir(t);
    for (const file of DEV_CERT_FILES) writeFileSync(path.join(out, file), 'old'); // --force must replace them
    const rows: FlagRow[] = [
      { flag: 'out', value: out },
      { flag: 'hosts', value: 'localhost,chat.example.org,10.1.2.3' },
      { flag: 'days', value: '30' },
      { flag: 'force', value: true },
    ];
    const { args, env } = given(rows, way);
    const { code, stderr } = await finished(runCommand(t, GEN_CERTS_SCRIPT, args, { env }));
    assert.equal(code, 0, `${way}: ${stderr.join('\n')}`);
    const cert = new X509Certificate(readFileSync(path.join(out, 'server.crt')));
    assert.match(cert.subjectAltName ?? '', /DNS:chat\.example\.org.*IP Address:10\.1\.2\.3/, way);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    assert.ok(Math.abs(days - 30) <= 1, `${way}: valid ${days} days`);
  }
});
