/** Issue 11: the moderation part of both stores has the same semantics; SQLite schema 3 → 4 on the real server; admin delete-group beside a running server. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { PasswordHasher } from '../../src/server/passwords.js';
import { RedisStore } from '../../src/store/redis.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import type { Store } from '../../src/store/store.js';
import { finished, runCommand } from '../helpers/command.js';
import { joined, listed, outcome, signIn } from '../helpers/moderation.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { spawnServer, TEST_PASSWORD, TEST_SCRYPT_COST, tempDir } from '../helpers/server.js';
import { SCHEMA_V3 } from '../helpers/old-schemas.js';

const CAPS = { maxGroups: 100, maxOwned: 100 };

async function sameSemantics(store: Store): Promise<void> {
  assert.equal((await store.createOwnedGroup('Pub', 'Olga', CAPS)).kind, 'created');
  assert.equal((await store.createOwnedGroup('Sec', 'olga', CAPS, { private: true })).kind, 'created');
  assert.deepEqual(await store.groupSettings('PUB'), { name: 'Pub', ownerKey: 'olga', topic: '', private: false });
  assert.deepEqual(await store.groupSettings('sec'), { name: 'Sec', ownerKey: 'olga', topic: '', private: true });
  assert.equal(await store.groupSettings('none'), undefined);
  assert.deepEqual((await store.listGroupSettings()).map((g) => [g.name, g.private]), [['Pub', false], ['Sec', true]]);

  assert.equal(await store.setTopic('PUB', 'hello there'), true);
  assert.equal((await store.groupSettings('pub'))?.topic, 'hello there');
  assert.equal(await store.setTopic('pub', ''), true);
  assert.equal((await store.groupSettings('pub'))?.topic, '');
  // Every setter says false for a group that does not exist, and leaves nothing behind.
  assert.deepEqual([
    await store.setTopic('none', 'x'), await store.setModerator('none', 'mo', true), await store.setInvited('none', 'mo', true),
    await store.setBan('none', 'mo', { reason: '', by: 'olga', at: 1 }),
  ], [false, false, false, false]);
  assert.deepEqual(await store.standing('none', 'mo'), { moderator: false, invited: false });

  assert.equal(await store.setModerator('sec', 'Mo', true), true);
  assert.equal(await store.setInvited('SEC', 'Inv', true), true);
  assert.deepEqual(await store.standing('Sec', 'MO'), { moderator: true, invited: false });
  assert.deepEqual(await store.standing('sec', 'inv'), { moderator: false, invited: true });
  assert.deepEqual([...await store.privateGroupsOpenTo('mo')], ['sec']);
  assert.deepEqual([...await store.privateGroupsOpenTo('INV')], ['sec']);
  assert.deepEqual([...await store.privateGroupsOpenTo('olga')], []); // its own are known by ownerKey
  assert.equal(await store.setInvited('sec', 'inv', false), true);
  assert.deepEqual([...await store.privateGroupsOpenTo('inv')], []);

  const ban = { reason: 'spam', by: 'olga', at: 1234 };
  assert.equal(await store.setBan('sec', 'Bad', ban), true);
  assert.deepEqual(await store.standing('sec', 'bad'), { moderator: false, invited: false, ban });
  assert.equal(await store.setBan('sec', 'bad', undefined), true);
  assert.deepEqual(await store.standing('sec', 'bad'), { moderator: false, invited: false });
  await store.setBan('sec', 'bad', ban);

  assert.deepEqual((await store.groupReports()).map((g) => [g.name, g.private]), [['Pub', false], ['Sec', true]]);
  await store.appendMessage({ group: 'sec', from: 'olga', text: 'hi', ts: 1, origin: '' });

  assert.equal(await store.deleteGroup('SEC', 'olga'), 'Sec');
  assert.equal(await store.deleteGroup('sec', 'olga'), undefined);
  assert.equal(await store.groupSettings('sec'), undefined);
  assert.equal(await store.findGroup('sec'), undefined);
  assert.deepEqual(await store.standing('sec', 'mo'), { moderator: false, invited: false });
  assert.deepEqual(await store.standing('sec', 'bad'), { moderator: false, invited: false });
  assert.deepEqual([...await store.privateGroupsOpenTo('mo')], []);
  assert.equal(await store.countOwnedGroups('olga'), 1);
  await assert.rejects(store.appendMessage({ group: 'sec', from: 'olga', text: 'late', ts: 2, origin: '' }), { code: 'no_such_group' });

  // The name is free; the new group starts empty and public.
  assert.equal((await store.createOwnedGroup('sec', 'mo', CAPS)).kind, 'created');
  assert.deepEqual(await store.groupSettings('sec'), { name: 'sec', ownerKey: 'mo', topic: '', private: false });
  assert.deepEqual(await store.messagesSince('sec', 0, 10), { messages: [], more: false });
  assert.equal((await store.appendMessage({ group: 'sec', from: 'mo', text: 'new', ts: 3, origin: '' })).seq, 1);
}

test('SQLite store: moderation semantics', async (t) => {
  const store = SqliteStore.open(tempDir(t));
  t.after(() => store.close());
  await sameSemantics(store);
});

test('Redis store: the same moderation semantics', { skip: hasRedis() ? false : 'redis-server is not installed' }, async (t) => {
  const redis = await startRedis(t);
  const store = await RedisStore.connect(redis.url, () => undefined);
  t.after(() => store.close());
  await sameSemantics(store);
});

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
