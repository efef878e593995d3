/** What the conversation tests share: signing in again over TLS, a `dm` that must be acknowledged, the next retention pass of a spawned server. */
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { type SpawnedServer, TEST_PASSWORD } from './server.js';
import { type FrameClient, WireClient } from './wire-client.js';

/** A new connection that has read `welcome` and logged in as `user` (registered before with TEST_PASSWORD). */
export async function login(t: TestContext, port: number, user: string): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  assert.equal((await client.request({ type: 'login', user, password: TEST_PASSWORD })).type, 'auth_ok');
  return client;
}

/** Sends a dm and resolves with its ack's seq. */
export async function dm(client: FrameClient, to: string, text: string): Promise<number> {
  const ack = await client.request({ type: 'dm', to, text });
  assert.ok(ack.type === 'ack' && typeof ack.seq === 'number', JSON.stringify(ack));
  return ack.seq;
}

/** Resolves at the next `retention pass` line the server writes from now on. */
export function nextPass(server: SpawnedServer): Promise<void> {
  const lines = createInterface({ input: server.child.stderr! });
  return new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      if (!line.includes('"msg":"retention pass"')) return;
      lines.close();
      resolve();
    });
  });
}
