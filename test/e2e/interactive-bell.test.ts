/**
 * The bell in a real terminal (tmux): the raw bytes the client writes to its
 * pane are piped to a file (tmux pipe-pane), so a test sees the BEL byte
 * itself, in order with the text around it. The client prints a message and
 * then rings, so "no bell for X" is checked as "no BEL between X's text and
 * the text of a later message that did ring".
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientCommand } from '../helpers/client-process.js';
import { signedInClient, startTestServer, tempDir, TEST_PASSWORD } from '../helpers/server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';
import type { WireClient } from '../helpers/wire-client.js';

const skip = TMUX_SKIP;
const BEL = '\u0007';
const POLL_MS = 50;
const DEADLINE_MS = 10_000;

/** What the client wrote to its pane, read from the pipe-pane file. */
class PaneOutput {
  constructor(private readonly file: string) {}

  async read(): Promise<string> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ''; // `cat` has not opened it yet
      throw error;
    }
  }

  /** Resolves with the output once a BEL follows the first `token`. */
  async waitForBellAfter(token: string): Promise<string> {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      const raw = await this.read();
      const at = raw.indexOf(token);
      if (at >= 0 && raw.indexOf(BEL, at) >= 0) return raw;
      if (Date.now() > deadline) throw new Error(`no BEL after '${token}' in the pane's output:\n${JSON.stringify(raw)}`);
      await sleep(POLL_MS);
    }
  }
}

/** The BELs in `raw` from the first `from` to the first `to` (both must be there, in that order). */
function bellsBetween(raw: string, from: string, to: string): number {
  const start = raw.indexOf(from);
  const end = raw.indexOf(to);
  assert.ok(start >= 0 && end > start, `'${from}' then '${to}' in the pane's output:\n${JSON.stringify(raw)}`);
  return raw.slice(start, end).split(BEL).length - 1;
}

/** alice's client in tmux at the lobby prompt, its output piped to a file; bob on the wire in the lobby. */
async function aliceAndBob(t: TestContext): Promise<{ tty: TmuxSession; output: PaneOutput; bob: WireClient }> {
  const server = await startTestServer(t);
  const bob = await signedInClient(t, server.port, 'bob', 'lobby');
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'alice', '--register', '--group', 'lobby'), { TERMSENDER_PASSWORD: TEST_PASSWORD });
  await tty.waitFor((screen) => lastLine(screen) === 'lobby>', 'the chat prompt');
  const file = path.join(tempDir(t, 'termsender-bell-'), 'pane.out');
  await tty.pipeOutput(file);
  return { tty, output: new PaneOutput(file), bob };
}

async function say(bob: WireClient, text: string): Promise<void> {
  const reply = await bob.request({ type: 'say', text });
  assert.equal(reply.type, 'ack', `say ${text}: ${JSON.stringify(reply)}`);
}

test('a mention and a direct message ring the bell; a message without a mention does not', { skip }, async (t) => {
  const { tty, output, bob } = await aliceAndBob(t);

  await say(bob, 'first-mention hi @alice');
  await output.waitForBellAfter('first-mention');
  await tty.waitForText('first-mention hi @alice');

  await say(bob, 'plain-words for the room');
  await say(bob, 'second-mention over to @alice');
  let raw = await output.waitForBellAfter('second-mention');
  assert.equal(bellsBetween(raw, 'first-mention', 'plain-words'), 1, 'one BEL for the first mention');
  assert.equal(bellsBetween(raw, 'plain-words', 'second-mention'), 0, 'no BEL for the message without a mention');

  const ack = await bob.request({ type: 'dm', to: 'alice', text: 'direct-note psst' });
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  // The dm opens bob's window (3) without showing it: the hotlist counts it, and the bell rings.
  raw = await output.waitForBellAfter('3:bob 1');
  assert.equal(bellsBetween(raw, 'second-mention', '3:bob 1'), 1, 'one BEL for the second mention, none more before the dm');
  assert.ok(!raw.includes('direct-note'), 'the conversation is not shown');
  await tty.keys('M-3');
  await tty.waitForText('direct-note psst');
});

test('after /set bell off a mention does not ring; /set bell on rings again', { skip }, async (t) => {
  const { tty, output, bob } = await aliceAndBob(t);

  await say(bob, 'before-off ping @alice');
  await output.waitForBellAfter('before-off');

  await tty.enter('/set bell off');
  await tty.waitForText('-- bell off');
  await say(bob, 'muted-mention ping @alice');
  await tty.waitForText('muted-mention ping @alice');
  const dm = await bob.request({ type: 'dm', to: 'alice', text: 'muted-direct psst' });
  assert.equal(dm.type, 'ack', JSON.stringify(dm));
  await tty.waitForText('[3:bob 1] lobby>');

  await tty.enter('/set bell on');
  await tty.waitForText('-- bell on');
  await say(bob, 'after-on ping @alice');
  const raw = await output.waitForBellAfter('after-on');
  assert.equal(bellsBetween(raw, 'muted-mention', 'after-on'), 0, 'no BEL for a mention or a dm while the bell is off');
});
