/**
 * What the admin command changes behind a running server reaches the live
 * connections (issue 19 item 6, issue 20 items 4 and 6): the command is
 * spawned for real beside the server, on SQLite (where nothing announces its
 * changes) and on Redis across two nodes.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { CLOSED_REASON } from '../../src/server/lost-access.js';
import { finished, runCommand } from '../helpers/command.js';
import { joined, listed, outcome, signIn } from '../helpers/moderation.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { startTestServer } from '../helpers/server.js';
import type { WireClient } from '../helpers/wire-client.js';

const ADMIN_SCRIPT = 'dist/src/cli/admin.js';

async function admin(t: TestContext, args: string[]): Promise<void> {
  const { code, stderr } = await finished(runCommand(t, ADMIN_SCRIPT, args));
  assert.equal(code, 0, stderr.join('\n'));
}

/** The texts of the messages `client` holds now (after a sync, so that everything sent before has come). */
async function texts(client: WireClient): Promise<string[]> {
  await client.sync();
  return client.take('msg').map((message) => message.text);
}

test('SQLite: delete-group beside a running server: members inside get group_deleted unasked; the name made again (private) starts without them', async (t) => {
  const server = await startTestServer(t);
  const store = ['--data', server.config.dataDir];
  const [owner, ann, ben] = await Promise.all(['olga', 'ann', 'ben'].map((user) => signIn(t, server.port, user)));
  assert.equal(await outcome(owner!, { type: 'create_group', group: 'Team' }), 'group_created');
  for (const client of [owner!, ann!, ben!]) await joined(client, 'team');
  assert.equal(await outcome(ann!, { type: 'say', text: 'before' }), 'ack');
  assert.deepEqual(await texts(ben!), ['before']);

  await admin(t, ['delete-group', 'team', ...store]);
  // At once, as the owner would: the name is free.
  assert.equal(await outcome(owner!, { type: 'create_group', group: 'Team', private: true }), 'group_created');
  for (const client of [owner!, ann!, ben!]) assert.deepEqual(await client.next('group_deleted'), { type: 'group_deleted', group: 'Team', by: 'admin' });

  const fresh = await joined(owner!, 'team');
  assert.deepEqual([fresh.members, fresh.history, fresh.role], [['olga'], [], 'owner']);
  assert.equal(await outcome(owner!, { type: 'say', text: 'only for the new members' }), 'ack');
  const who = await owner!.request({ type: 'who' });
  assert.deepEqual(who.type === 'members' && who.members, ['olga']);
  for (const client of [ann!, ben!]) {
    assert.equal(await outcome(client, { type: 'say', text: 'still here?' }), 'error:wrong_state', 'back in GROUP_SELECT');
    assert.deepEqual(await texts(client), [], 'nothing of the new group');
    assert.equal(await outcome(client, { type: 'join', group: 'team' }), 'error:no_such_group', 'a private group they were not invited to');
  }
  const history = await owner!.request({ type: 'history' });
  assert.deepEqual(history.type === 'history' && history.messages.map((message) => message.text), ['only for the new members']);
});

test('SQLite: set-role X user beside a running server: the former admin leaves the private group it may no longer see, and gets nothing more of it', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const store = ['--data', server.config.dataDir];
  const [owner, root] = await Promise.all(['olga', 'root'].map((user) => signIn(t, server.port, user)));
  const passive = await signIn(t, server.port, 'root', 'login');
  await admin(t, ['set-role', 'root', 'admin', ...store]);
  assert.equal(await outcome(owner!, { type: 'create_group', group: 'open' }), 'group_created');
  assert.equal(await outcome(owner!, { type: 'create_group', group: 'Secret', private: true }), 'group_created');
  await joined(owner!, 'secret');
  await joined(root!, 'open'); // so that root watches it from elsewhere (the control for activity below)
  for (const client of [root!, passive]) assert.equal((await joined(client, 'secret')).role, 'member');
  assert.deepEqual(await listed(root!), ['open', 'Secret']);

  await admin(t, ['set-role', 'root', 'user', ...store]);
  // Said at once: refused whether the server's check or the request's own comes first; never stored.
  assert.match(await outcome(root!, { type: 'say', text: 'still an admin?' }), /^error:(no_such_group|wrong_state)$/);
  for (const client of [root!, passive]) {
    assert.deepEqual(await client.next('kicked'), { type: 'kicked', group: 'Secret', by: 'admin', reason: CLOSED_REASON, banned: false });
  }
  const history = await owner!.request({ type: 'history' });
  assert.deepEqual(history.type === 'history' && history.messages.map((message) => message.text), []);
  assert.deepEqual(await listed(root!), ['open']);
  assert.equal(await outcome(root!, { type: 'join', group: 'secret' }), 'error:no_such_group');
  assert.equal(await outcome(root!, { type: 'mark_read', group: 'secret', seq: 0 }), 'error:no_such_group');

  // Neither live messages nor activity (not even a mention) of the group; activity of the public one still comes.
  assert.equal(await outcome(owner!, { type: 'say', text: '@root are you gone?' }), 'ack');
  await joined(owner!, 'open');
  assert.equal(await outcome(owner!, { type: 'say', text: 'control' }), 'ack');
  for (const client of [root!, passive]) {
    assert.equal((await client.next('activity')).group, 'open');
    await client.sync();
    assert.deepEqual(client.take('activity'), []);
    assert.deepEqual(client.take('msg'), []);
  }
});

test('SQLite: set-role X user for a former admin outside the private group: no more activity of it, mention or not', async (t) => {
  const server = await startTestServer(t, { limits: { rateLimit: 0 } });
  const store = ['--data', server.config.dataDir];
  const [owner, root] = await Promise.all(['olga', 'root'].map((user) => signIn(t, server.port, user)));
  await admin(t, ['set-role', 'root', 'admin', ...store]);
  assert.equal(await outcome(owner!, { type: 'create_group', group: 'open' }), 'group_created');
  assert.equal(await outcome(owner!, { type: 'create_group', group: 'secret', private: true }), 'group_created');
  // root joined both before, and waits outside: it watches both.
  await joined(root!, 'secret');
  await joined(root!, 'open');
  assert.equal(await outcome(root!, { type: 'leave' }), 'left');
  await joined(owner!, 'secret');

  await admin(t, ['set-role', 'root', 'user', ...store]);
  // The first activity of each group goes out at once, in message order: secret's would come before open's.
  assert.equal(await outcome(owner!, { type: 'say', text: '@root you should not hear this' }), 'ack');
  await joined(owner!, 'open');
  assert.equal(await outcome(owner!, { type: 'say', text: 'control' }), 'ack');
  assert.equal((await root!.next('activity')).group, 'open');
  await root!.sync();
  assert.deepEqual(root!.take('activity'), []);
  assert.deepEqual(await listed(root!), ['open']);
});

test('Redis, two nodes: set-role X user takes the former admin out of a private group on the other node', { skip: hasRedis() ? false : 'redis-server is not installed' }, async (t) => {
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([0, 1].map(() => startTestServer(t, { redis: { url: redis.url, memberTtlMs: 15_000 } })));
  const store = ['--redis', redis.url];
  const owner = await signIn(t, a!.port, 'olga');
  const root = await signIn(t, b!.port, 'root');
  await admin(t, ['set-role', 'root', 'admin', ...store]);
  assert.equal(await outcome(owner, { type: 'create_group', group: 'secret', private: true }), 'group_created');
  await joined(owner, 'secret');
  await joined(root, 'secret');
  await owner.next((message) => message.type === 'presence' && message.user === 'root');

  await admin(t, ['set-role', 'root', 'user', ...store]);
  assert.deepEqual(await root.next('kicked'), { type: 'kicked', group: 'secret', by: 'admin', reason: CLOSED_REASON, banned: false });
  await owner.next((message) => message.type === 'presence' && message.user === 'root' && message.event === 'leave');
  assert.equal(await outcome(owner, { type: 'say', text: 'after' }), 'ack');
  assert.deepEqual(await texts(root), []);
  assert.deepEqual(await listed(root), []);
});
