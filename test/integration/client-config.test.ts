/** `--config FILE` and the default client.json: flag defaults that flags and TERMSENDER_* override. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { CLIENT_SCRIPT, finished, runCommand } from '../helpers/command.js';
import { signedInClient, startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';

test('--config gives flag defaults; flags and TERMSENDER_* win over it', async (t) => {
  const certs = await getTestCertificates();
  const server = await startTestServer(t);
  const reader = await signedInClient(t, server.port, 'reader', 'ops');
  const dir = tempDir(t);
  const file = path.join(dir, 'mine.json');
  // A wrong port and user in the file: the flag and the variable replace them.
  writeFileSync(file, JSON.stringify({ host: '127.0.0.1', port: 1, ca: certs.caPath, user: 'wrong', group: 'ops', register: true }));
  const run = runCommand(t, CLIENT_SCRIPT, ['--config', file, '--port', String(server.port)],
    { cwd: dir, env: { TERMSENDER_PASSWORD: TEST_PASSWORD, TERMSENDER_USER: 'cfgbot', XDG_CONFIG_HOME: dir } });
  run.child.stdin.end('from the config\n');
  const result = await finished(run);
  assert.equal(result.code, 0, result.stderr.join('\n'));
  const message = await reader.next('msg');
  assert.deepEqual([message.from, message.text], ['cfgbot', 'from the config']);
});

test('$XDG_CONFIG_HOME/termsender/client.json is read when it exists', async (t) => {
  const certs = await getTestCertificates();
  const server = await startTestServer(t);
  const reader = await signedInClient(t, server.port, 'reader', 'ops');
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'termsender'));
  writeFileSync(path.join(dir, 'termsender', 'client.json'), JSON.stringify({ host: '127.0.0.1', port: server.port, ca: certs.caPath, user: 'defbot', group: 'ops', register: true }));
  const run = runCommand(t, CLIENT_SCRIPT, [], { cwd: dir, env: { TERMSENDER_PASSWORD: TEST_PASSWORD, XDG_CONFIG_HOME: dir } });
  run.child.stdin.end('default file\n');
  const result = await finished(run);
  assert.equal(result.code, 0, result.stderr.join('\n'));
  assert.equal((await reader.next('msg')).from, 'defbot');
});

test('a bad config file is a usage error: exit 2, one line', async (t) => {
  const dir = tempDir(t);
  const cases: [string, RegExp][] = [
    ['{"host": ', /--config .*bad\.json: .*JSON/],
    ['[1, 2]', /must be a JSON object/],
    ['{"colour": true}', /unknown flag "colour"/],
    ['{"port": "9999"}', /"port" must be a number/],
  ];
  for (const [content, pattern] of cases) {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, content);
    const result = await finished(runCommand(t, CLIENT_SCRIPT, ['--config', file], { cwd: dir, env: { XDG_CONFIG_HOME: dir } }));
    assert.equal(result.code, 2, `${content}: ${result.stderr.join('\n')}`);
    assert.equal(result.stderr.length, 1, result.stderr.join('\n'));
    assert.match(result.stderr[0]!, pattern);
  }
  const missing = await finished(runCommand(t, CLIENT_SCRIPT, ['--config', path.join(dir, 'none.json')], { cwd: dir, env: { XDG_CONFIG_HOME: dir } }));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr.join('\n'), /ENOENT|no such file/);
});
