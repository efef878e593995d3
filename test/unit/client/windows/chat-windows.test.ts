import assert from 'node:assert/strict';
import { test } from 'node:test';
import kleur from 'kleur';
import { ChatWindows } from '../../../../src/client/windows/chat-windows.js';

const at = (seq: number, from: string, text: string): { seq: number; from: string; text: string; ts: number } => ({ seq, from, text, ts: seq * 1_000 });

test('group messages go to their group\'s window, each once; the hotlist and the bell follow', () => {
  kleur.enabled = false;
  try {
    const windows = new ChatWindows('alice', 'host');
    const dev = windows.list.openGroup('dev').window;
    windows.list.show(dev);
    const live = windows.groupMessage('ops', at(1, 'carol', 'alice: ping'));
    assert.equal(windows.list.numberOf(live.window), 3, 'a message of a group without a window opens one at the end');
    assert.deepEqual([live.shown, live.effect], [false, { counted: true, mention: true, bell: true }]);
    const again = windows.groupMessage('OPS', at(1, 'carol', 'alice: ping'), 'missed');
    assert.deepEqual([again.line, again.effect.counted], [undefined, false], 'the resume\'s copy is not a second message');
    const missed = windows.groupMessage('ops', at(2, 'carol', 'alice?'), 'missed');
    assert.deepEqual(missed.effect, { counted: true, mention: true, bell: false }, 'missed news count, without a bell');
    windows.groupMessage('ops', at(0, 'carol', 'old'), 'history');
    assert.equal(windows.hotlist(), '[3:ops 2 @2]');
    const shown = windows.groupMessage('dev', at(1, 'bob', 'here'));
    assert.deepEqual([shown.shown, shown.effect.counted], [true, false]);
    assert.deepEqual(windows.list.findGroup('ops')!.scrollBack.lines().map((line) => line.kind === 'message' && line.seq), [0, 1, 2]);
  } finally {
    kleur.enabled = true;
  }
});

test('direct messages go to the conversation with the other side, the user\'s other devices\' too; /r answers the last writer', () => {
  const windows = new ChatWindows('alice', 'host');
  assert.equal(windows.replyTarget(), undefined);
  const fromBob = windows.directMessage({ ...at(1, 'Bob', 'hi'), to: 'alice' });
  assert.deepEqual([fromBob.window.title, fromBob.effect], ['Bob', { counted: true, mention: false, bell: true }]);
  const mine = windows.directMessage({ ...at(2, 'alice', 'hello from my phone'), to: 'bob' });
  assert.equal(mine.window, fromBob.window);
  assert.deepEqual(mine.effect, { counted: false, mention: false, bell: false });
  windows.directMessage({ ...at(1, 'carol', 'yo'), to: 'ALICE' });
  assert.equal(windows.replyTarget(), 'carol');
  windows.directMessage({ ...at(3, 'dave', 'an old page'), to: 'alice' }, 'history');
  assert.equal(windows.replyTarget(), 'carol', 'a history page is not someone writing now');
  windows.directMessage({ ...at(1, 'erin', 'missed, but older than carol\'s'), to: 'alice', ts: 500 }, 'missed');
  assert.equal(windows.replyTarget(), 'carol');
  assert.deepEqual(windows.list.conversationWindows().map((window) => window.title), ['Bob', 'carol', 'dave', 'erin']);
  windows.directMessage({ ...at(3, 'Bob', 'again'), to: 'alice' });
  assert.deepEqual(windows.directMessage({ ...at(3, 'Bob', 'again'), to: 'alice' }).line, undefined);
  assert.equal(windows.replyTarget(), 'Bob');
});

test('a deletion changes the line in its window, group or conversation; one nobody holds changes nothing', () => {
  const windows = new ChatWindows('alice', 'host');
  windows.groupMessage('ops', at(5, 'carol', 'secret'));
  windows.directMessage({ ...at(7, 'bob', 'secret too'), to: 'alice' });
  assert.equal(windows.deleted({ group: 'Ops', seq: 5, by: 'mod' })?.line.text, '(message deleted)');
  assert.deepEqual(windows.deleted({ user: 'bob', seq: 7, by: 'bob' })?.shown, false);
  assert.equal(windows.deleted({ group: 'dev', seq: 5, by: 'mod' }), undefined);
  assert.equal(windows.deleted({ user: 'bob', seq: 8, by: 'bob' }), undefined);
  const stored = windows.groupMessage('ops', { seq: 6, from: 'carol', text: '(message deleted)', ts: 6, deleted: { by: 'carol' } });
  assert.deepEqual(stored.effect, { counted: false, mention: false, bell: false }, 'a deleted message is no news');
});
