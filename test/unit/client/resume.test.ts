/** The resume after a reconnect (model/rejoin.ts, events.ts), fed scripted `joined` pages: no TTY, no server. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { ConnectionClosedError, type Outgoing } from '../../../src/client/client.js';
import { type ChatClientEvents, tellResumed } from '../../../src/client/model/events.js';
import { openRejoined, rejoinSince } from '../../../src/client/model/rejoin.js';
import { ProtocolError } from '../../../src/protocol/errors.js';
import type { JoinedReply, ServerMessage, StoredMessage } from '../../../src/protocol/messages.js';
import { FakeConnection, scriptedConnect } from '../../helpers/fake-chat.js';

const message = (seq: number): StoredMessage => ({ group: 'g', seq, from: 'bob', text: `m${seq}`, ts: 1_700_000_000_000 + seq });
const page = (seqs: number[], more: boolean, lastSeq: number): JoinedReply => (
  { type: 'joined', group: 'g', members: ['bob'], last_seq: lastSeq, history: seqs.map(message), more }
);

/**
 * A connection that answers each `join` with the next scripted page (a
 * ProtocolError or a closed connection after the last); `during` runs as a
 * page is asked for (live messages arriving mid-resume).
 */
function scripted(pages: JoinedReply[], during: (pageIndex: number, connection: FakeConnection) => void = () => undefined, end: Error = new ConnectionClosedError('connection closed')) {
  const sinces: number[] = [];
  const connection: FakeConnection = new FakeConnection((request: Outgoing): ServerMessage => {
    if (request.type !== 'join') return { type: 'error', code: 'bad_message', message: `unscripted ${request.type}` };
    const index = sinces.length;
    sinces.push(request.since ?? -1);
    during(index, connection);
    const next = pages[index];
    if (next === undefined) throw end;
    return next;
  });
  return { connection, sinces };
}

test('pages with `since` = the last seq taken until `more` is false; what was missed, in order', async () => {
  const run = scripted([page([4, 5, 6], true, 9), page([7, 8], true, 9), page([9], false, 9)]);
  const rejoined = await rejoinSince(run.connection, 'g', 3, false);
  assert.deepEqual(run.sinces, [3, 6, 8]);
  assert.deepEqual(rejoined.missed.map((entry) => entry.seq), [4, 5, 6, 7, 8, 9]);
  assert.equal(rejoined.lastSeq, 9);
});

test('live messages that arrive meanwhile are held, then told after the pages, each once, in order', async () => {
  const run = scripted([page([2, 3], true, 5), page([4, 5], false, 5)], (index, connection) => {
    // During the first page: 4 and 5 (also on the next page) and 6; during the second: 7.
    for (const seq of index === 0 ? [4, 5, 6] : [7]) connection.push({ type: 'msg', ...message(seq) });
  });
  const { rejoined, held } = await openRejoined({ connect: scriptedConnect(async () => run.connection) }, () => ({ user: 'alice', password: 'x' }), { group: 'g', since: 1 }, false);
  assert.equal(rejoined?.missed.length, 4, 'the count missed');
  const told: string[] = [];
  const views = new EventEmitter<ChatClientEvents>();
  views.on('message', (entry, { missed }) => told.push(`${entry.seq}${missed ? ' missed' : ''}`));
  tellResumed(views, rejoined === undefined ? [] : [rejoined], [], held, () => undefined);
  assert.deepEqual(told, ['2 missed', '3 missed', '4 missed', '5 missed', '6', '7']);
  run.connection.push({ type: 'msg', ...message(8) });
  assert.equal(held.length, 4, 'nothing is held once the rejoin is over');
});

test('nothing missed: one page, nothing to tell', async () => {
  const run = scripted([page([], false, 3)]);
  const rejoined = await rejoinSince(run.connection, 'g', 3, false);
  assert.deepEqual(run.sinces, [3]);
  assert.deepEqual(rejoined.missed, []);
});

test('an empty page that still says `more` ends the paging instead of asking for it again', async () => {
  const run = scripted([page([], true, 9)]);
  await rejoinSince(run.connection, 'g', 3, false);
  assert.deepEqual(run.sinces, [3]);
});

test('a failed page rejects the rejoin; a refused one, when kept (the chat screen), keeps what the pages before it brought', async () => {
  await assert.rejects(rejoinSince(scripted([page([2], true, 4)]).connection, 'g', 1, true), /connection closed/);
  const refused = scripted([page([2], true, 4)], () => undefined, new ProtocolError('banned', 'banned'));
  await assert.rejects(rejoinSince(refused.connection, 'g', 1, false), (error: unknown) => error instanceof ProtocolError && error.code === 'banned');
  const kept = await rejoinSince(scripted([page([2], true, 4)], () => undefined, new ProtocolError('banned', 'banned')).connection, 'g', 1, true);
  assert.deepEqual([kept.missed.map((entry) => entry.seq), kept.refused?.code], [[2], 'banned']);
});
