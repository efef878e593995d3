/** Trust on first use: run from a folder without certs/, with a private XDG_CONFIG_HOME, and no --ca or --fingerprint. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { CLIENT_BIN, TEST_FIRST_RETRY_MAX } from '../helpers/client-process.js';
import { CLIENT_SCRIPT, finished, runCommand } from '../helpers/command.js';
import { spawnServer, startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

const skip = TMUX_SKIP;

interface Places {
  cwd: string;
  config: string;
  known: string;
}

function places(t: TestContext): Places {
  const cwd = tempDir(t, 'termsender-cwd-');
  const config = tempDir(t, 'termsender-xdg-');
  return { cwd, config, known: path.join(config, 'termsender', 'known_servers') };
}

function lineMode(t: TestContext, port: number, where: Places) {
  const run = runCommand(t, CLIENT_SCRIPT, ['--host', '127.0.0.1', '--port', String(port), '--user', 'bot', '--register', '--group', 'ops', '--create'],
    { cwd: where.cwd, env: { XDG_CONFIG_HOME: where.config, TERMSENDER_PASSWORD: TEST_PASSWORD } });
  run.child.stdin.end('hello\n');
  return finished(run);
}

test('first use asks with the fingerprint; yes stores it (0600); then the known server is not asked about again', { skip }, async (t) => {
  const certs = await getTestCertificates();
  const server = await startTestServer(t);
  const where = places(t);
  const command = ['cd', where.cwd, '&&', process.execPath, CLIENT_BIN, '--host', '127.0.0.1', '--port', String(server.port), '--user', 'alice', '--register', '--group', 'lobby', '--create']
    .map((part) => (part === '&&' ? part : `'${part}'`)).join(' ');
  const tty = await TmuxSession.start(t, command, { TERMSENDER_PASSWORD: TEST_PASSWORD, XDG_CONFIG_HOME: where.config }, 200);
  const screen = await tty.waitForText('Trust this server and remember it? [y/N]');
  assert.ok(screen.includes(certs.serverFingerprint), screen);
  assert.doesNotMatch(screen, /ENOENT/);
  await tty.enter('y');
  await tty.waitFor((text) => lastLine(text) === 'lobby>', 'the chat prompt');
  assert.equal(readFileSync(where.known, 'utf8'), `127.0.0.1:${server.port} ${certs.serverFingerprint}\n`);
  assert.equal(statSync(where.known).mode & 0o777, 0o600);
  // Known now: line mode (which never asks) connects.
  const again = await lineMode(t, server.port, where);
  assert.equal(again.code, 0, again.stderr.join('\n'));
});

test('a known server whose fingerprint changed is refused (exit 3) with both fingerprints and the line to remove', async (t) => {
  const certs = await getTestCertificates();
  const server = await startTestServer(t);
  const where = places(t);
  const old = certs.rogue.serverFingerprint;
  mkdirSync(path.dirname(where.known), { recursive: true });
  writeFileSync(where.known, `example.org:1 ${certs.serverFingerprint}\n127.0.0.1:${server.port} ${old}\n`, { mode: 0o600 });
  const result = await lineMode(t, server.port, where);
  assert.equal(result.code, 3, result.stderr.join('\n'));
  const text = result.stderr.join('\n');
  assert.ok(text.includes(old) && text.includes(certs.serverFingerprint), text);
  assert.ok(text.includes(`line 2 of ${where.known}`) && text.includes(`127.0.0.1:${server.port} ${old}`), text);
});

test('line mode never asks: an unknown server no CA verifies is exit 3, and nothing is stored', async (t) => {
  const server = await startTestServer(t);
  const where = places(t);
  const result = await lineMode(t, server.port, where);
  assert.equal(result.code, 3, result.stderr.join('\n'));
  assert.match(result.stderr.join('\n'), /not verified by a trusted CA and not in .*known_servers/);
  assert.doesNotMatch(result.stderr.join('\n'), /ENOENT/);
  assert.throws(() => statSync(where.known), /ENOENT/);
});

/** The working folder holds certs/ca.crt (the test CA): the client trusts it as well as the system's CAs. */
async function withTestCa(where: Places): Promise<void> {
  const certs = await getTestCertificates();
  mkdirSync(path.join(where.cwd, 'certs'));
  copyFileSync(certs.caPath, path.join(where.cwd, 'certs', 'ca.crt'));
}

/** A server that a CA verifies (the test certificates) on a fixed port; then, after `swap`, one on the same port that no trusted CA verifies. */
async function swappableServer(t: TestContext) {
  const certs = await getTestCertificates();
  const data = tempDir(t);
  const first = await spawnServer(t, ['--data', data]);
  return {
    port: first.port,
    async swap() {
      first.child.kill('SIGTERM');
      await first.exited;
      return spawnServer(t, ['--data', data, '--port', String(first.port), '--cert', certs.rogue.serverCertPath, '--key', certs.rogue.serverKeyPath]);
    },
  };
}

test('a server verified by a CA is remembered (HOST:PORT ca); later a certificate no CA verifies there is refused as verified before (exit 3)', async (t) => {
  const where = places(t);
  await withTestCa(where);
  const server = await swappableServer(t);
  const first = await lineMode(t, server.port, where);
  assert.equal(first.code, 0, first.stderr.join('\n'));
  assert.equal(readFileSync(where.known, 'utf8'), `127.0.0.1:${server.port} ca\n`);
  await server.swap();
  const result = await lineMode(t, server.port, where);
  assert.equal(result.code, 3, result.stderr.join('\n'));
  const text = result.stderr.join('\n');
  assert.match(text, new RegExp(`127\\.0\\.0\\.1:${server.port} was verified by a trusted CA before, and now its certificate is NOT`));
  assert.ok(text.includes(`line 1 of ${where.known}`), text);
});

test('interactive: a server verified by a CA that shows a certificate no CA verifies during a reconnect is refused loudly (exit 3), never asked about', { skip }, async (t) => {
  const where = places(t);
  await withTestCa(where);
  const server = await swappableServer(t);
  const command = ['cd', where.cwd, '&&', process.execPath, CLIENT_BIN, '--host', '127.0.0.1', '--port', String(server.port), '--user', 'alice', '--register', '--group', 'lobby', '--create',
    '--first-retry-max', TEST_FIRST_RETRY_MAX]
    .map((part) => (part === '&&' ? part : `'${part}'`)).join(' ');
  const tty = await TmuxSession.start(t, command, { TERMSENDER_PASSWORD: TEST_PASSWORD, XDG_CONFIG_HOME: where.config }, 200);
  await tty.waitFor((text) => lastLine(text) === 'lobby>', 'the chat prompt');
  await server.swap();
  const screen = await tty.waitForText(/\[exited \d+\]/);
  assert.match(screen, /\[exited 3\]/, screen);
  assert.match(screen, /was verified by a trusted CA before, and now its certificate is NOT/, screen);
  assert.doesNotMatch(await tty.scrollback(), /Trust this server/);
});

test('interactive: at the start, a server once verified by a CA and now not is refused with no question (exit 3)', { skip }, async (t) => {
  const where = places(t);
  await withTestCa(where);
  const server = await swappableServer(t);
  const port = server.port;
  mkdirSync(path.dirname(where.known), { recursive: true });
  writeFileSync(where.known, `127.0.0.1:${port} ca\n`, { mode: 0o600 });
  await server.swap();
  const command = ['cd', where.cwd, '&&', process.execPath, CLIENT_BIN, '--host', '127.0.0.1', '--port', String(port), '--user', 'alice', '--group', 'lobby']
    .map((part) => (part === '&&' ? part : `'${part}'`)).join(' ');
  const tty = await TmuxSession.start(t, command, { TERMSENDER_PASSWORD: TEST_PASSWORD, XDG_CONFIG_HOME: where.config }, 200);
  const screen = await tty.waitForText(/\[exited \d+\]/);
  assert.match(screen, /\[exited 3\]/, screen);
  assert.match(screen, /verified by a trusted CA before/, screen);
  assert.doesNotMatch(screen, /Trust this server/);
});
