import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { type TestContext, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { REPO_ROOT, tempDir } from '../../helpers/server.js';

function openStore(t: TestContext, dir = tempDir(t)): SqliteStore {
  const store = SqliteStore.open(dir);
  t.after(() => store.close());
  return store;
}

const say = (group: string, text: string, from = 'alice') => ({ group, from, text, ts: Date.now(), origin: 'test:1' });

test('seq counts from 1 per group, contiguous, in call order, committed in one transaction per turn', async (t) => {
  const store = openStore(t);
  await store.groups.createGroup('a');
  await store.groups.createGroup('b');
  const before = store.groups.stats.transactions;
  const first = await Promise.all(Array.from({ length: 500 }, (_, i) => store.groups.appendMessage(say(i % 2 ? 'a' : 'B', `${i}`))));
  assert.equal(store.groups.stats.transactions, before + 1, 'one turn, one transaction');
  assert.deepEqual(first.filter((m) => m.group === 'a').map((m) => m.seq), Array.from({ length: 250 }, (_, i) => i + 1));
  assert.deepEqual(first.filter((m) => m.group === 'b').map((m) => m.seq), Array.from({ length: 250 }, (_, i) => i + 1));
  const next = await store.groups.appendMessage(say('a', 'later'));
  assert.equal(next.seq, 251);
  assert.equal((await store.groups.findGroup('a'))?.lastSeq, 251);
  await assert.rejects(store.groups.appendMessage(say('missing', 'x')), /no group/);
});

test('reads see appends of the same turn (flushed first), so a join never misses one', async (t) => {
  const store = openStore(t);
  await store.groups.createGroup('g');
  const pending = store.groups.appendMessage(say('g', 'not yet committed'));
  const page = await store.groups.messagesSince('g', 0, 10);
  assert.deepEqual(page.messages.map((m) => m.text), ['not yet committed']);
  assert.equal((await pending).seq, 1);
});

test('the database and its WAL files are readable by the owner only, even in an open folder', async (t) => {
  const dir = tempDir(t);
  chmodSync(dir, 0o755);
  const store = openStore(t, dir);
  await store.accounts.createUser('u', 'secret hash');
  const files = readdirSync(dir);
  assert.ok(files.includes('termsender.db-wal'), files.join(', '));
  for (const file of files) assert.equal(statSync(path.join(dir, file)).mode & 0o777, 0o600, file);
});

test('reopening keeps everything and seqs go on', async (t) => {
  const dir = tempDir(t);
  const first = SqliteStore.open(dir);
  await first.accounts.createUser('u', 'h');
  await first.groups.createGroup('g');
  await Promise.all([1, 2, 3].map((i) => first.groups.appendMessage(say('g', `${i}`))));
  await first.close();
  await first.close(); // idempotent
  await assert.rejects(first.accounts.findUser('u'), /closed/);
  const second = openStore(t, dir);
  assert.equal((await second.accounts.findUser('U'))?.name, 'u');
  assert.equal((await second.groups.findGroup('g'))?.lastSeq, 3);
  assert.equal((await second.groups.appendMessage(say('g', '4'))).seq, 4);
});

test('every acknowledged append survives SIGKILL of the process', async (t) => {
  const dir = tempDir(t);
  const script = path.join(dir, 'writer.mjs');
  const storeUrl = pathToFileURL(path.join(REPO_ROOT, 'dist/src/store/sqlite.js')).href;
  writeFileSync(script, `
    import { SqliteStore } from ${JSON.stringify(storeUrl)};
    const store = SqliteStore.open(${JSON.stringify(path.join(dir, 'data'))});
    await store.groups.createGroup('g');
    for (let i = 0; ; i++) {
      const batch = Array.from({ length: 10 }, (_, j) => store.groups.appendMessage({ group: 'g', from: 'w', text: 't' + (i * 10 + j), ts: 1 }));
      for (const stored of await Promise.all(batch)) process.stdout.write(stored.seq + ' ' + stored.text + '\\n');
    }
  `);
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  t.after(() => {
    child.kill('SIGKILL');
    return exited;
  });
  const acked = new Map<number, string>();
  for await (const line of createInterface({ input: child.stdout })) {
    const [seq, text] = line.split(' ');
    acked.set(Number(seq), text!);
    if (acked.size >= 2000) break;
  }
  child.kill('SIGKILL');
  await exited;
  const store = openStore(t, path.join(dir, 'data'));
  const page = await store.groups.messagesSince('g', 0, 5000);
  const stored = new Map(page.messages.map((m) => [m.seq, m.text]));
  for (const [seq, text] of acked) assert.equal(stored.get(seq), text, `acked seq ${seq}`);
  assert.deepEqual(page.messages.map((m) => m.seq), page.messages.map((_, i) => i + 1), 'no gaps');
});

test('messagesSince with a byte budget stops past it, with more; without one it reads up to the limit', async (t) => {
  const store = openStore(t);
  await store.groups.createGroup('big');
  await Promise.all(Array.from({ length: 100 }, () => store.groups.appendMessage(say('big', 'x'.repeat(1000)))));
  const cut = await store.groups.messagesSince('big', 0, 1000, 10_000);
  // 'alice' + 1,000 x each: past 10,000 bytes with the 10th; nothing after it is taken.
  assert.deepEqual(cut.messages.map((message) => message.seq), Array.from({ length: 10 }, (_, i) => i + 1));
  assert.equal(cut.more, true);
  const whole = await store.groups.messagesSince('big', 0, 1000);
  assert.equal(whole.messages.length, 100);
  assert.equal(whole.more, false);
  const limited = await store.groups.messagesSince('big', 90, 5, 1_000_000);
  assert.deepEqual([limited.messages.map((message) => message.seq), limited.more], [[91, 92, 93, 94, 95], true]);
  const tail = await store.groups.messagesSince('big', 95, 10, 1_000_000);
  assert.deepEqual([tail.messages.length, tail.more], [5, false]);
});
