/**
 * The interactive client (in tmux) against a scripted server that breaks the
 * rules where only the chat screen would notice: a user name in `auth_ok`
 * that is a regular expression (the screen highlights mentions of it), and a
 * message of 8 MB (the screen wraps it). The client must end at once with one
 * clear line and status 1: no crash, no hang, no freeze.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { CLIENT_BIN } from '../helpers/client-process.js';
import { scriptedServer } from '../helpers/scripted-server.js';
import { TEST_PASSWORD } from '../helpers/server.js';
import { TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

const skip = TMUX_SKIP;

const cases: Array<[string, string, string]> = [
  ['a user name that is not a valid regular expression', 'bob(', 'hi bob( and bob'],
  ['a user name that is a catastrophic regular expression', '(a+)+b', 'a'.repeat(40)],
  ['an 8 MB message', 'alice', 'x'.repeat(8_000_000)],
];

for (const [name, self, text] of cases) {
  test(`interactive: a server that sends ${name} ends the client with one clear line and status 1`, { skip }, async (t) => {
    const port = await scriptedServer(t, {}, (request, { send }) => {
      const id = request['id'];
      if (request['type'] === 'login') send({ type: 'auth_ok', id, user: self });
      if (request['type'] === 'join') {
        const history = [{ group: 'g', seq: 1, from: 'mallory', text, ts: 1_700_000_000_000 }];
        send({ type: 'joined', id, group: 'g', members: ['mallory', self], last_seq: 1, history, more: false });
      }
    });
    const certs = await getTestCertificates();
    const command = [process.execPath, CLIENT_BIN, '--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--user', 'alice', '--group', 'g']
      .map((part) => `'${part}'`).join(' ');
    const tty = await TmuxSession.start(t, command, { TERMSENDER_PASSWORD: TEST_PASSWORD });
    // The screen's own deadline is the safety net: a client that hangs never shows the exit.
    const screen = await tty.waitForText(/\[exited \d+\]/);
    assert.match(screen, /\[exited 1\]/, screen);
    assert.match(screen, /^termsender: .*the server broke the protocol: /m, screen);
    assert.doesNotMatch(screen, /^\s+at /m, 'no stack trace');
  });
}
