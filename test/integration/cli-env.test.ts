/**
 * TERMSENDER_* variables as operators export them: a command reads only its
 * own flags' variables, booleans take the usual words, and a value that is
 * not what its flag takes is a usage error naming the variable.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { DEV_CERT_FILES } from '../../src/certs/dev-certs.js';
import { getTestCertificates } from '../helpers/certs.js';
import { CLIENT_SCRIPT, finished, GEN_CERTS_SCRIPT, listeningPort, runCommand, SERVER_SCRIPT, stop } from '../helpers/command.js';
import { signedInClient, startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';

/** What an operator exports for the server (and forgets to unset before running the client or gen-certs). */
const SERVER_ONLY_VARIABLES = {
  TERMSENDER_MAX_FRAME: '65536', TERMSENDER_MAX_CONNECTIONS: '100', TERMSENDER_DATA: '/nonexistent/data', TERMSENDER_WORKERS: '1',
  TERMSENDER_RATE_LIMIT: '20', TERMSENDER_LOG_LEVEL: 'warn', TERMSENDER_REGISTRATION: 'open', TERMSENDER_TLS_MIN: '1.2', TERMSENDER_SYNC: 'full',
};
/** …and for the client. */
const CLIENT_ONLY_VARIABLES = { TERMSENDER_PASSWORD: 'secret words', TERMSENDER_USER: 'alice', TERMSENDER_GROUP: 'dev', TERMSENDER_REGISTER: '1' };

async function clientArgs(port: number, user: string): Promise<string[]> {
  const certs = await getTestCertificates();
  return ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--user', user, '--group', 'env'];
}

async function serverArgs(t: TestContext): Promise<string[]> {
  const certs = await getTestCertificates();
  return ['--port', '0', '--cert', certs.serverCertPath, '--key', certs.serverKeyPath, '--data', tempDir(t), '--scrypt-cost', '1024,8,1'];
}

/** Runs a command that must fail on its command line: exit 2, the reason in one line matching `pattern`. */
async function assertUsageError(t: TestContext, script: string, args: string[], env: NodeJS.ProcessEnv, pattern: RegExp): Promise<void> {
  const { code, stderr } = await finished(runCommand(t, script, args, { env }));
  assert.equal(code, 2, `${script} ${args.join(' ')}: ${stderr.join('\n')}`);
  assert.match(stderr[0] ?? '', pattern);
  assert.deepEqual(stderr.slice(1), ['Run with --help for usage.']);
}

test("a variable of another command never stops a command; unknown flags on its own command line still do", async (t) => {
  const server = await startTestServer(t);
  const reader = await signedInClient(t, server.port, 'reader', 'env');
  const client = runCommand(t, CLIENT_SCRIPT, [...await clientArgs(server.port, 'bob'), '--register'], { env: { ...SERVER_ONLY_VARIABLES, TERMSENDER_PASSWORD: TEST_PASSWORD, TERMSENDER_DAYS: '5' } });
  client.child.stdin.end('with the server variables exported\n');
  const clientRun = await finished(client);
  assert.equal(clientRun.code, 0, clientRun.stderr.join('\n'));
  assert.equal((await reader.next('msg')).text, 'with the server variables exported');

  const running = runCommand(t, SERVER_SCRIPT, await serverArgs(t), { env: { ...CLIENT_ONLY_VARIABLES, TERMSENDER_HOSTS: 'example.org', TERMSENDER_FORCE: 'yes' } });
  await listeningPort(running);
  assert.equal(await stop(running), 0);

  const out = tempDir(t);
  const certs = await finished(runCommand(t, GEN_CERTS_SCRIPT, ['--out', out], { env: { ...SERVER_ONLY_VARIABLES, ...CLIENT_ONLY_VARIABLES, TERMSENDER_PORT: '9999' } }));
  assert.equal(certs.code, 0, certs.stderr.join('\n'));

  for (const script of [SERVER_SCRIPT, CLIENT_SCRIPT, GEN_CERTS_SCRIPT]) {
    await assertUsageError(t, script, ['--bogus-flag', '1'], { ...SERVER_ONLY_VARIABLES, ...CLIENT_ONLY_VARIABLES }, /Unknown arguments?: bogus-flag\b/);
  }
});

test('booleans from variables: 1/0, true/false, yes/no, on/off in any case; any other word names the variable', async (t) => {
  const server = await startTestServer(t);
  const reader = await signedInClient(t, server.port, 'reader', 'env');
  for (const [index, word] of ['1', 'true', 'YES', 'On'].entries()) {
    const user = `new${index}`;
    const client = runCommand(t, CLIENT_SCRIPT, await clientArgs(server.port, user), { env: { TERMSENDER_PASSWORD: TEST_PASSWORD, TERMSENDER_REGISTER: word } });
    client.child.stdin.end(`registered with ${word}\n`);
    const { code, stderr } = await finished(client);
    assert.equal(code, 0, `TERMSENDER_REGISTER=${word}: ${stderr.join('\n')}`);
    assert.deepEqual([(await reader.next('msg')).text], [`registered with ${word}`]);
  }
  for (const word of ['0', 'false', 'No', 'OFF']) {
    const client = runCommand(t, CLIENT_SCRIPT, await clientArgs(server.port, 'new0'), { env: { TERMSENDER_PASSWORD: TEST_PASSWORD, TERMSENDER_REGISTER: word } });
    client.child.stdin.end(`logged in with ${word}\n`);
    const { code, stderr } = await finished(client);
    assert.equal(code, 0, `TERMSENDER_REGISTER=${word} logs in: ${stderr.join('\n')}`);
    assert.equal((await reader.next('msg')).text, `logged in with ${word}`);
  }

  const out = tempDir(t);
  for (const file of DEV_CERT_FILES) writeFileSync(path.join(out, file), 'old');
  const forced = await finished(runCommand(t, GEN_CERTS_SCRIPT, ['--out', out], { env: { TERMSENDER_FORCE: 'Yes' } }));
  assert.equal(forced.code, 0, `TERMSENDER_FORCE=Yes overwrites: ${forced.stderr.join('\n')}`);

  await assertUsageError(t, CLIENT_SCRIPT, await clientArgs(server.port, 'x'), { TERMSENDER_REGISTER: 'maybe' }, /TERMSENDER_REGISTER must be one of 1\/0, true\/false, yes\/no, on\/off, not "maybe"/);
  await assertUsageError(t, GEN_CERTS_SCRIPT, ['--out', tempDir(t)], { TERMSENDER_FORCE: 'y' }, /TERMSENDER_FORCE must be one of/);
});

test('a variable that is not a number, or out of range, is a usage error naming the variable and the accepted range', async (t) => {
  const server = await serverArgs(t);
  await assertUsageError(t, SERVER_SCRIPT, server, { TERMSENDER_MAX_FRAME: 'abc' }, /^termsender-server: TERMSENDER_MAX_FRAME must be a whole number from 1024 to 4294967295 bytes, not "abc"$/);
  await assertUsageError(t, SERVER_SCRIPT, server, { TERMSENDER_IDLE_TIMEOUT: '5s' }, /TERMSENDER_IDLE_TIMEOUT must be a number from 1 to \d+ seconds, not "5s"/);
  await assertUsageError(t, SERVER_SCRIPT, server, { TERMSENDER_MAX_FRAME: '10' }, /TERMSENDER_MAX_FRAME must be a whole number from 1024 to 4294967295 bytes, not "10"/);
  await assertUsageError(t, SERVER_SCRIPT, server, { TERMSENDER_REGISTRATION: 'shut' }, /TERMSENDER_REGISTRATION must be one of open, closed, not "shut"/);
  await assertUsageError(t, CLIENT_SCRIPT, ['--user', 'a', '--group', 'g'], { TERMSENDER_PORT: '99x' }, /^termsender: TERMSENDER_PORT must be a whole number from 1 to 65535, not "99x"$/);
  await assertUsageError(t, GEN_CERTS_SCRIPT, ['--out', tempDir(t)], { TERMSENDER_DAYS: 'ten' }, /^gen-certs: TERMSENDER_DAYS must be a whole number from 1 to 3650 days, not "ten"$/);
});
