/**
 * Starting the commands as an operator does: --tls-min 1.2, one server per
 * data folder, values that cannot work, the open-file limit, and what the
 * console shows (fingerprint, log format, gen-certs paths).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import tls from 'node:tls';
import { ALPN_PROTOCOL } from '../../src/protocol/limits.js';
import { getTestCertificates } from '../helpers/certs.js';
import { CLIENT_SCRIPT, type CommandRun, finished, GEN_CERTS_SCRIPT, listeningPort, runCommand, SERVER_SCRIPT, stop } from '../helpers/command.js';
import { spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

async function serverArgs(t: TestContext, data = tempDir(t)): Promise<string[]> {
  const certs = await getTestCertificates();
  return ['--port', '0', '--cert', certs.serverCertPath, '--key', certs.serverKeyPath, '--data', data, '--scrypt-cost', '1024,8,1'];
}

/** The TLS version a client limited to TLS 1.2 gets from the server on `port`, or the error it gets. */
async function tls12Handshake(port: number): Promise<string> {
  const certs = await getTestCertificates();
  const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, ALPNProtocols: [ALPN_PROTOCOL], maxVersion: 'TLSv1.2' });
  try {
    return await new Promise<string>((resolve) => {
      socket.once('secureConnect', () => resolve(socket.getProtocol() ?? 'none'));
      socket.once('error', (error) => resolve(`error: ${error.message}`));
    });
  } finally {
    socket.destroy();
  }
}

test('--tls-min 1.2 (also =1.2 and TERMSENDER_TLS_MIN) lets a TLS 1.2 client in; the default refuses it', async (t) => {
  const base = await serverArgs(t);
  for (const [args, env] of [[['--tls-min', '1.2'], {}], [['--tls-min=1.2'], {}], [[], { TERMSENDER_TLS_MIN: '1.2' }]] as const) {
    const server = runCommand(t, SERVER_SCRIPT, [...base, ...args], { env });
    assert.equal(await tls12Handshake(await listeningPort(server)), 'TLSv1.2', `${args.join(' ')} ${JSON.stringify(env)}`);
    assert.equal(await stop(server), 0);
  }
  for (const [args, env] of [[[], {}], [['--tls-min', '1.3'], {}], [[], { TERMSENDER_TLS_MIN: '1.3' }]] as const) {
    const server = runCommand(t, SERVER_SCRIPT, [...base, ...args], { env });
    assert.match(await tls12Handshake(await listeningPort(server)), /^error: .*(protocol version|alert)/i, `${args.join(' ')} ${JSON.stringify(env)}`);
    assert.equal(await stop(server), 0);
  }
});

test('one server per data folder: a second start is refused naming the folder and the PID; after kill -9 the next start works', async (t) => {
  const data = tempDir(t);
  const first = await spawnServer(t, ['--data', data]);
  const second = runCommand(t, SERVER_SCRIPT, await serverArgs(t, data));
  const refused = await finished(second);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.length, 1, refused.stderr.join('\n'));
  assert.ok(refused.stderr[0]!.includes(data) && refused.stderr[0]!.includes(`PID ${first.child.pid}`), refused.stderr[0]);

  first.child.kill('SIGKILL');
  await first.exited;
  const third = await spawnServer(t, ['--data', data]);
  const client = await WireClient.connect(t, third.port);
  await client.next('welcome');
  assert.equal((await client.request({ type: 'register', user: 'after', password: TEST_PASSWORD })).type, 'auth_ok');
  third.child.kill('SIGTERM');
  assert.equal((await third.exited).code, 0);
  const fourth = await spawnServer(t, ['--data', data]); // a clean stop frees the folder too
  fourth.child.kill('SIGTERM');
  await fourth.exited;
});

test('values that cannot work are refused with the accepted range; small workable ones start', async (t) => {
  const base = await serverArgs(t);
  const refusals: Array<[string, string[], RegExp]> = [
    [SERVER_SCRIPT, ['--max-frame', '10'], /--max-frame must be a whole number from 1024 to 4294967295 bytes, not "10"/],
    [SERVER_SCRIPT, ['--max-frame', '4096.5'], /--max-frame must be a whole number/],
    [SERVER_SCRIPT, ['--port', '65536'], /--port must be a whole number from 0 to 65535/],
    [SERVER_SCRIPT, ['--port', 'abc'], /--port must be a whole number from 0 to 65535 .*not "abc"/],
    [SERVER_SCRIPT, ['--auth-timeout', '0'], /--auth-timeout must be a number from 1 to \d+ seconds/],
    [SERVER_SCRIPT, ['--idle-timeout', '-5'], /--idle-timeout must be a number from 1 to \d+ seconds/],
    [SERVER_SCRIPT, ['--idle-timeout', '1e10'], /--idle-timeout must be a number from 1 to 2147483 seconds/],
    [SERVER_SCRIPT, ['--handshake-timeout', '0'], /--handshake-timeout must be/],
    [SERVER_SCRIPT, ['--max-connections', '0'], /--max-connections must be a whole number from 1 to/],
    [SERVER_SCRIPT, ['--max-connections', '2.5'], /--max-connections must be a whole number/],
    [SERVER_SCRIPT, ['--rate-limit', '-1'], /--rate-limit must be a number from 0 to \d+ per second \(0 turns it off\)/],
    [SERVER_SCRIPT, ['--query-rate', 'NaN'], /--query-rate must be a number from 0/],
    [SERVER_SCRIPT, ['--max-groups', '0'], /--max-groups must be a whole number from 1/],
    [SERVER_SCRIPT, ['--max-output', '0'], /--max-output must be a whole number from 1024/],
    [SERVER_SCRIPT, ['--workers', '0'], /--workers must be a whole number from 1 to/],
    [SERVER_SCRIPT, ['--member-ttl', '0'], /--member-ttl must be a number from 1/],
    [SERVER_SCRIPT, ['--max-frame'], /Not enough arguments following: max-frame/],
    [CLIENT_SCRIPT, ['--port', '0'], /--port must be a whole number from 1 to 65535/],
    [CLIENT_SCRIPT, ['--port', '70000'], /--port must be a whole number from 1 to 65535/],
    [GEN_CERTS_SCRIPT, ['--out', tempDir(t), '--days', '0'], /--days must be a whole number from 1 to 3650 days/],
    [GEN_CERTS_SCRIPT, ['--out', tempDir(t), '--days', '1.5'], /--days must be a whole number/],
  ];
  for (const [script, args, pattern] of refusals) {
    const { code, stderr } = await finished(runCommand(t, script, script === SERVER_SCRIPT ? [...base, ...args] : args));
    assert.equal(code, 2, `${args.join(' ')}: ${stderr.join('\n')}`);
    assert.match(stderr[0] ?? '', pattern);
    assert.equal(stderr.length, 2, stderr.join('\n'));
  }

  const small = runCommand(t, SERVER_SCRIPT, [...base, '--max-frame', '1024', '--auth-timeout', '2', '--idle-timeout', '3', '--max-connections', '3', '--rate-limit', '5', '--handshake-timeout', '1']);
  const client = await WireClient.connect(t, await listeningPort(small));
  const welcome = await client.next('welcome');
  assert.ok(welcome.type === 'welcome' && welcome.max_frame === 1024);
  assert.equal((await client.request({ type: 'register', user: 'small', password: TEST_PASSWORD })).type, 'auth_ok');
  await client.request({ type: 'create_group', group: 'g' });
  assert.equal((await client.request({ type: 'join', group: 'g' })).type, 'joined');
  assert.equal((await client.request({ type: 'say', text: 'fits' })).type, 'ack');
  assert.equal(await stop(small), 0);
});

/** The server's stderr, to its end, after a clean stop. */
async function stderrAfterStop(run: CommandRun): Promise<string[]> {
  await listeningPort(run);
  assert.equal(await stop(run), 0);
  await run.closed;
  return run.stderr.lines;
}

test('--max-connections above the open-file limit: one warning with both numbers and the ulimit fix; none when it fits', async (t) => {
  const tight = runCommand(t, SERVER_SCRIPT, await serverArgs(t), { openFileLimit: 512 });
  const warnings = (await stderrAfterStop(tight)).filter((line) => /open-file limit/.test(line));
  assert.equal(warnings.length, 1, tight.stderr.lines.join('\n'));
  assert.match(warnings[0]!, /"level":"warn".*--max-connections 10000 .*open-file limit of 512.*ulimit -n 10064/);

  const fits = runCommand(t, SERVER_SCRIPT, [...await serverArgs(t), '--max-connections', '400'], { openFileLimit: 512 });
  assert.deepEqual((await stderrAfterStop(fits)).filter((line) => /open-file limit/.test(line)), []);
});

test('every start prints the certificate fingerprint; --log-format text writes readable lines', async (t) => {
  const certs = await getTestCertificates();
  const data = tempDir(t);
  for (const format of ['text', 'json']) {
    const server = runCommand(t, SERVER_SCRIPT, [...await serverArgs(t, data), '--log-format', format, '--log-level', 'info']);
    await listeningPort(server);
    assert.equal(await server.stdout.wait(/fingerprint/), `certificate fingerprint SHA256 ${certs.serverFingerprint}`);
    const listening = await server.stderr.wait(/listening/);
    if (format === 'text') assert.match(listening, /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO +listening host=127\.0\.0\.1 port=\d+ tls_min=TLSv1\.3 mutual_tls=false$/);
    else assert.equal(JSON.parse(listening).msg, 'listening');
    assert.equal(await stop(server), 0);
    assert.match(server.stdout.lines[0] ?? '', /^listening on 127\.0\.0\.1:\d+$/, 'the listening line stays first');
    // Every stderr line follows the format, the shutdown notice included.
    const lines = server.stderr.lines.filter((line) => line !== '');
    assert.ok(lines.some((line) => /shutting down/.test(line)), lines.join('\n'));
    for (const line of lines) {
      if (format === 'text') assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z (DEBUG|INFO|WARN|ERROR) +\S/, line);
      else assert.doesNotThrow(() => JSON.parse(line), line);
    }
  }
});

test('gen-certs names the files it wrote as the operator gave --out', async (t) => {
  const absolute = path.join(tempDir(t), 'c2');
  const wrote = await finished(runCommand(t, GEN_CERTS_SCRIPT, ['--out', absolute]));
  assert.equal(wrote.code, 0, wrote.stderr.join('\n'));
  assert.equal(wrote.stdout[0], `wrote ${['ca.crt', 'ca.key', 'server.crt', 'server.key', 'client.crt', 'client.key'].map((file) => path.join(absolute, file)).join(', ')}`);

  const cwd = tempDir(t);
  mkdirSync(path.join(cwd, 'nested'));
  const relative = await finished(runCommand(t, GEN_CERTS_SCRIPT, ['--out', 'nested/certs'], { cwd }));
  assert.equal(relative.code, 0, relative.stderr.join('\n'));
  assert.match(relative.stdout[0] ?? '', /^wrote nested\/certs\/ca\.crt, nested\/certs\/ca\.key, /);
});
