/**
 * Per-address limits through the real CLI (issue 15, item 4): `--max-per-ip`,
 * `--register-rate`, `--ip-limit-exempt` and their TERMSENDER_* variables.
 * Loopback is exempt by default, so the tests say `--ip-limit-exempt none` and
 * use 127.0.0.1 as the limited address and 127.0.0.2 as another one.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { launchServer, spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { expectError, WireClient } from '../helpers/wire-client.js';

async function welcomed(t: TestContext, port: number, localAddress = '127.0.0.1'): Promise<WireClient> {
  const client = await WireClient.connect(t, port, { localAddress });
  await client.next('welcome');
  return client;
}

/** Connects from 127.0.0.1 and expects the per-address refusal. */
async function refused(t: TestContext, port: number): Promise<void> {
  const client = await WireClient.connect(t, port, { localAddress: '127.0.0.1' });
  const error = expectError(await client.next(() => true), 'server_busy');
  assert.match(error.message ?? '', /per-address limit/);
  await client.closed;
}

test('--max-per-ip defaults to 16: the 17th connection from one address gets server_busy, another address does not', async (t) => {
  const server = await spawnServer(t, ['--data', tempDir(t), '--ip-limit-exempt', 'none']);
  const open = [];
  for (let i = 0; i < 16; i++) open.push(await welcomed(t, server.port));
  await refused(t, server.port);
  const other = await welcomed(t, server.port, '127.0.0.2');
  assert.equal((await other.request({ type: 'ping' })).type, 'pong');
  open[0]!.destroy();
  await open[0]!.closed;
  // The server learns of the close a moment after the client: try a bounded number of times.
  let again: WireClient | undefined;
  for (let attempt = 0; attempt < 50 && again === undefined; attempt++) {
    const candidate = await WireClient.connect(t, server.port, { localAddress: '127.0.0.1' });
    if ((await candidate.next(() => true)).type === 'welcome') again = candidate;
    else await candidate.closed;
  }
  assert.ok(again, 'a slot freed by a close is usable again');
});

test('TERMSENDER_MAX_PER_IP and TERMSENDER_IP_LIMIT_EXEMPT are read like the flags; loopback is exempt by default', async (t) => {
  const limited = await spawnServer(t, ['--data', tempDir(t)], { TERMSENDER_MAX_PER_IP: '2', TERMSENDER_IP_LIMIT_EXEMPT: 'none' });
  await welcomed(t, limited.port);
  await welcomed(t, limited.port);
  await refused(t, limited.port);
  const exempt = await spawnServer(t, ['--data', tempDir(t), '--max-per-ip', '2']);
  for (let i = 0; i < 4; i++) await welcomed(t, exempt.port);
  const onlyOther = await spawnServer(t, ['--data', tempDir(t), '--max-per-ip', '1', '--ip-limit-exempt', '127.0.0.2/32,::1']);
  for (let i = 0; i < 3; i++) await welcomed(t, onlyOther.port, '127.0.0.2');
  await welcomed(t, onlyOther.port);
  await refused(t, onlyOther.port);
});

test('--register-rate defaults to 3: the 4th account from one address gets rate_limited and is not created', async (t) => {
  const server = await spawnServer(t, ['--data', tempDir(t), '--ip-limit-exempt', 'none']);
  const register = async (user: string, localAddress = '127.0.0.1') => {
    const client = await welcomed(t, server.port, localAddress);
    return { client, reply: await client.request({ type: 'register', user, password: TEST_PASSWORD }) };
  };
  assert.equal((await register('first')).reply.type, 'auth_ok');
  expectError((await register('FIRST')).reply, 'user_exists'); // refused before it counts
  assert.equal((await register('second')).reply.type, 'auth_ok');
  assert.equal((await register('third')).reply.type, 'auth_ok');
  const fourth = await register('fourth');
  const error = expectError(fourth.reply, 'rate_limited');
  assert.match(error.message ?? '', /accounts .* per 10 minutes/);
  assert.equal((await fourth.client.request({ type: 'ping' })).type, 'pong', 'the connection stays open');
  assert.equal((await register('fourth', '127.0.0.2')).reply.type, 'auth_ok', 'the name was not taken; another address may register');
});

test('--register-rate 1 from the flag; 0 turns the limit off', async (t) => {
  const one = await spawnServer(t, ['--data', tempDir(t), '--ip-limit-exempt', 'none', '--register-rate', '1']);
  const names = ['a1', 'a2'];
  const replies = [];
  for (const user of names) replies.push(await (await welcomed(t, one.port)).request({ type: 'register', user, password: TEST_PASSWORD }));
  assert.deepEqual(replies.map((reply) => (reply.type === 'error' ? reply.code : reply.type)), ['auth_ok', 'rate_limited']);
  const off = await spawnServer(t, ['--data', tempDir(t), '--ip-limit-exempt', 'none'], { TERMSENDER_REGISTER_RATE: '0' });
  for (let i = 0; i < 5; i++) {
    assert.equal((await (await welcomed(t, off.port)).request({ type: 'register', user: `u${i}`, password: TEST_PASSWORD })).type, 'auth_ok');
  }
});

test('out-of-range values of the three flags are usage errors (exit 2, one line saying why)', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--max-per-ip', '0'], /--max-per-ip must be a whole number from 1 to/],
    [['--max-per-ip', '2.5'], /--max-per-ip must be a whole number/],
    [['--register-rate', '-1'], /--register-rate must be a whole number from 0 to/],
    [['--ip-limit-exempt', '10.0.0.0/33'], /--ip-limit-exempt: '10\.0\.0\.0\/33': the prefix length/],
    [['--ip-limit-exempt', 'localhost'], /--ip-limit-exempt: 'localhost' is not an address/],
  ];
  for (const [args, message] of cases) {
    const server = await launchServer(t, ['--data', tempDir(t), ...args]);
    await server.stderrLine(message);
    assert.deepEqual(await server.exited, { code: 2, signal: null }, args.join(' '));
  }
});

test('--workers 2 --max-per-ip 4: one address gets 4 connections in all, not 4 per worker, and the refusal says how they are shared', { skip: hasRedis() ? false : 'redis-server not installed' }, async (t) => {
  const redis = await startRedis(t);
  const server = await spawnServer(t, ['--redis', redis.url, '--workers', '2', '--max-per-ip', '4', '--ip-limit-exempt', 'none']);
  const answers = [];
  for (let i = 0; i < 10; i++) {
    const client = await WireClient.connect(t, server.port, { localAddress: '127.0.0.1' });
    answers.push(await client.next(() => true));
  }
  const welcomed = answers.filter((answer) => answer.type === 'welcome').length;
  assert.ok(welcomed <= 4, `${welcomed} of 10 welcomed`);
  const refusal = answers.find((answer) => answer.type === 'error');
  assert.match(refusal?.type === 'error' ? refusal.message : '', /per-address limit 4: 2 in each of 2 server processes/);
});
