/** The real CLI in a child process: shutdown, crash durability, first start. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { REPO_ROOT, spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { WAIT_MS, WireClient } from '../helpers/wire-client.js';

async function signIn(t: Parameters<typeof WireClient.connect>[0], port: number, user: string, register: boolean): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  const reply = await client.request({ type: register ? 'register' : 'login', user, password: TEST_PASSWORD });
  assert.equal(reply.type, 'auth_ok');
  return client;
}

test('SIGTERM: every client gets shutdown, the process exits 0', async (t) => {
  const data = tempDir(t);
  const server = await spawnServer(t, ['--data', data]);
  assert.match(server.stdout[0] ?? '', /^listening on 127\.0\.0\.1:\d+$/);
  const alice = await signIn(t, server.port, 'alice', true);
  await alice.request({ type: 'create_group', group: 'g' });
  await alice.request({ type: 'join', group: 'g' });
  const bob = await signIn(t, server.port, 'bob', true);
  server.child.kill('SIGTERM');
  for (const client of [alice, bob]) {
    const shutdown = await client.next('shutdown');
    assert.equal(typeof shutdown.message, 'string');
    await client.closed;
  }
  assert.deepEqual(await server.exited, { code: 0, signal: null });
});

test('kill -9 after an ack: the message is there, with its seq, after a restart', async (t) => {
  const data = tempDir(t);
  const first = await spawnServer(t, ['--data', data, '--rate-limit', '0']);
  const alice = await signIn(t, first.port, 'alice', true);
  await alice.request({ type: 'create_group', group: 'durable' });
  await alice.request({ type: 'join', group: 'durable' });
  const acks = await Promise.all(Array.from({ length: 50 }, (_, i) => alice.request({ type: 'say', text: `keep ${i}` })));
  const lastAck = acks.at(-1)!;
  assert.ok(lastAck.type === 'ack' && lastAck.seq === 50);
  first.child.kill('SIGKILL');
  await first.exited;
  const second = await spawnServer(t, ['--data', data]);
  const back = await signIn(t, second.port, 'alice', false);
  const joined = await back.request({ type: 'join', group: 'durable', since: 0 });
  assert.ok(joined.type === 'joined');
  assert.deepEqual(joined.history.map((m) => `${m.seq}:${m.text}`), Array.from({ length: 50 }, (_, i) => `${i + 1}:keep ${i}`));
  const next = await back.request({ type: 'say', text: 'after restart' });
  assert.ok(next.type === 'ack' && next.seq === 51, 'seq goes on, never reused');
});

test('first start without certificates generates dev certificates and says so', async (t) => {
  const cwd = tempDir(t);
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/src/cli/server.js'), '--port', '0', '--data', path.join(cwd, 'data')],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  t.after(() => {
    child.kill('SIGKILL');
    return exited;
  });
  const lines: string[] = [];
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${lines.join('\n')}`)), WAIT_MS * 2);
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await listening;
  assert.ok(lines.some((line) => /generated development certificates/.test(line)), lines.join('\n'));
  for (const file of ['ca.crt', 'server.crt', 'server.key', 'client.crt', 'client.key']) {
    assert.ok(existsSync(path.join(cwd, 'certs', file)), file);
  }
  assert.equal(statSync(path.join(cwd, 'certs', 'server.key')).mode & 0o777, 0o600);
  assert.equal(existsSync(path.join(cwd, 'certs', 'ca.key')), true);
});

test('bad flags and unusable files exit non-zero with one clear line', async (t) => {
  const certs = await getTestCertificates();
  const notAFolder = path.join(tempDir(t), 'file');
  writeFileSync(notAFolder, '');
  const withCerts = ['--port', '0', '--cert', certs.serverCertPath];
  for (const [args, pattern] of [
    [['--port', '70000'], /--port/],
    [['--workers', '2'], /--redis/],
    [['--tls-min', '1.1'], /tls-min/],
    [['--bogus-flag'], /Unknown argument: bogus-flag\n/], // named once, as typed (not also bogusFlag)
    [[...withCerts, '--key', certs.clientKeyPath, '--data', tempDir(t)], /--key .*: not a usable PEM certificate and key \(.*key values mismatch/],
    [[...withCerts, '--key', certs.caPath, '--data', tempDir(t)], /not a usable PEM certificate and key/],
    [[...withCerts, '--key', certs.serverKeyPath, '--data', notAFolder], /cannot use .*file as the data folder \((EEXIST|ENOTDIR)\)/],
    // Workers that cannot start make the primary stop, not restart them forever.
    [[...withCerts, '--key', certs.clientKeyPath, '--workers', '2', '--redis', 'redis://127.0.0.1:1'], /not a usable PEM certificate and key[^]*before the server listened/],
  ] as const) {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/src/cli/server.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const [code] = await once(child, 'exit');
    assert.notEqual(code, 0, args.join(' '));
    assert.match(stderr, pattern);
    assert.ok(stderr.trim().split('\n').length <= ((args as readonly string[]).includes('--workers') ? 3 : 2), stderr); // the reason, and a pointer to --help or the primary's line
  }
});

test('--help of every command lists every flag with its environment variable, lines unbroken', async () => {
  const commands: Array<[string, string[]]> = [
    ['dist/src/cli/server.js', ['--port', '--max-frame', '--registration', '--log-level', '--sync', '--max-groups', '--query-rate']],
    ['dist/src/cli/client.js', ['--fingerprint', '--password', '--register', '--group']],
    ['dist/scripts/bench.js', ['--json', '--members', '--svg']],
    ['dist/scripts/gen-certs.js', ['--out', '--hosts', '--days', '--force']],
  ];
  for (const [script, flags] of commands) {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, script), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, script);
    for (const flag of flags) {
      const variable = `TERMSENDER_${flag.slice(2).replace(/-/g, '_').toUpperCase()}`;
      assert.match(stdout, new RegExp(`${flag}\\b[^\\n]*(\\n {10,}[^\\n]*)*\\[${variable}\\]`), `${script}: ${flag} [${variable}]`);
    }
    assert.match(stdout, /^Every flag also reads TERMSENDER_<FLAG>/m, `${script}: the environment note is one unbroken line`);
  }
});
