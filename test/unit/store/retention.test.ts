/** Store.pruneMessages and Store.firstSeq on both stores: only a prefix goes, in batches, never the newest N; seqs go on. */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { RedisStore } from '../../../src/store/redis.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import type { Store } from '../../../src/store/store.js';
import { hasRedis, startRedis } from '../../helpers/redis.js';
import { tempDir } from '../../helpers/server.js';

const NOW = Date.now();
const OLD = NOW - 10_000;
const HOUR = 3_600_000;

const STORES: Array<[string, (t: TestContext) => Promise<Store>, false | string]> = [
  ['SQLite', async (t) => SqliteStore.open(tempDir(t)), false],
  ['Redis', async (t) => RedisStore.connect((await startRedis(t)).url, () => undefined), hasRedis() ? false : 'redis-server not installed'],
];

async function messages(store: Store, group: string, stamps: number[]): Promise<void> {
  for (const ts of stamps) await store.groups.appendMessage({ group, from: 'alice', text: String(ts), ts, origin: '' });
}

async function keptSeqs(store: Store, group: string): Promise<number[]> {
  return (await store.groups.messagesSince(group, 0, 1000)).messages.map((message) => message.seq);
}

for (const [name, open, skip] of STORES) {
  test(`${name}: by age, only the oldest run of old messages goes (an old one after a young one stays)`, { skip }, async (t) => {
    const store = await open(t);
    t.after(() => store.close());
    await store.groups.createGroup('g');
    assert.equal(await store.retention.firstSeq('g'), 1, 'empty: last_seq + 1');
    assert.equal(await store.retention.firstSeq('nowhere'), undefined);
    await messages(store, 'g', [OLD - 5 * HOUR, OLD - 4 * HOUR, NOW, OLD - 3 * HOUR, NOW]);
    const policy = { maxAgeMs: NOW - OLD, maxMessages: 0 };
    assert.equal(await store.retention.pruneMessages('g', policy, NOW, 100), 2);
    assert.equal(await store.retention.pruneMessages('g', policy, NOW, 100), 0);
    assert.deepEqual(await keptSeqs(store, 'g'), [3, 4, 5]);
    assert.equal(await store.retention.firstSeq('G'), 3);
    assert.equal(await store.retention.pruneMessages('g', policy, NOW + 2 * policy.maxAgeMs, 100), 3, 'later, all of them');
    assert.deepEqual([await store.retention.firstSeq('g'), (await store.groups.findGroup('g'))?.lastSeq], [6, 5], 'none kept: last_seq + 1; last_seq stays');
    assert.equal((await store.groups.appendMessage({ group: 'g', from: 'bob', text: 'next', ts: NOW, origin: '' })).seq, 6);
  });

  test(`${name}: by count, in batches of at most the size asked, the newest N always stay`, { skip }, async (t) => {
    const store = await open(t);
    t.after(() => store.close());
    await store.groups.createGroup('g');
    await store.groups.createGroup('other');
    await messages(store, 'g', Array.from({ length: 10 }, () => NOW));
    await messages(store, 'other', [NOW, NOW]);
    const policy = { maxAgeMs: 0, maxMessages: 3 };
    assert.deepEqual([
      await store.retention.pruneMessages('g', policy, NOW, 4), await store.retention.pruneMessages('g', policy, NOW, 4), await store.retention.pruneMessages('g', policy, NOW, 4),
    ], [4, 3, 0]);
    assert.deepEqual(await keptSeqs(store, 'g'), [8, 9, 10]);
    assert.equal(await store.retention.firstSeq('g'), 8);
    assert.equal(await store.retention.pruneMessages('other', policy, NOW, 4), 0, 'a group under the limit keeps everything');
    // Both limits: a message goes when either says so.
    assert.equal(await store.retention.pruneMessages('g', { maxAgeMs: 1, maxMessages: 2 }, NOW, 10), 1);
    assert.deepEqual(await keptSeqs(store, 'g'), [9, 10]);
    assert.equal(await store.retention.pruneMessages('g', { maxAgeMs: 1, maxMessages: 2 }, NOW + 10, 10), 2);
    assert.equal(await store.retention.firstSeq('g'), 11);
  });
}
