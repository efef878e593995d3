/**
 * `disable_user` while a correct login of that account is under way (issue 20,
 * item 3): the login read the account before its password hash, and the
 * account's close reached only signed-in connections, so the login still got
 * `auth_ok`. A gated store holds the login between a read and its answer, as
 * a slow hash would, so the disable lands exactly in that window.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { RedisStore } from '../../src/store/redis.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store, UserRecord } from '../../src/store/store.js';
import { hasRedis, startRedis } from '../helpers/redis.js';
import { startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { WireClient } from '../helpers/wire-client.js';

interface ReadGate {
  /** Resolves once the read was made (its answer is held). */
  read: Promise<void>;
  /** Lets the held answer go. */
  answer(): void;
}

interface GatedStore {
  store: Store;
  /** The next `findUser(name)` reads at once but answers only at `answer()`. */
  holdNextRead(name: string): ReadGate;
}

function gated(inner: Store): GatedStore {
  const gates: Array<{ name: string; arrived: () => void; released: Promise<void> }> = [];
  const findUser = async (name: string): Promise<UserRecord | undefined> => {
    const record = await inner.findUser(name);
    const index = gates.findIndex((gate) => gate.name === name);
    if (index >= 0) {
      const [gate] = gates.splice(index, 1);
      gate!.arrived();
      await gate!.released;
    }
    return record;
  };
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'findUser') return findUser;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    store,
    holdNextRead(name) {
      let arrived!: () => void;
      let answer!: () => void;
      const read = new Promise<void>((resolve) => { arrived = resolve; });
      const released = new Promise<void>((resolve) => { answer = resolve; });
      gates.push({ name, arrived, released });
      return { read, answer };
    },
  };
}

async function connect(t: TestContext, port: number): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  return client;
}

async function signIn(t: TestContext, port: number, type: 'register' | 'login', user: string): Promise<WireClient> {
  const client = await connect(t, port);
  const reply = await client.request({ type, user, password: TEST_PASSWORD });
  assert.equal(reply.type, 'auth_ok', JSON.stringify(reply));
  return client;
}

function outcome(reply: ServerMessage): string {
  return reply.type === 'error' ? `error:${reply.code}` : reply.type;
}

/** One server on a gated SQLite store, with `root` (admin) and `alice`. */
async function setUp(t: TestContext) {
  const sqlite = SqliteStore.open(tempDir(t));
  const { store, holdNextRead } = gated(sqlite);
  const server = await startTestServer(t, { store });
  const root = await signIn(t, server.port, 'register', 'root');
  assert.equal(await sqlite.setRole('root', 'admin'), true);
  await signIn(t, server.port, 'register', 'alice');
  return { port: server.port, root, holdNextRead };
}

test('disable_user while a correct login reads the account before its hash: the login gets account_disabled', async (t) => {
  const { port, root, holdNextRead } = await setUp(t);
  const gate = holdNextRead('alice');
  const client = await connect(t, port);
  const login = client.request({ type: 'login', user: 'alice', password: TEST_PASSWORD });
  await gate.read; // the login read alice, still enabled
  assert.equal(outcome(await root.request({ type: 'disable_user', user: 'alice', reason: 'gone' })), 'ok');
  gate.answer();
  assert.equal(outcome(await login), 'error:account_disabled');
  await client.closed;
});

test('disable_user after the login\'s last read: the login is refused all the same', async (t) => {
  const { port, root, holdNextRead } = await setUp(t);
  const first = holdNextRead('alice');
  const client = await connect(t, port);
  const login = client.request({ type: 'login', user: 'alice', password: TEST_PASSWORD });
  await first.read;
  const again = holdNextRead('alice'); // the read after the hash
  first.answer();
  // Before the fix the login read nothing after its hash: it answered auth_ok here.
  const reread = await Promise.race([again.read.then(() => 'read again'), login.then(outcome)]);
  assert.equal(reread, 'read again');
  assert.equal(outcome(await root.request({ type: 'disable_user', user: 'alice' })), 'ok');
  again.answer(); // it saw alice enabled; the close of the account reached the login under way
  assert.equal(outcome(await login), 'error:account_disabled');
  await client.closed;
});

test('cluster: disable_user on one node while a login on the other is under way: refused there too', { skip: hasRedis() ? false : 'redis-server is not installed' }, async (t) => {
  const redis = await startRedis(t);
  const storeOfB = await RedisStore.connect(redis.url, () => undefined);
  const { store, holdNextRead } = gated(storeOfB);
  const cluster = { redis: { url: redis.url, memberTtlMs: 15_000 } };
  const a = await startTestServer(t, cluster);
  const b = await startTestServer(t, { ...cluster, store });
  const root = await signIn(t, a.port, 'register', 'root');
  await signIn(t, a.port, 'register', 'alice');
  assert.equal(await storeOfB.setRole('root', 'admin'), true);
  for (const holdAt of ['before the hash', 'after the hash']) {
    assert.equal(outcome(await root.request({ type: 'enable_user', user: 'alice' })), 'ok');
    const watcher = await signIn(t, b.port, 'login', 'alice'); // tells when the account's close has reached node B
    const first = holdNextRead('alice');
    const client = await connect(t, b.port);
    const login = client.request({ type: 'login', user: 'alice', password: TEST_PASSWORD });
    await first.read;
    let gate = first;
    if (holdAt === 'after the hash') {
      gate = holdNextRead('alice');
      first.answer();
      await gate.read;
    }
    assert.equal(outcome(await root.request({ type: 'disable_user', user: 'alice' })), 'ok');
    // The account's close reached node B through the link (its live session is closed); the login under way there must see it too.
    assert.equal(outcome(await watcher.next('error')), 'error:account_disabled');
    gate.answer();
    assert.equal(outcome(await login), 'error:account_disabled', holdAt);
    await client.closed;
  }
});
