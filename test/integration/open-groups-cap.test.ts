/** `--max-open-groups` (January additions) on the real command: flag, variable, config file, and a bad value. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { finished, runCommand, SERVER_SCRIPT } from '../helpers/command.js';
import { spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { expectError, WireClient } from '../helpers/wire-client.js';

/** A client of the server on `port` that joins groups g1, g2, … with `keep` until one is refused; returns how many it got into and the refusal. */
async function joinUntilRefused(t: TestContext, port: number, user: string): Promise<{ joined: number; refusal: string }> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  assert.equal((await client.request({ type: 'register', user, password: TEST_PASSWORD })).type, 'auth_ok');
  for (let i = 1; i <= 10; i++) {
    await client.request({ type: 'create_group', group: `${user}-g${i}` });
    const reply = await client.request({ type: 'join', group: `${user}-g${i}`, keep: true });
    if (reply.type !== 'joined') return { joined: i - 1, refusal: expectError(reply, 'limit_reached').message };
  }
  return { joined: 10, refusal: '' };
}

test('--max-open-groups, TERMSENDER_MAX_OPEN_GROUPS and the config file key: a join with keep past it is limit_reached', async (t) => {
  const config = path.join(tempDir(t), 'server.json');
  writeFileSync(config, JSON.stringify({ 'max-open-groups': 4, 'create-rate': 0 }));
  const byFlag = await spawnServer(t, ['--data', tempDir(t), '--create-rate', '0', '--max-open-groups', '2']);
  assert.deepEqual(await joinUntilRefused(t, byFlag.port, 'alice'), { joined: 2, refusal: 'a connection may be in 2 groups at once' });
  const byVariable = await spawnServer(t, ['--data', tempDir(t), '--create-rate', '0'], { TERMSENDER_MAX_OPEN_GROUPS: '3' });
  assert.equal((await joinUntilRefused(t, byVariable.port, 'bob')).joined, 3);
  const byFile = await spawnServer(t, ['--data', tempDir(t), '--config', config]);
  assert.equal((await joinUntilRefused(t, byFile.port, 'carol')).joined, 4);
});

test('--max-open-groups: a bad value is a usage error (exit 2, one line)', async (t) => {
  const bad = runCommand(t, SERVER_SCRIPT, ['--data', tempDir(t), '--max-open-groups', '0']);
  const { code, stderr } = await finished(bad);
  assert.equal(code, 2);
  assert.match(stderr.join('\n'), /--max-open-groups must be a whole number from 1/);
});
