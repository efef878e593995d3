/** The admin command run to its end, and an account signed in over the wire: what the admin command's tests check it with. */
import type { TestContext } from 'node:test';
import { finished, runCommand } from './command.js';
import { TEST_PASSWORD } from './server.js';
import { WireClient } from './wire-client.js';

export const ADMIN_SCRIPT = 'dist/src/cli/admin.js';

/** Runs `termsender-admin ARGS` with `env` to its end. */
export async function admin(t: TestContext, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string[]; stderr: string[] }> {
  return finished(runCommand(t, ADMIN_SCRIPT, args, { env }));
}

/** A new connection's `register` or `login`: the client and the reply. */
export async function auth(t: TestContext, port: number, type: 'register' | 'login', user: string, password = TEST_PASSWORD) {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  return { client, reply: await client.request({ type, user, password }) };
}
