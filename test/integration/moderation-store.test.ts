/** Issue 11: SQLite schema 3 → 4 on the real server; admin delete-group beside a running server (the moderation semantics of both stores: store-semantics.test.ts). */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { PasswordHasher } from '../../src/server/passwords.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { finished, runCommand } from '../helpers/command.js';
import { joined, listed, outcome, signIn } from '../helpers/moderation.js';
import { spawnServer, TEST_PASSWORD, TEST_SCRYPT_COST, tempDir } from '../helpers/server.js';
import { SCHEMA_V3 } from '../helpers/old-schemas.js';

test('a schema-3 SQLite file (today\'s, before moderation) opens on the real server: its groups are public, topicless, owned as before; the file is version 4+', async (t) => {
  const data = tempDir(t);
  const file = path.join(data, 'termsender.db');
  const hash = await new PasswordHasher({ cost: TEST_SCRYPT_COST }).hash(TEST_PASSWORD);
  const old = new Database(file);
  old.exec(SCHEMA_V3);
  old.prepare('INSERT INTO users (name_key, name, password_hash, created_at) VALUES (?, ?, ?, ?)').run('olga', 'Olga', hash, 1000);
  old.prepare('INSERT INTO users (name_key, name, password_hash, created_at) VALUES (?, ?, ?, ?)').run('mem', 'mem', hash, 1000);
  old.prepare('INSERT INTO groups VALUES (?, ?, ?, ?, ?)').run('lobby', 'Lobby', 1000, 2, 'olga');
  old.prepare('INSERT INTO groups VALUES (?, ?, ?, ?, ?)').run('old', 'Old', 1000, 0, null);
  old.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?)').run('lobby', 1, 'Olga', 'one', 1000);
  old.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?)').run('lobby', 2, 'Olga', 'two', 1001);
  old.close();

  const server = await spawnServer(t, ['--data', data]);
  const owner = await signIn(t, server.port, 'olga', 'login');
  const member = await signIn(t, server.port, 'mem', 'login');
  const groups = await member.request({ type: 'list_groups' });
  assert.deepEqual(groups.type === 'groups' && groups.groups.map((g) => [g.name, g.topic, g.private]), [['Lobby', '', false], ['Old', '', false]]);
  const lobby = await joined(member, 'lobby');
  assert.deepEqual([lobby.owner, lobby.role, lobby.topic, lobby.history.map((m) => m.text)], ['Olga', 'member', '', ['one', 'two']]);
  assert.equal((await joined(member, 'old')).owner, null);
  assert.equal(await outcome(owner, { type: 'set_topic', group: 'lobby', topic: 'migrated' }), 'ok');
  assert.equal(await outcome(owner, { type: 'ban', group: 'lobby', user: 'mem' }), 'ok');
  assert.equal(await outcome(owner, { type: 'create_group', group: 'hidden', private: true }), 'group_created');
  assert.deepEqual(await listed(member), ['Lobby', 'Old']);
  server.child.kill('SIGTERM');
  await server.exited;

  const migrated = new Database(file, { readonly: true });
  t.after(() => migrated.close());
  assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.ok(SCHEMA_VERSION >= 4);
  assert.deepEqual(migrated.prepare('SELECT name, topic, private FROM groups ORDER BY name_key').all(),
    [{ name: 'hidden', topic: '', private: 1 }, { name: 'Lobby', topic: 'migrated', private: 0 }, { name: 'Old', topic: '', private: 0 }]);
  assert.deepEqual(migrated.prepare('SELECT group_key, user_key, reason, banned_by FROM group_bans').all(),
    [{ group_key: 'lobby', user_key: 'mem', reason: '', banned_by: 'Olga' }]);
});

test('admin delete-group on SQLite beside a running server: gone from the list; a member inside learns by its next request', async (t) => {
  const data = tempDir(t);
  const server = await spawnServer(t, ['--data', data]);
  const owner = await signIn(t, server.port, 'olga');
  assert.equal(await outcome(owner, { type: 'create_group', group: 'Lobby', private: true }), 'group_created');
  await joined(owner, 'lobby');
  assert.equal((await owner.request({ type: 'say', text: 'before' })).type, 'ack');
  const admin = (args: string[]) => finished(runCommand(t, 'dist/src/cli/admin.js', [...args, '--data', data]));
  const listing = await admin(['groups']);
  assert.equal(listing.code, 0, listing.stderr.join('\n'));
  assert.match(listing.stdout[1]!, /^Lobby\s+olga\s+yes\s+1\s+\d{4}-/);
  const deleted = await admin(['delete-group', 'lobby', '--json']);
  assert.equal(deleted.code, 0, deleted.stderr.join('\n'));
  assert.deepEqual(JSON.parse(deleted.stdout.join('\n')), { group: 'Lobby', deleted: true });
  // What the admin command changed is applied before a signed-in request's reply (store-changes.ts).
  assert.deepEqual(await listed(owner), []);
  assert.deepEqual(owner.take('group_deleted'), [{ type: 'group_deleted', group: 'Lobby', by: 'admin' }]);
  assert.equal(await outcome(owner, { type: 'say', text: 'after' }), 'error:wrong_state');
  assert.equal((await admin(['delete-group', 'lobby'])).code, 1);
  assert.equal((await admin(['delete-group'])).code, 2);
  assert.equal((await admin(['delete-group', 'bad name!'])).code, 2);
});
