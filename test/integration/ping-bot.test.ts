import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { runCommand, stop } from '../helpers/command.js';
import { REPO_ROOT, signedInClient, startTestServer, TEST_PASSWORD } from '../helpers/server.js';

const BOT_SCRIPT = 'dist/examples/ping-bot.js';

test('the bot of docs/bot.md (examples/ping-bot.ts, on termsender/client) answers !ping with pong in its group', async (t) => {
  const server = await startTestServer(t);
  const certs = await getTestCertificates();
  const account = await signedInClient(t, server.port, 'pingbot', 'ops');
  account.destroy();
  const user = await signedInClient(t, server.port, 'alice', 'ops');
  const bot = runCommand(t, BOT_SCRIPT, [], {
    env: { BOT_HOST: '127.0.0.1', BOT_PORT: String(server.port), BOT_CA: certs.caPath, BOT_USER: 'pingbot', BOT_PASSWORD: TEST_PASSWORD, BOT_GROUP: 'ops' },
  });
  assert.equal(await bot.stdout.wait(/answering/), 'answering !ping in ops as pingbot');
  await user.next((message) => message.type === 'presence' && message.user === 'pingbot' && message.event === 'join');
  assert.equal((await user.request({ type: 'say', text: 'hello' })).type, 'ack');
  assert.equal((await user.request({ type: 'say', text: '!ping' })).type, 'ack');
  const answer = await user.next('msg');
  assert.deepEqual([answer.from, answer.text], ['pingbot', 'pong'], 'one answer, to !ping only');
  assert.equal(await stop(bot), 0);
  await user.next((message) => message.type === 'presence' && message.user === 'pingbot' && message.event === 'leave');
  assert.deepEqual(user.inbox.filter((message) => message.type === 'msg'), []);
});

test('docs/bot.md quotes examples/ping-bot.ts as it is', () => {
  const example = readFileSync(path.join(REPO_ROOT, 'examples/ping-bot.ts'), 'utf8');
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/bot.md'), 'utf8');
  assert.ok(doc.includes(`\`\`\`ts\n${example}\`\`\``), 'the doc shows the bot the test runs');
});
