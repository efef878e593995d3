/**
 * The admin command's operations, spawned for real: create-user on a server
 * closed to registration (SQLite and Redis), and backup of a database that a
 * running server writes to, restored into a new folder that a server starts on.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { ADMIN_SCRIPT, admin, auth } from '../helpers/admin.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { REPO_ROOT, spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';
import { expectError } from '../helpers/wire-client.js';

/** create-user with `store` flags, then a server closed to registration on that store: the new account logs in, nobody registers. */
async function createThenLogIn(t: TestContext, store: string[]): Promise<void> {
  const created = await admin(t, ['create-user', 'Root', '--admin', ...store], { TERMSENDER_PASSWORD: TEST_PASSWORD });
  assert.deepEqual([created.code, created.stdout], [0, ['Root: created, role admin']], created.stderr.join('\n'));
  const plain = await admin(t, ['create-user', 'carol', ...store, '--json'], { TERMSENDER_PASSWORD: TEST_PASSWORD });
  assert.deepEqual([plain.code, JSON.parse(plain.stdout.join(''))], [0, { user: 'carol', role: 'user', created: true }], plain.stderr.join('\n'));

  const server = await spawnServer(t, [...store, '--registration', 'closed']);
  expectError((await auth(t, server.port, 'register', 'mallory')).reply, 'registration_closed');
  const root = await auth(t, server.port, 'login', 'root');
  assert.deepEqual(root.reply.type === 'auth_ok' && [root.reply.user, root.reply.role], ['Root', 'admin']);
  const carol = await auth(t, server.port, 'login', 'carol');
  assert.deepEqual(carol.reply.type === 'auth_ok' && carol.reply.role, 'user');
  // The admin role is real: an admin request succeeds.
  assert.equal((await root.client.request({ type: 'disable_user', user: 'carol' })).type, 'ok');

  // The same name rules as registration: taken (any case), malformed; a password is needed.
  for (const [args, env, pattern, code] of [
    [['create-user', 'ROOT'], { TERMSENDER_PASSWORD: TEST_PASSWORD }, /^termsender-admin: user 'ROOT' exists$/, 1],
    [['create-user', 'dave'], {}, /no password: set TERMSENDER_PASSWORD/, 1],
    [['create-user', 'dave'], { TERMSENDER_PASSWORD: 'short' }, /at least 8 bytes/, 1],
    [['create-user', 'bad name!'], { TERMSENDER_PASSWORD: TEST_PASSWORD }, /is not a user name/, 2],
    [['create-user'], { TERMSENDER_PASSWORD: TEST_PASSWORD }, /create-user needs a USER/, 2],
    [['users', '--admin'], {}, /--admin goes with create-user only/, 2],
  ] as const) {
    const run = await admin(t, [...args, ...store], env);
    assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr.join('\n')}`);
    assert.match(run.stderr[0] ?? '', pattern);
  }
}

test('create-user on SQLite: a closed server\'s first accounts, made before its first start', async (t) => {
  const data = path.join(tempDir(t), 'data');
  await createThenLogIn(t, ['--data', data]);
});

test('create-user on Redis', { skip: hasRedis() ? false : 'redis-server is not installed' }, async (t) => {
  const redis = await startRedis(t);
  await createThenLogIn(t, ['--redis', redis.url]);
});

test('create-user on a terminal asks for the password twice, hidden; two different ones create nothing', { skip: TMUX_SKIP }, async (t) => {
  const data = path.join(tempDir(t), 'data');
  const command = (user: string): string => `${process.execPath} ${path.join(REPO_ROOT, ADMIN_SCRIPT)} create-user ${user} --data ${data}`;
  const differ = await TmuxSession.start(t, command('tina'), {});
  await differ.waitForText('new password:');
  await differ.enter('first long password');
  await differ.waitForText('again:');
  await differ.enter('second long password');
  const refused = await differ.waitForText('[exited 1]');
  assert.match(refused, /termsender-admin: the two passwords differ/);
  assert.doesNotMatch(refused, /long password/, 'never echoed');

  const same = await TmuxSession.start(t, command('tina'), {});
  await same.waitForText('new password:');
  await same.enter(TEST_PASSWORD);
  await same.waitForText('again:');
  await same.enter(TEST_PASSWORD);
  assert.match(await same.waitForText('[exited 0]'), /tina: created, role user/);
  const server = await spawnServer(t, ['--data', data, '--registration', 'closed']);
  assert.equal((await auth(t, server.port, 'login', 'tina')).reply.type, 'auth_ok');
});

test('backup while a client writes: a checked copy, mode 0600, that a server starts on with every message it counted', async (t) => {
  const root = tempDir(t);
  const data = path.join(root, 'data');
  const server = await spawnServer(t, ['--data', data, '--rate-limit', '0']);
  const { client: writer } = await auth(t, server.port, 'register', 'writer');
  await writer.request({ type: 'create_group', group: 'log' });
  assert.equal((await writer.request({ type: 'join', group: 'log' })).type, 'joined');

  // The client writes without pause until the backup has ended.
  let acked = 0;
  let writing = true;
  let twentyAcked = (): void => undefined;
  const firstAcks = new Promise<void>((resolve) => { twentyAcked = resolve; });
  const writes = (async () => {
    while (writing) {
      const reply = await writer.request({ type: 'say', text: `line ${acked + 1}` });
      assert.equal(reply.type, 'ack', JSON.stringify(reply));
      acked += 1;
      if (acked === 20) twentyAcked();
    }
  })();
  await firstAcks;
  const ackedBefore = acked;
  const file = path.join(root, 'backup.db');
  const backup = await admin(t, ['backup', file, '--data', data, '--json']);
  const ackedAfter = acked;
  writing = false;
  await writes;
  assert.equal(backup.code, 0, backup.stderr.join('\n'));
  const report = JSON.parse(backup.stdout.join('')) as { file: string; users: number; groups: number; messages: number };
  assert.deepEqual([report.file, report.users, report.groups], [file, 1, 1]);
  t.diagnostic(`backup: ${report.messages} messages; ${ackedBefore} acknowledged before it started, ${ackedAfter} when it ended`);
  assert.ok(report.messages >= ackedBefore && report.messages <= ackedAfter, `${report.messages} messages, ${ackedBefore}..${ackedAfter} acknowledged around the backup`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(root).sort(), ['backup.db', 'data'], 'nothing left beside the copy');

  // Restore: the copy as the database file of a new folder; a server starts on it.
  const restored = path.join(root, 'restored');
  mkdirSync(restored, { mode: 0o700 });
  copyFileSync(file, path.join(restored, 'termsender.db'));
  const second = await spawnServer(t, ['--data', restored, '--registration', 'closed']);
  const { client: reader } = await auth(t, second.port, 'login', 'writer');
  const joined = await reader.request({ type: 'join', group: 'log' });
  assert.ok(joined.type === 'joined');
  assert.equal(joined.last_seq, report.messages);
  assert.equal(joined.history.at(-1)?.text, `line ${report.messages}`);
  assert.equal((await reader.request({ type: 'say', text: 'after the restore' })).type, 'ack');
});

test('backup refuses to replace a file without --force, and Redis (its own persistence)', async (t) => {
  const root = tempDir(t);
  const data = path.join(root, 'data');
  const server = await spawnServer(t, ['--data', data]);
  await auth(t, server.port, 'register', 'alice');
  const file = path.join(root, 'existing.db');
  writeFileSync(file, 'keep me');
  const refused = await admin(t, ['backup', file, '--data', data]);
  assert.deepEqual([refused.code, refused.stderr], [1, [`termsender-admin: ${file} exists; give --force to replace it`]]);
  // TERMSENDER_FORCE is gen-certs' too: exported, it replaces a backup, and never stops another command.
  const listed = await admin(t, ['users', '--data', data], { TERMSENDER_FORCE: 'yes' });
  assert.equal(listed.code, 0, listed.stderr.join('\n'));
  const forced = await admin(t, ['backup', file, '--data', data], { TERMSENDER_FORCE: 'yes' });
  assert.equal(forced.code, 0, forced.stderr.join('\n'));
  assert.match(forced.stdout.join('\n'), /^backup of .*termsender\.db in .*existing\.db: 1 users, 0 groups, 0 messages, checked \(\d+\.\d s\)$/);
  assert.equal(forced.stdout.length, 1);

  const redis = await admin(t, ['backup', path.join(root, 'r.db'), '--redis', 'redis://127.0.0.1:6379']);
  assert.equal(redis.code, 2);
  assert.match(redis.stderr[0] ?? '', /on Redis use its own persistence \(RDB snapshots or the AOF/);
  assert.equal(existsSync(path.join(root, 'r.db')), false);
  const none = await admin(t, ['backup', path.join(root, 'n.db'), '--data', path.join(root, 'nothing')]);
  assert.deepEqual([none.code, none.stderr.length], [1, 1]);
  assert.match(none.stderr[0]!, /no TermSender database/);
});
