/** The server's `--config FILE`: flag defaults that flags and TERMSENDER_* override; a bad file is exit 2 in one line. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { finished, listeningPort, runCommand, SERVER_SCRIPT, stop } from '../helpers/command.js';
import { REPO_ROOT, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { expectError, WireClient } from '../helpers/wire-client.js';

async function configFile(t: TestContext, values: object | string): Promise<string> {
  const file = path.join(tempDir(t), 'server.json');
  writeFileSync(file, typeof values === 'string' ? values : JSON.stringify(values, null, 2));
  return file;
}

test('--config gives the server its flag defaults; a flag and a variable win over the file', async (t) => {
  const certs = await getTestCertificates();
  const file = await configFile(t, {
    port: 0, cert: certs.serverCertPath, key: certs.serverKeyPath, data: tempDir(t), 'tls-min': '1.3',
    registration: 'closed', 'max-frame': 2048, 'retention-days': 30, 'retention-messages': 5000, metrics: '127.0.0.1:0',
    'max-per-ip': 8, 'log-level': 'debug', 'log-format': 'json', 'scrypt-cost': '1024,8,1',
  });
  const server = runCommand(t, SERVER_SCRIPT, ['--config', file, '--max-frame', '4096'], { env: { TERMSENDER_RETENTION_DAYS: '7' } });
  const port = await listeningPort(server);
  assert.match(await server.stdout.wait(/^metrics on /), /^metrics on 127\.0\.0\.1:\d+$/);
  const settings = JSON.parse(await server.stderr.wait(/"msg":"settings"/)) as Record<string, unknown>;
  assert.deepEqual(
    [settings['registration'], settings['max-frame'], settings['retention-days'], settings['retention-messages'], settings['max-per-ip'], settings['config']],
    ['closed', '4096', '7', '5000', '8', file],
  );
  const client = await WireClient.connect(t, port);
  const welcome = await client.next('welcome');
  assert.ok(welcome.type === 'welcome' && welcome.max_frame === 4096, 'the flag won over the file');
  expectError(await client.request({ type: 'register', user: 'newcomer', password: TEST_PASSWORD }), 'registration_closed');
  assert.equal(await stop(server), 0);

  // TERMSENDER_CONFIG names the file as --config does.
  const viaVariable = runCommand(t, SERVER_SCRIPT, [], { env: { TERMSENDER_CONFIG: file } });
  await listeningPort(viaVariable);
  assert.equal(JSON.parse(await viaVariable.stderr.wait(/"msg":"settings"/))['max-frame'], '2048');
  assert.equal(await stop(viaVariable), 0);
});

test('a bad server config file: exit 2, one line naming the file and what is wrong', async (t) => {
  const cases: Array<[object | string, RegExp]> = [
    ['{"port": ', /JSON/],
    ['[1]', /must be a JSON object of flag values/],
    [{ colour: true }, /unknown flag "colour"$/],
    [{ config: 'other.json' }, /unknown flag "config"$/],
    [{ port: '9999' }, /"port" must be a number, not "9999"$/],
    [{ 'max-frame': 10 }, /"max-frame" must be a whole number from 1024 to \d+ bytes, not "10"$/],
    [{ registration: 'shut' }, /"registration" must be one of open, closed, not "shut"$/],
    [{ sync: true }, /"sync" must be a string, not true$/],
  ];
  for (const [content, pattern] of cases) {
    const file = await configFile(t, content);
    const { code, stderr } = await finished(runCommand(t, SERVER_SCRIPT, ['--config', file]));
    assert.equal(code, 2, `${JSON.stringify(content)}: ${stderr.join('\n')}`);
    assert.equal(stderr.length, 1, stderr.join('\n'));
    assert.ok(stderr[0]!.startsWith(`termsender-server: --config ${file}: `), stderr[0]);
    assert.match(stderr[0]!, pattern);
  }
  const missing = path.join(tempDir(t), 'none.json');
  const { code, stderr } = await finished(runCommand(t, SERVER_SCRIPT, ['--config', missing]));
  assert.deepEqual([code, stderr.length], [2, 1]);
  assert.match(stderr[0]!, /ENOENT|no such file/);
});

test("the README's config file for a public server is one the server starts with (its addresses and files replaced by flags)", async (t) => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const example = /### A config file for a public server\n[^]*?```json\n([^]*?)```/.exec(readme)?.[1];
  assert.ok(example !== undefined, 'the example is in the README');
  const values = JSON.parse(example) as Record<string, unknown>;
  assert.deepEqual([values['tls-min'], values['registration'], typeof values['metrics'], values['retention-days']], ['1.3', 'closed', 'string', 365]);
  const certs = await getTestCertificates();
  const server = runCommand(t, SERVER_SCRIPT, [
    '--config', await configFile(t, example), '--host', '127.0.0.1', '--port', '0', '--cert', certs.serverCertPath, '--key', certs.serverKeyPath,
    '--data', tempDir(t), '--metrics', '127.0.0.1:0', '--log-level', 'debug', '--scrypt-cost', '1024,8,1',
  ]);
  await listeningPort(server);
  const settings = JSON.parse(await server.stderr.wait(/"msg":"settings"/)) as Record<string, unknown>;
  for (const flag of ['tls-min', 'sync', 'registration', 'retention-days', 'retention-messages', 'max-connections', 'max-per-ip', 'rate-limit', 'idle-timeout']) {
    assert.equal(settings[flag], String(values[flag]), flag);
  }
  assert.equal(await stop(server), 0);
});
