/** The interactive client (tmux) at its chat prompt in `lobby` of an in-process server, and that server stopped: the start of every outage test. */
import type { TestContext } from 'node:test';
import { clientCommand } from './client-process.js';
import { signedInClient, startTestServer, TEST_PASSWORD, tempDir } from './server.js';
import { lastLine, TmuxSession } from './tmux.js';

export interface Outage {
  tty: TmuxSession;
  /** The stopped server's data folder and port: start the next one there. */
  dataDir: string;
  port: number;
}

/** Alice at the chat prompt in `lobby` (bob in it too, signed in before), then the server stopped and the loss shown. */
export async function aliceOffline(t: TestContext): Promise<Outage> {
  const dataDir = tempDir(t);
  const first = await startTestServer(t, { dataDir });
  await signedInClient(t, first.port, 'bob', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(first.port, '--user', 'alice', '--register', '--group', 'lobby'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  await first.close();
  await tty.waitForText('-- connection lost');
  return { tty, dataDir, port: first.port };
}
