import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GroupEvent } from '../../../src/cluster/group-event.js';
import { LocalLink } from '../../../src/cluster/local-link.js';
import { FrameEncoder } from '../../../src/protocol/frame.js';
import { Hub } from '../../../src/server/hub.js';
import { CLOSED_REASON } from '../../../src/server/lost-access.js';
import type { SessionState } from '../../../src/server/session.js';
import { StoreChangeWatch } from '../../../src/server/store-changes.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { testContext } from '../../helpers/server-context.js';

class RecordingHub extends Hub {
  readonly events: GroupEvent[] = [];

  override groupEvent(event: GroupEvent): void {
    this.events.push(event);
    super.groupEvent(event);
  }
}

const CAPS = { maxGroups: 10, maxOwned: 10 };

test('a pass runs when another process changed the file: deleted groups and private groups no longer open; nothing when nothing changed', async (t) => {
  const hub = new RecordingHub(new FrameEncoder(), new LocalLink());
  const { context, store, dataDir } = await testContext(t, { hub });
  for (const user of ['olga', 'ann', 'root']) await store.accounts.createUser(user, 'hash');
  await store.accounts.setRole('root', 'admin');
  await store.groups.createOwnedGroup('Lobby', 'olga', CAPS);
  await store.groups.createOwnedGroup('Secret', 'olga', CAPS, { private: true });
  await store.moderation.setInvited('Secret', 'ann', true);
  const sessions: SessionState[] = [
    { kind: 'chat', user: 'ann', group: 'Lobby', joinedAtSeq: 0 },
    { kind: 'chat', user: 'ann', group: 'Secret', joinedAtSeq: 0, private: true },
    { kind: 'chat', user: 'root', group: 'Secret', joinedAtSeq: 0, private: true },
    { kind: 'group_select', user: 'olga' },
  ];
  const watch = new StoreChangeWatch(context, () => sessions.map((state) => ({ state, accountRoleIs: () => undefined })), 60_000);
  await watch.start();
  t.after(() => watch.stop());

  // This server's own writes do not move the mark.
  await store.moderation.setTopic('Lobby', 'hello');
  await watch.check();
  assert.deepEqual(hub.events, []);

  // The admin command's process: another handle on the file.
  const other = SqliteStore.open(dataDir);
  t.after(() => other.close());
  assert.equal(await other.moderation.deleteGroup('lobby', 'admin'), 'Lobby');
  assert.equal(await other.accounts.setRole('root', 'user'), true);
  await Promise.all([watch.check(), watch.check()]);
  assert.deepEqual(hub.events, [
    { kind: 'deleted', group: 'Lobby', by: 'admin' },
    { kind: 'kicked', group: 'Secret', user: 'root', by: 'admin', reason: CLOSED_REASON, banned: false, shutOut: true },
  ], 'once each, though checked twice; ann stays in Secret (invited)');
  await watch.check();
  assert.equal(hub.events.length, 2, 'no pass while the mark stays');
});

test('the pass looks at every group a connection is in, not only its current one', async (t) => {
  const hub = new RecordingHub(new FrameEncoder(), new LocalLink());
  const { context, store, dataDir } = await testContext(t, { hub });
  for (const user of ['olga', 'root']) await store.accounts.createUser(user, 'hash');
  await store.accounts.setRole('root', 'admin');
  await store.groups.createOwnedGroup('Lobby', 'olga', CAPS);
  await store.groups.createOwnedGroup('Secret', 'olga', CAPS, { private: true });
  await store.groups.createOwnedGroup('Current', 'olga', CAPS);
  const sessions: SessionState[] = [{
    kind: 'chat', user: 'root', group: 'Current', joinedAtSeq: 0,
    others: [{ group: 'Lobby', joinedAtSeq: 0 }, { group: 'Secret', joinedAtSeq: 0, private: true }],
  }];
  const watch = new StoreChangeWatch(context, () => sessions.map((state) => ({ state, accountRoleIs: () => undefined })), 60_000);
  await watch.start();
  t.after(() => watch.stop());
  const other = SqliteStore.open(dataDir);
  t.after(() => other.close());
  assert.equal(await other.moderation.deleteGroup('lobby', 'admin'), 'Lobby');
  assert.equal(await other.accounts.setRole('root', 'user'), true);
  await watch.check();
  assert.deepEqual(hub.events, [
    { kind: 'deleted', group: 'Lobby', by: 'admin' },
    { kind: 'kicked', group: 'Secret', user: 'root', by: 'admin', reason: CLOSED_REASON, banned: false, shutOut: true },
  ]);
});
