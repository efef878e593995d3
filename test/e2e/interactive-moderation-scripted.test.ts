/**
 * The interactive client's December additions in a real terminal (tmux),
 * against a scripted server that plays the frames of protocol.md's additions:
 * the topic on join and on change, a kick back to the group list, unread
 * counts in the prompt from `activity`, /next and Alt-n, and /passwd typed
 * hidden. (interactive-moderation.test.ts runs against the real server.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FrameBody } from '../../src/protocol/frame.js';
import { clientCommand } from '../helpers/client-process.js';
import { type ScriptedConnection, scriptedServer } from '../helpers/scripted-server.js';
import { lastLine, TMUX_SKIP, TmuxSession } from '../helpers/tmux.js';

const skip = TMUX_SKIP;
const TS = Date.now();
const message = (group: string, seq: number, text: string) => ({ group, seq, from: 'bob', text, ts: TS });

/** A server with three groups; alice has 3 unread in ops; each request is recorded; `current` is the live connection. */
async function moderatedServer(t: Parameters<typeof scriptedServer>[0], role = 'member') {
  const requests: FrameBody[] = [];
  const state: { current?: ScriptedConnection } = {};
  const groups = [
    { name: 'dev', members: 2, topic: 'Release on Friday', private: false, last_seq: 2, unread: 0 },
    { name: 'ops', members: 1, topic: '', private: true, last_seq: 9, unread: 3 },
    // Joined before (activity is shown only for groups the account joined), nothing unread.
    { name: 'random', members: 1, topic: '', private: false, last_seq: 40, unread: 0 },
  ];
  const port = await scriptedServer(t, {}, (request, connection) => {
    requests.push(request);
    state.current = connection;
    const id = request['id'];
    const send = connection.send;
    switch (request['type']) {
      case 'login': send({ type: 'auth_ok', id, user: request['user'], role: 'user' }); break;
      case 'list_groups': send({ type: 'groups', id, groups }); break;
      case 'join': {
        const group = String(request['group']);
        const since = typeof request['since'] === 'number' ? request['since'] : 0;
        const history = group === 'dev' ? [message('dev', 1, 'first'), message('dev', 2, 'second')]
          : group === 'ops' ? [7, 8, 9].filter((seq) => seq > since).map((seq) => message('ops', seq, `missed ${seq}`))
            : [message(group, 52, 'the latest in random')];
        const lastSeq = group === 'dev' ? 2 : group === 'ops' ? 9 : 52;
        send({ type: 'joined', id, group, members: ['alice', 'bob'], last_seq: lastSeq, history, more: false, role, owner: 'carol', topic: group === 'dev' ? 'Release on Friday' : '' });
        break;
      }
      case 'mark_read': case 'passwd': case 'kick': send({ type: 'ok', id }); break;
      case 'delete_group':
        send({ type: 'ok', id });
        groups.splice(groups.findIndex((group) => group.name === request['group']), 1);
        break;
      case 'bye': connection.socket.end(); break;
      default: send({ type: 'error', id, code: 'bad_message', message: `unscripted ${String(request['type'])}` });
    }
  });
  const push = (message: object) => {
    assert.ok(state.current, 'connected');
    state.current.send(message);
  };
  return { port, requests, push };
}

async function signedIn(t: Parameters<typeof scriptedServer>[0], role?: string) {
  const server = await moderatedServer(t, role);
  const tty = await TmuxSession.start(t, await clientCommand(server.port, '--user', 'alice', '--group', 'dev'), { TERMSENDER_PASSWORD: 'long enough pw' });
  await tty.waitFor((screen) => lastLine(screen) === '[ops 3] dev>', 'the chat prompt with the unread count of ops');
  return { ...server, tty };
}

test('the topic shows on join and when it changes; a kick puts the user back at the group list with who and why', { skip }, async (t) => {
  const { tty, push } = await signedIn(t);
  await tty.waitForText('-- topic: Release on Friday');
  push({ type: 'topic', group: 'dev', topic: 'Release on Monday', by: 'carol' });
  await tty.waitForText('-- carol set the topic: Release on Monday');
  push({ type: 'kicked', group: 'dev', by: 'carol', reason: 'take it to #random', banned: false });
  await tty.waitForText('-- carol removed you from dev: take it to #random');
  const screen = await tty.waitForText('Join another: a number from the list, /join GROUP, or /next.');
  assert.match(screen, /#\s+group\s+online\s+unread\s+topic/);
  assert.match(screen, /2\s+ops\s+1\s+3\s+\(private\)/);
  await tty.waitFor((text) => lastLine(text) === '[ops 3]>', 'the prompt outside a group');
  await tty.enter('3');
  await tty.waitFor((text) => lastLine(text) === '[ops 3] random>', 'random joined by its number');
});

test('activity shows other groups\' unread counts and mentions in the prompt; /next and Alt-n show what was missed from the read marker', { skip }, async (t) => {
  const { tty, push, requests } = await signedIn(t);
  push({ type: 'activity', group: 'random', last_seq: 52, unread: 12, mention: true });
  await tty.waitFor((screen) => lastLine(screen) === '[ops 3, random 12 @1] dev>', 'the status with random');
  await tty.enter('/next');
  await tty.waitForText('-- 3 unread in ops since your last visit');
  const screen = await tty.waitFor((text) => lastLine(text) === '[random 12 @1] ops>', 'ops joined');
  assert.match(screen, /bob: missed 7\n.*bob: missed 8\n.*bob: missed 9/);
  const joinOps = requests.filter((request) => request['type'] === 'join').at(-1);
  assert.deepEqual([joinOps?.['group'], joinOps?.['since']], ['ops', 6], 'joined since the read marker: last_seq 9 - 3 unread');
  await tty.keys('M-n');
  await tty.waitForText('-- 12 unread in random since your last visit');
  await tty.waitFor((text) => lastLine(text) === 'random>', 'random joined with Alt-n');
  assert.equal(requests.filter((request) => request['type'] === 'join').at(-1)?.['since'], 40, 'random: last_seq 52 - 12 unread');
  await tty.keys('C-c');
  await tty.waitForText('[exited 0]');
  const marks = requests.filter((request) => request['type'] === 'mark_read').map((request) => `${String(request['group'])} ${String(request['seq'])}`);
  assert.ok(marks.includes('ops 9'), `ops marked read up to 9: ${marks.join(', ')}`);
  assert.equal(marks.at(-1), 'random 52', 'on exit, the last group shown is marked read');
});

test('/passwd asks the current password and the new one twice without showing them', { skip }, async (t) => {
  const { tty, requests } = await signedIn(t);
  await tty.enter('/passwd');
  await tty.waitForText('current password:');
  await tty.enter('old secret pw');
  await tty.waitForText('new password:');
  await tty.enter('brand new pw');
  await tty.waitForText('repeat it:');
  await tty.enter('brand new pw');
  const screen = await tty.waitForText('-- password changed');
  assert.doesNotMatch(screen, /old secret pw|brand new pw/);
  const passwd = requests.find((request) => request['type'] === 'passwd');
  assert.equal(passwd?.['old'], 'old secret pw');
  assert.equal(passwd?.['new'], 'brand new pw');
  await tty.waitFor((text) => lastLine(text) === '[ops 3] dev>', 'the chat prompt again');
});

test('an owner\'s /help lists the owner\'s commands; /kick is sent; /delete-group asks first, then it is back at the list', { skip }, async (t) => {
  const { tty, requests } = await signedIn(t, 'owner');
  await tty.enter('/help');
  await tty.waitForText('/delete-group');
  await tty.enter('/kick bob too loud');
  await tty.waitForText('-- removed bob from dev');
  const kick = requests.find((request) => request['type'] === 'kick');
  assert.deepEqual([kick?.['group'], kick?.['user'], kick?.['reason']], ['dev', 'bob', 'too loud']);
  await tty.enter('/delete-group');
  await tty.waitForText("Delete the group 'dev' and all its messages for everyone? [y/N]");
  await tty.enter('y');
  await tty.waitForText('-- deleted the group dev');
  // The prompt leaves the group before the list arrives: wait for the hint printed after the list.
  const screen = await tty.waitFor((text) => text.includes('Join another: a number from the list') && lastLine(text) === '[ops 3]>', 'the list, then the prompt outside a group');
  assert.match(screen, /1\s+ops\s+1\s+3\s+\(private\)/, 'the list without dev');
  assert.doesNotMatch(screen.slice(screen.lastIndexOf('-- deleted the group dev')), /\bdev\s+\d/, 'dev is not listed');
  assert.equal(requests.filter((request) => request['type'] === 'delete_group').length, 1);
});
