/**
 * The ChatClient's reconnect signs in with the resume token of its last
 * `auth_ok` (no password hash for the server), and with the password when
 * the token is refused.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type TestContext, test } from 'node:test';
import { ChatClient } from '../../../src/client/model/chat-client.js';
import { MemoryFrameLink } from '../../../src/transport/memory-link.js';
import { startMemoryServer } from '../../helpers/memory-server.js';
import { TEST_PASSWORD } from '../../helpers/server.js';

const QUICK = { initialMs: 5, maxMs: 20, random: () => 0 };

test('ChatClient reconnects with its resume token, and with its password once the token is refused', async (t: TestContext) => {
  const server = await startMemoryServer(t);
  const { context } = server.core;
  const links: MemoryFrameLink[] = [];
  const bob = await ChatClient.open({
    connect: async () => {
      const [serverEnd, clientEnd] = MemoryFrameLink.pair({ maxFrame: server.config.limits.maxFrame });
      server.core.accept(serverEnd, context.addresses.peerOf(serverEnd.peer.address));
      links.push(clientEnd);
      return clientEnd;
    },
    reconnectForMs: 10_000,
    backoff: QUICK,
  });
  t.after(() => bob.destroy());
  await bob.signIn({ user: 'bob', password: TEST_PASSWORD }, { register: true });
  await bob.join('ops', { create: true });
  // Counts the password checks the server makes from here on.
  let checks = 0;
  const verify = context.hasher.verify.bind(context.hasher);
  context.hasher.verify = (...args) => {
    checks += 1;
    return verify(...args);
  };
  const dropAndWait = async () => {
    const restored = once(bob, 'restored');
    links.at(-1)!.destroy();
    await restored;
  };
  await dropAndWait();
  assert.equal(checks, 0, 'the first reconnect signed in with the token');
  await dropAndWait();
  assert.equal(checks, 0, 'and the next one with the token of that sign-in');
  // Setting the password (to the same hash) ends the account's tokens: the token is refused, the password signs in.
  const account = await context.store.accounts.findUser('bob');
  await context.store.accounts.setPasswordHash('bob', account!.passwordHash);
  await dropAndWait();
  assert.equal(checks, 1, 'the refused token was followed by the password');
  assert.equal(bob.self, 'bob');
});
