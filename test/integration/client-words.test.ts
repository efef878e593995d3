/**
 * The client command's flags and what line mode prints of a hostile server's
 * free text: --version, the exit statuses in --help, and an 8 MB error
 * message bounded to one short line.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { CLIENT_SCRIPT, finished, runCommand } from '../helpers/command.js';
import { answerSignInAndJoin, scriptedServer } from '../helpers/scripted-server.js';
import { REPO_ROOT } from '../helpers/server.js';

test('--version prints the package version; --help lists the exit statuses', async (t) => {
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const shown = await finished(runCommand(t, CLIENT_SCRIPT, ['--version']));
  assert.equal(shown.code, 0, shown.stderr.join('\n'));
  assert.deepEqual(shown.stdout, [`termsender ${version}`]);
  const help = await finished(runCommand(t, CLIENT_SCRIPT, ['--help']));
  assert.equal(help.code, 0);
  assert.match(help.stdout.join('\n'), /Exit status: 0 done, 1 failure [^]*2 usage error, 3 certificate check failed/);
});

test('line mode bounds a hostile server\'s 8 MB error and shutdown messages to a short line each', async (t) => {
  const huge = 'x'.repeat(8 * 1024 * 1024);
  const maxFrame = 16 * 1024 * 1024;
  const port = await scriptedServer(t, { max_frame: maxFrame }, (request, connection) => {
    answerSignInAndJoin(request, connection);
    if (request['type'] === 'join') {
      connection.send({ type: 'error', code: 'internal', message: huge });
      connection.send({ type: 'shutdown', message: huge });
      connection.socket.end();
    }
  });
  const certs = await getTestCertificates();
  const run = runCommand(t, CLIENT_SCRIPT, ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--user', 'ci', '--group', 'dev', '--reconnect-for', '0'],
    { env: { TERMSENDER_PASSWORD: 'long enough pw' } });
  run.child.stdin.end();
  const result = await finished(run);
  const lines = result.stderr.filter((line) => line.includes('xxx'));
  assert.ok(lines.length >= 1, result.stderr.map((line) => line.slice(0, 100)).join('\n'));
  for (const line of lines) assert.ok(line.length <= 1_100, `a line of ${line.length} characters`);
});

test('a disabled account refused at sign-in is said once, with the admin and the reason the server gives', async (t) => {
  const port = await scriptedServer(t, {}, (request, connection) => {
    connection.send({ type: 'error', id: request['id'], code: 'account_disabled', message: 'this account is disabled by root: spam' });
    connection.socket.end();
  });
  const certs = await getTestCertificates();
  const run = runCommand(t, CLIENT_SCRIPT, ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--user', 'ci', '--group', 'dev'],
    { env: { TERMSENDER_PASSWORD: 'long enough pw' } });
  run.child.stdin.end();
  const result = await finished(run);
  assert.equal(result.code, 1);
  assert.deepEqual(result.stderr, ['termsender: this account is disabled by root: spam (account_disabled)']);
});
