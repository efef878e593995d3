/**
 * The interactive client's December additions against the real server
 * (tmux): needs the server branches (moderation: set_topic, kick, ban,
 * set_role; readmarks: unread/last_seq in list_groups, activity, mark_read).
 * Copy to test/e2e/ after they are merged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientCommand } from '../helpers/client-process.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { signedInClient, startTestServer, tempDir, TEST_PASSWORD } from '../helpers/server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';
import { WireClient } from '../helpers/wire-client.js';

const skip = TMUX_SKIP;

async function interactive(t: Parameters<typeof startTestServer>[0], port: number, user: string, ...args: string[]): Promise<TmuxSession> {
  return TmuxSession.start(t, await clientCommand(port, '--user', user, ...args), { TERMSENDER_PASSWORD: TEST_PASSWORD });
}

test('real server: the owner sets a topic (shown on join and on change) and kicks; the kicked client is back at the list with the reason', { skip }, async (t) => {
  const server = await startTestServer(t);
  const carol = await signedInClient(t, server.port, 'carol', 'dev'); // the creator: owner
  assert.equal((await carol.request({ type: 'set_topic', group: 'dev', topic: 'Release on Friday' })).type, 'ok');
  const tty = await interactive(t, server.port, 'alice', '--register', '--group', 'dev');
  await tty.waitForText('-- topic: Release on Friday');
  await tty.waitFor((screen) => lastLine(screen) === 'dev>', 'the chat prompt');
  assert.equal((await carol.request({ type: 'set_topic', group: 'dev', topic: 'Release on Monday' })).type, 'ok');
  await tty.waitForText('-- carol set the topic: Release on Monday');
  assert.equal((await carol.request({ type: 'kick', group: 'dev', user: 'alice', reason: 'take it elsewhere' })).type, 'ok');
  await tty.waitForText('-- carol removed you from dev: take it elsewhere');
  await tty.waitForText('Join another: a number from the list, /join GROUP, or /next.');
  await tty.waitFor((screen) => lastLine(screen) === '>', 'the prompt outside a group');
  await tty.enter('/join dev');
  await tty.waitFor((screen) => lastLine(screen) === 'dev>', 'a kicked user may join again');
  assert.equal((await carol.request({ type: 'ban', group: 'dev', user: 'alice' })).type, 'ok');
  await tty.waitForText('-- carol banned you from dev');
  await tty.enter('/join dev');
  await tty.waitForText('! you are banned from dev');
});

test('real server: an owner\'s /kick, /op and /topic from the client; a member\'s /kick is refused in words', { skip }, async (t) => {
  const server = await startTestServer(t);
  const tty = await interactive(t, server.port, 'olga', '--register', '--group', 'crew', '--create');
  await tty.waitFor((screen) => lastLine(screen) === 'crew>', 'the chat prompt');
  const bob = await signedInClient(t, server.port, 'bob', 'crew');
  await tty.enter('/help');
  await tty.waitForText('/delete-group');
  await tty.enter('/topic Welcome aboard');
  await tty.waitForText('-- olga set the topic: Welcome aboard');
  assert.deepEqual(await bob.next('topic'), { type: 'topic', group: 'crew', topic: 'Welcome aboard', by: 'olga' });
  await tty.enter('/kick bob spamming');
  await tty.waitForText('-- removed bob from crew');
  const kicked = await bob.next('kicked');
  assert.equal(kicked.reason, 'spamming');
  const member = await interactive(t, server.port, 'mike', '--register', '--group', 'crew');
  await member.waitFor((screen) => lastLine(screen) === 'crew>', 'the member\'s prompt');
  await member.enter('/help');
  const help = await member.waitForText('/passwd');
  assert.doesNotMatch(help, /\/kick USER/);
  await member.enter('/kick olga');
  await member.waitForText("! only the group's owner or a moderator may kick");
  await tty.enter('/op mike');
  await tty.waitForText('-- mike is now a moderator of crew');
});

test('real server: unread counts of another group in the prompt (two clients of one account agree); /next shows what was missed', { skip }, async (t) => {
  const server = await startTestServer(t);
  const bob = await signedInClient(t, server.port, 'bob', 'ops');
  await bob.request({ type: 'create_group', group: 'dev' });
  // alice has joined ops before (so it counts), then sits in dev.
  const setup = await signedInClient(t, server.port, 'alice', 'ops');
  await setup.request({ type: 'leave' });
  setup.destroy();
  const first = await interactive(t, server.port, 'alice', '--group', 'dev');
  const second = await interactive(t, server.port, 'alice', '--group', 'dev');
  for (const tty of [first, second]) await tty.waitFor((screen) => lastLine(screen) === 'dev>', 'the chat prompt');
  for (const text of ['one', 'two', 'three']) assert.equal((await bob.request({ type: 'say', text })).type, 'ack');
  for (const tty of [first, second]) await tty.waitFor((screen) => lastLine(screen) === '[ops 3] dev>', 'ops 3 unread in the prompt');
  await first.enter('/next');
  await first.waitForText('-- 3 unread in ops since your last visit');
  const screen = await first.waitFor((text) => lastLine(text) === 'ops>', 'ops joined');
  assert.match(screen, /bob: one\n.*bob: two\n.*bob: three/);
  // On exit the marker is sent (before bye): the account's list then shows nothing unread in ops.
  await first.keys('C-c');
  await first.waitForText('[exited 0]');
  const viewer = await WireClient.connect(t, server.port);
  await viewer.next('welcome');
  await viewer.request({ type: 'login', user: 'alice', password: TEST_PASSWORD });
  const reply = await viewer.request({ type: 'list_groups' });
  assert.equal(reply.type === 'groups' ? reply.groups.find((group) => group.name === 'ops')?.unread : 'no list', 0);
});

test('real server: a member made moderator by the owner\'s /op is told at once and /help lists the moderator commands; a kick shows as one, and an admin\'s notice as a line', { skip }, async (t) => {
  const dataDir = tempDir(t);
  const store = SqliteStore.open(dataDir);
  const server = await startTestServer(t, { store, dataDir });
  const owner = await signedInClient(t, server.port, 'olga', 'crew'); // the creator: owner
  const bob = await signedInClient(t, server.port, 'bob', 'crew');
  const tty = await interactive(t, server.port, 'mike', '--register', '--group', 'crew');
  await tty.waitFor((screen) => lastLine(screen) === 'crew>', 'the member\'s prompt');
  await tty.enter('/help');
  assert.doesNotMatch(await tty.waitForText('/passwd'), /\/kick USER/);
  assert.equal((await owner.request({ type: 'set_role', group: 'crew', user: 'mike', role: 'moderator' })).type, 'ok');
  await tty.waitForText('-- olga made you a moderator of crew (/help lists what you may do)');
  await tty.enter('/help');
  await tty.waitForText('/kick USER [REASON]');
  assert.equal((await owner.request({ type: 'kick', group: 'crew', user: 'bob', reason: 'spam' })).type, 'ok');
  await tty.waitForText('-- bob was kicked from crew by olga: spam');
  await bob.next('kicked');
  const admin = await signedInClient(t, server.port, 'root');
  assert.equal(await store.accounts.setRole('root', 'admin'), true);
  assert.equal((await admin.request({ type: 'notice', text: 'restart at noon' })).type, 'ok');
  await tty.waitForText(/\d\d:\d\d notice from root: restart at noon/);
});
