/**
 * The client holds the server to the protocol's own rules on what it
 * receives: names, texts and frame lengths. A server that breaks them (a user
 * name that is not a name, an 8 MB text, a frame over the max_frame it
 * announced) ends the client at once with one clear line and status 1, before
 * anything of it is shown. Line mode, against a scripted server.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { runClient } from '../helpers/client-process.js';
import { type ScriptedConnection, scriptedServer } from '../helpers/scripted-server.js';
import { TEST_PASSWORD } from '../helpers/server.js';

/** Only so that a client that hangs fails the test instead of stalling the run; nothing waits for it. */
const SAFETY_NET_MS = 10_000;

const stored = (text: string, from = 'mallory') => ({ group: 'g', seq: 1, from, text, ts: 1_700_000_000_000 });

interface Bent {
  /** Fields that replace those of a proper `welcome`. */
  welcome?: object;
  /** Fields that replace those of a proper `auth_ok`. */
  authOk?: object;
  /** Fields that replace those of a proper `joined`. */
  joined?: object;
  /** Sent just before the `joined` reply. */
  beforeJoined?: object;
}

/** Answers sign-in, join and bye as a real server would, but for what `bent` changes. */
async function bentServer(t: TestContext, bent: Bent): Promise<number> {
  return scriptedServer(t, bent.welcome ?? {}, (request, { send, socket }: ScriptedConnection) => {
    const id = request['id'];
    switch (request['type']) {
      case 'login': send({ type: 'auth_ok', id, user: request['user'], ...bent.authOk }); break;
      case 'join':
        if (bent.beforeJoined) send(bent.beforeJoined);
        send({ type: 'joined', id, group: request['group'], members: ['alice'], last_seq: 0, history: [], more: false, ...bent.joined });
        break;
      case 'bye': socket.end(); break;
    }
  });
}

const cases: Array<[string, Bent, RegExp]> = [
  ['an auth_ok whose user is not a name (a regex fragment)', { authOk: { user: 'bob(' } }, /'user' must be 1 to 32/],
  ['an auth_ok whose user is a catastrophic regex', { authOk: { user: '(a+)+b' } }, /'user' must be 1 to 32/],
  ['a joined whose history holds a text of 5,000 bytes', { joined: { history: [stored('x'.repeat(5_000))] } }, /text is over 4096 bytes/],
  ['a joined whose history holds a text with an escape sequence', { joined: { history: [stored('\u001b[2Jgone')] } }, /control character/],
  ['a joined of 8 MB, over the max_frame of welcome', { joined: { history: [stored('x'.repeat(8_000_000))] } }, /frame length \d+ is outside 1\.\.65536/],
  ['a joined whose members are not names', { joined: { members: ['alice', 'not a name'] } }, /'members' must hold names/],
  ['a joined whose history has a sender that is not a name', { joined: { history: [stored('hi', 'x'.repeat(33))] } }, /'from' must be 1 to 32/],
  ['a dm from a name that breaks the name rule', { beforeJoined: { type: 'dm', from: 'bob(', to: 'alice', text: 'hi', ts: 1 } }, /'from' must be 1 to 32/],
  ['a msg with a text of 4,097 bytes', { beforeJoined: { type: 'msg', ...stored('é'.repeat(2_048) + 'x') } }, /text is over 4096 bytes/],
  ['a welcome that announces a max_frame of 0', { welcome: { max_frame: 0 } }, /'max_frame' must be at least 1/],
];

for (const [name, bent, detail] of cases) {
  test(`a server that sends ${name} gets one clear line and status 1 from the client, at once`, { timeout: SAFETY_NET_MS }, async (t) => {
    const port = await bentServer(t, bent);
    const certs = await getTestCertificates();
    const client = runClient(t, ['--host', '127.0.0.1', '--port', String(port), '--ca', certs.caPath, '--user', 'alice', '--group', 'g'], { TERMSENDER_PASSWORD: TEST_PASSWORD });
    client.child.stdin.end();
    const code = await client.exited;
    const output = [...client.stdout, ...client.stderr].join('\n');
    assert.equal(code, 1, output);
    assert.deepEqual(client.stdout, [], 'nothing of it is shown');
    assert.equal(client.stderr.length, 1, output);
    assert.match(client.stderr[0]!, /^termsender: .*the server broke the protocol: /);
    assert.match(client.stderr[0]!, detail);
  });
}
