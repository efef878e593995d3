/** Shared by the moderation tests: signed-in clients, one request's outcome as a string. */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { TEST_PASSWORD } from './server.js';
import { WireClient } from './wire-client.js';

/** A connected client signed in as `user` (registered when `register`). */
export async function signIn(t: TestContext, port: number, user: string, type: 'register' | 'login' = 'register'): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  const reply = await client.request({ type, user, password: TEST_PASSWORD });
  assert.equal(reply.type, 'auth_ok', JSON.stringify(reply));
  return client;
}

/** The reply's type, or `error:CODE`. */
export async function outcome(client: WireClient, request: object): Promise<string> {
  const reply = await client.request(request);
  return reply.type === 'error' ? `error:${reply.code}` : reply.type;
}

/** Joins and asserts it worked; returns the `joined` reply. */
export async function joined(client: WireClient, group: string) {
  const reply = await client.request({ type: 'join', group });
  assert.equal(reply.type, 'joined', JSON.stringify(reply));
  if (reply.type !== 'joined') throw new Error('unreachable');
  return reply;
}

/** Names of the groups `list_groups` shows the client. */
export async function listed(client: WireClient): Promise<string[]> {
  const reply = await client.request({ type: 'list_groups' });
  if (reply.type !== 'groups') throw new Error(JSON.stringify(reply));
  return reply.groups.map((group) => group.name);
}
